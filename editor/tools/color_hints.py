"""Colour hints for Colorize (Zhang et al. 2017's user points).

The hints live on the document's hint layer (document.hints: shown in the layers panel, drawn
as dots, saved in .ora). Click places a hint of the current colour and asks the model for its
most likely colours there (a palette of swatches to pick from, plus a custom colour); clicking
an existing hint reopens its palette; Alt+click removes the nearest. Every change is one undo
step in the document's history; Colorize re-runs with the hints.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QObject, Qt, Signal

from editor.core.brush import StrokePoint
from editor.document.layers import Hint

REMOVE_RADIUS = 12.0  # image pixels within which Alt+click removes (or a click picks) a hint


class ColorHints(QObject):
    """The hint tool's view of the document's colour hints: [(x, y, (r, g, b))] in image
    coordinates, and the colour the next hint gets. Edits are undo steps of the document.

    `changed` follows the document's hints (edits, undo, redo). `suggest` is emitted with
    (index, x, y) when the user wants to pick the colour of hint `index` (the window answers
    with the model's suggestions)."""

    changed = Signal()
    suggest = Signal(int, int, int)

    def __init__(self, document, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.color: tuple[int, int, int] = (200, 60, 40)
        document.hints_changed.connect(self.changed)

    @property
    def points(self) -> list[Hint]:
        return list(self.document.hints.points)

    def _edit(self, after: list[Hint], text: str) -> None:
        self.document.set_hints(after, text)

    def add(self, x: float, y: float) -> int:
        """Place a hint of the current colour; returns its index."""
        self._edit([*self.points, (int(x), int(y), self.color)], "Add colour hint")
        return len(self.points) - 1

    def recolour(self, index: int, rgb: tuple[int, int, int]) -> None:
        after = self.points
        x, y, _ = after[index]
        after[index] = (x, y, (int(rgb[0]), int(rgb[1]), int(rgb[2])))
        self.color = after[index][2]
        self._edit(after, "Change colour hint")

    def nearest(self, x: float, y: float) -> int | None:
        """Index of the hint within REMOVE_RADIUS of (x, y), or None."""
        points = self.points
        if not points:
            return None
        distances = [math.hypot(px - x, py - y) for px, py, _ in points]
        index = min(range(len(distances)), key=distances.__getitem__)
        return index if distances[index] <= REMOVE_RADIUS else None

    def remove_near(self, x: float, y: float) -> bool:
        index = self.nearest(x, y)
        if index is None:
            return False
        points = self.points
        self._edit(points[:index] + points[index + 1 :], "Remove colour hint")
        return True

    def clear(self) -> None:
        """Remove every hint (one undo step)."""
        self._edit([], "Clear colour hints")


class ColorHintTool:
    closed_overlay = False

    def __init__(self, document, hints: ColorHints) -> None:
        self.document = document
        self.hints = hints

    def outline_radius(self) -> float:
        return 0.0

    def overlay_points(self) -> list[tuple[float, float]]:
        return []

    def overlay_markers(self) -> list[tuple[float, float, tuple[int, int, int]]]:
        return []  # the hint layer draws its dots (editor.canvas.view) whatever the tool

    def press(self, point: StrokePoint, modifiers=Qt.KeyboardModifier.NoModifier) -> None:
        inside = 0 <= point.x < self.document.width and 0 <= point.y < self.document.height
        if modifiers & Qt.KeyboardModifier.AltModifier:
            self.hints.remove_near(point.x, point.y)
            return
        if not inside:
            return
        index = self.hints.nearest(point.x, point.y)
        if index is None:
            index = self.hints.add(point.x, point.y)
        x, y, _ = self.hints.points[index]
        self.hints.suggest.emit(index, x, y)

    def move(self, point: StrokePoint, modifiers=Qt.KeyboardModifier.NoModifier) -> None:
        pass

    def release(self, point: StrokePoint, modifiers=Qt.KeyboardModifier.NoModifier) -> None:
        pass
