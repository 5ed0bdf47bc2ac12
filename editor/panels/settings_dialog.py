"""Settings dialog: edits a copy of Settings; the caller saves it when accepted."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QSpinBox,
    QWidget,
)

from editor.settings import DEVICES, Settings


def _spin(value: int, low: int, high: int, suffix: str, tip: str, special: str = "") -> QSpinBox:
    spin = QSpinBox(minimum=low, maximum=high, suffix=suffix, toolTip=tip)
    spin.setValue(value)
    if special:
        spin.setSpecialValueText(special)
    return spin


class SettingsDialog(QDialog):
    def __init__(self, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Retouch Settings")
        self.device = QComboBox(toolTip="Where neural operations run")
        self.device.addItems(["Automatic (CUDA, else CPU)", "CUDA GPU", "CPU"])
        self.device.setCurrentIndex(DEVICES.index(settings.device))
        self.half = QCheckBox("Half precision (fp16) on the GPU", checked=settings.half_precision)
        self.tile = _spin(
            settings.tile_size, 0, 4096, " px", "Tile size for large images", "Automatic"
        )
        self.model_memory = _spin(
            settings.model_memory_megabytes, 256, 65536, " MB", "Memory for loaded models"
        )
        self.history = _spin(settings.history_megabytes, 64, 65536, " MB", "Undo history memory")
        self.autosave = _spin(
            settings.autosave_seconds, 0, 3600, " s", "Crash-recovery autosave interval", "Off"
        )
        self.accept_as_layer = QCheckBox(
            "Accept results as a new layer (Shift+Enter does the other)",
            checked=settings.accept_as_new_layer,
            toolTip="Enter puts an operation's result on its own layer above the target "
            "instead of merging it into the target",
        )
        self.bomb = _spin(
            settings.max_megapixels, 1, 10000, " MP", "Refuse larger images (decompression bombs)"
        )
        form = QFormLayout(self)
        form.addRow("Device", self.device)
        form.addRow(self.half)
        form.addRow("Tile size", self.tile)
        form.addRow("Model memory", self.model_memory)
        form.addRow("Undo memory", self.history)
        form.addRow("Autosave every", self.autosave)
        form.addRow("Largest image", self.bomb)
        form.addRow(self.accept_as_layer)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self._original = settings

    def values(self) -> Settings:
        return replace(
            self._original,
            device=DEVICES[self.device.currentIndex()],
            half_precision=self.half.isChecked(),
            tile_size=self.tile.value(),
            model_memory_megabytes=self.model_memory.value(),
            history_megabytes=self.history.value(),
            autosave_seconds=self.autosave.value(),
            max_megapixels=self.bomb.value(),
            accept_as_new_layer=self.accept_as_layer.isChecked(),
        )
