"""Colour hints for Colorize: click to place a point of the current colour, Alt+click to remove
the nearest one. Colorize re-runs with the hints (Zhang et al. 2017's user points)."""

from __future__ import annotations

import math

from PySide6.QtCore import QObject, Qt, Signal

from editor.core.brush import StrokePoint

REMOVE_RADIUS = 12.0  # image pixels within which Alt+click removes a hint


class ColorHints(QObject):
    """The hint points of the current document: [(x, y, (r, g, b))] in image coordinates."""

    changed = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.points: list[tuple[int, int, tuple[int, int, int]]] = []
        self.color: tuple[int, int, int] = (200, 60, 40)

    def add(self, x: float, y: float) -> None:
        self.points.append((int(x), int(y), self.color))
        self.changed.emit()

    def remove_near(self, x: float, y: float) -> bool:
        if not self.points:
            return False
        nearest = min(self.points, key=lambda p: math.hypot(p[0] - x, p[1] - y))
        if math.hypot(nearest[0] - x, nearest[1] - y) > REMOVE_RADIUS:
            return False
        self.points.remove(nearest)
        self.changed.emit()
        return True

    def clear(self) -> None:
        if self.points:
            self.points = []
            self.changed.emit()


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
        elif inside:
            self.hints.add(point.x, point.y)

    def move(self, point: StrokePoint, modifiers=Qt.KeyboardModifier.NoModifier) -> None:
        pass

    def release(self, point: StrokePoint, modifiers=Qt.KeyboardModifier.NoModifier) -> None:
        pass
