"""Brush size, hardness, erase mode and the sketch pen's ink colour, bound to the shared
BrushState."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QCheckBox,
    QColorDialog,
    QFormLayout,
    QPushButton,
    QSlider,
    QSpinBox,
    QWidget,
)

from editor.tools.brush import MAX_DIAMETER, MIN_DIAMETER, BrushState


class ToolOptionsPanel(QWidget):
    def __init__(self, state: BrushState, selection=None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.size = QSpinBox(suffix=" px", minimum=int(MIN_DIAMETER), maximum=int(MAX_DIAMETER))
        self.size.setToolTip("Brush size ( [ and ] )")
        self.hardness = QSlider(Qt.Orientation.Horizontal, minimum=0, maximum=100)
        self.hardness.setToolTip("Brush hardness: soft edges blend the fill more gradually")
        self.erase = QCheckBox("Erase mask")
        self.erase.setToolTip("Remove mask instead of painting it (E; or hold Alt)")
        self.pressure = QCheckBox("Pressure sets size")
        self.pressure.setToolTip("With a tablet, pen pressure scales the brush")
        self.ink = QPushButton()
        self.ink.setToolTip(
            "Sketch pen colour: black draws lines; a colour draws a scribble that tells Sketch to "
            "Photo which colour goes there (D: back to black)"
        )
        self.ink.clicked.connect(self.choose_ink)
        layout = QFormLayout(self)
        layout.addRow("Size", self.size)
        layout.addRow("Hardness", self.hardness)
        layout.addRow("Ink", self.ink)
        layout.addRow(self.erase)
        layout.addRow(self.pressure)
        if selection is not None:
            self.tolerance = QSpinBox(minimum=0, maximum=255, value=selection.tolerance)
            self.tolerance.setToolTip(
                "Magic wand: how different a colour may be and still be selected"
            )
            self.contiguous = QCheckBox("Contiguous", checked=selection.contiguous)
            self.contiguous.setToolTip("Magic wand: only areas connected to the click")
            layout.addRow("Wand tolerance", self.tolerance)
            layout.addRow(self.contiguous)
            self.tolerance.valueChanged.connect(lambda v: setattr(selection, "tolerance", v))
            self.contiguous.toggled.connect(lambda on: setattr(selection, "contiguous", on))
        # The widgets edit whichever brush is current (mask brush or sketch pen).
        self.size.valueChanged.connect(lambda v: self.state.update(diameter=v))
        self.hardness.valueChanged.connect(lambda v: self.state.update(hardness=v / 100.0))
        self.erase.toggled.connect(lambda on: self.state.set_erase(on))
        self.pressure.toggled.connect(lambda on: self.state.update(use_pressure=on))
        self.set_state(state)

    def set_state(self, state: BrushState) -> None:
        if getattr(self, "_bound", None) is not None:
            self._bound.changed.disconnect(self._show_state)
        self.state = self._bound = state
        state.changed.connect(self._show_state)
        self._show_state()

    def choose_ink(self) -> None:
        current = QColor(*self.state.settings.colour)
        colour = QColorDialog.getColor(current, self, "Sketch pen colour")
        if colour.isValid():
            self.state.update(colour=(colour.red(), colour.green(), colour.blue()))

    def _show_state(self) -> None:
        settings = self.state.settings
        self.ink.setEnabled(self.state.inks)
        r, g, b = settings.colour if self.state.inks else (0, 0, 0)
        self.ink.setText("black (lines)" if (r, g, b) == (0, 0, 0) else f"#{r:02x}{g:02x}{b:02x}")
        self.ink.setStyleSheet(
            f"background: rgb({r}, {g}, {b}); color: "
            f"{'white' if r * 0.3 + g * 0.59 + b * 0.11 < 128 else 'black'}"
        )
        for widget, value in (
            (self.size, round(settings.diameter)),
            (self.hardness, round(settings.hardness * 100)),
            (self.erase, self.state.erase),
            (self.pressure, settings.use_pressure),
        ):
            widget.blockSignals(True)
            widget.setChecked(value) if isinstance(widget, QCheckBox) else widget.setValue(value)
            widget.blockSignals(False)
