"""Colour hints for Colorize (Zhang et al. 2017's user points).

Click places a hint of the current colour and asks the model for its most likely colours there
(a palette of swatches to pick from, plus a custom colour); clicking an existing hint reopens
its palette; Alt+click removes the nearest. Every change is one undo step in the document's
history; Colorize re-runs with the hints.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QObject, Qt, Signal

from editor.core.brush import StrokePoint

REMOVE_RADIUS = 12.0  # image pixels within which Alt+click removes (or a click picks) a hint

Hint = tuple[int, int, tuple[int, int, int]]


class HintsCommand:
    """The hint list before and after one edit (hints are a few numbers: keep both)."""

    nbytes = 0

    def __init__(self, hints: ColorHints, before: list[Hint], after: list[Hint], text: str):
        self.hints, self.before, self.after, self.text = hints, before, after, text

    def undo(self) -> None:
        self.hints.replace(self.before)

    def redo(self) -> None:
        self.hints.replace(self.after)


class ColorHints(QObject):
    """The hint points of the current document: [(x, y, (r, g, b))] in image coordinates.

    `history` (the document's) makes every edit undoable; without one edits apply directly.
    `suggest` is emitted with (index, x, y) when the user wants to pick the colour of hint
    `index` (the window answers with the model's suggestions)."""

    changed = Signal()
    suggest = Signal(int, int, int)

    def __init__(self, history=None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.history = history
        self.points: list[Hint] = []
        self.color: tuple[int, int, int] = (200, 60, 40)

    def replace(self, points: list[Hint]) -> None:
        self.points = list(points)
        self.changed.emit()

    def _edit(self, after: list[Hint], text: str) -> None:
        if after == self.points:
            return
        command = HintsCommand(self, list(self.points), after, text)
        if self.history is None:
            command.redo()
        else:
            self.history.push(command)

    def add(self, x: float, y: float) -> int:
        """Place a hint of the current colour; returns its index."""
        self._edit([*self.points, (int(x), int(y), self.color)], "Add colour hint")
        return len(self.points) - 1

    def recolour(self, index: int, rgb: tuple[int, int, int]) -> None:
        x, y, _ = self.points[index]
        after = list(self.points)
        after[index] = (x, y, tuple(int(c) for c in rgb))
        self.color = after[index][2]
        self._edit(after, "Change colour hint")

    def nearest(self, x: float, y: float) -> int | None:
        """Index of the hint within REMOVE_RADIUS of (x, y), or None."""
        if not self.points:
            return None
        distances = [math.hypot(px - x, py - y) for px, py, _ in self.points]
        index = min(range(len(distances)), key=distances.__getitem__)
        return index if distances[index] <= REMOVE_RADIUS else None

    def remove_near(self, x: float, y: float) -> bool:
        index = self.nearest(x, y)
        if index is None:
            return False
        self._edit(self.points[:index] + self.points[index + 1 :], "Remove colour hint")
        return True

    def clear(self) -> None:
        """Forget the hints without an undo step (a new document)."""
        if self.points:
            self.replace([])


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
        return list(self.hints.points)

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
