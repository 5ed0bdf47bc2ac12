"""File → New: the size and background of a blank canvas (to draw a sketch on, for example)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PySide6.QtWidgets import QComboBox, QDialog, QDialogButtonBox, QFormLayout, QSpinBox, QWidget

MAX_SIDE = 16384
BACKGROUNDS = {"White": (255, 255, 255, 255), "Transparent": (0, 0, 0, 0)}


@dataclass(frozen=True)
class NewDocumentOptions:
    width: int = 1024
    height: int = 768
    background: str = "White"

    def pixels(self) -> np.ndarray:
        """HxWx4 RGBA uint8 canvas filled with the background."""
        canvas = np.empty((self.height, self.width, 4), np.uint8)
        canvas[...] = BACKGROUNDS[self.background]
        return canvas


class NewDocumentDialog(QDialog):
    def __init__(self, options: NewDocumentOptions, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("New image")
        self.width = QSpinBox(minimum=1, maximum=MAX_SIDE, value=options.width, suffix=" px")
        self.height = QSpinBox(minimum=1, maximum=MAX_SIDE, value=options.height, suffix=" px")
        self.background = QComboBox()
        self.background.addItems(list(BACKGROUNDS))
        self.background.setCurrentText(options.background)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Create")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow("Width", self.width)
        form.addRow("Height", self.height)
        form.addRow("Background", self.background)
        form.addRow(buttons)

    def values(self) -> NewDocumentOptions:
        return NewDocumentOptions(self.width.value(), self.height.value(),
                                  self.background.currentText())  # fmt: skip
