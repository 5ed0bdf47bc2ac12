"""The colour-hint palette: the model's most likely colours at the clicked point as swatches
(most likely first, with their probability as a tooltip) and "Custom…" for any colour."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QColorDialog, QFrame, QHBoxLayout, QLabel, QToolButton, QWidget

SWATCH_PX = 28


class HintPalette(QFrame):
    """A popup row of swatches; `picked` carries the chosen (r, g, b)."""

    picked = Signal(tuple)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Popup)
        self.setObjectName("hint-palette")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self._row = QHBoxLayout(self)
        self._row.setContentsMargins(6, 6, 6, 6)
        self._current: tuple[int, int, int] = (128, 128, 128)
        self.swatches: list[QToolButton] = []
        self.colours: list[tuple[int, int, int]] = []  # the swatches' colours, in order

    def show_suggestions(self, suggestions, current: tuple[int, int, int], at: QPoint) -> None:
        """Fill the row with ((r, g, b), probability) pairs (None: still computing) and pop up
        at global `at`."""
        while self._row.count():
            item = self._row.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()
        self._current = current
        self.swatches, self.colours = [], []
        if suggestions is None:
            self._row.addWidget(QLabel("Likely colours…"))
        elif not suggestions:
            self._row.addWidget(QLabel("No suggestions here"))
        for rgb, probability in suggestions or ():
            button = QToolButton(self)
            button.setFixedSize(SWATCH_PX, SWATCH_PX)
            colour = QColor(*rgb).name()
            button.setStyleSheet(f"background-color: {colour}; border: 1px solid #222;")
            button.setToolTip(f"{colour} — {probability:.0%} likely here")
            button.clicked.connect(lambda _=False, c=tuple(rgb): self._pick(c))
            self._row.addWidget(button)
            self.swatches.append(button)
            self.colours.append(tuple(rgb))
        custom = QToolButton(self, text="Custom…")
        custom.setToolTip("Any colour")
        custom.clicked.connect(self._custom)
        self._row.addWidget(custom)
        self.adjustSize()
        self.move(at)
        self.show()

    def _pick(self, rgb: tuple[int, int, int]) -> None:
        self.hide()
        self.picked.emit(rgb)

    def _custom(self) -> None:
        self.hide()
        colour = QColorDialog.getColor(QColor(*self._current), self.parentWidget(), "Hint colour")
        if colour.isValid():
            self.picked.emit((colour.red(), colour.green(), colour.blue()))
