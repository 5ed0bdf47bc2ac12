"""Selection tools: they build a mask and combine it with the document's mask.

Modifiers as in Photoshop: Shift adds, Alt subtracts, Shift+Alt intersects; none replaces.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QObject, Qt, Signal

from editor.core.brush import DabSpacer, StrokePoint, stamp_dab
from editor.core.geometry import Rect
from editor.core.selection import combine, lasso_mask, magic_wand, rectangle_mask


def mode_for(modifiers) -> str:
    add = bool(modifiers & Qt.KeyboardModifier.ShiftModifier)
    subtract = bool(modifiers & Qt.KeyboardModifier.AltModifier)
    return {(True, True): "intersect", (True, False): "add", (False, True): "subtract"}.get(
        (add, subtract), "replace"
    )


def drag_rect(start: StrokePoint, end: StrokePoint, width: int, height: int) -> Rect:
    left, right = sorted((round(start.x), round(end.x)))
    top, bottom = sorted((round(start.y), round(end.y)))
    return Rect.from_edges(left, top, right, bottom).clamped(width, height)


class SelectionSettings(QObject):
    """Options of the selection tools, shown in the tool options panel."""

    changed = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.tolerance = 32  # magic wand: per-channel difference still selected (0-255)
        self.contiguous = True


class _DragTool:
    """Common state of tools that draw a rubber band while the button is held."""

    closed_overlay = True

    def __init__(self, document) -> None:
        self.document = document
        self.points: list[StrokePoint] = []
        self.modifiers = Qt.KeyboardModifier.NoModifier

    def outline_radius(self) -> float:
        return 0.0

    def overlay_points(self) -> list[tuple[float, float]]:
        return [(p.x, p.y) for p in self.points]

    def press(self, point: StrokePoint, modifiers=Qt.KeyboardModifier.NoModifier) -> None:
        self.points, self.modifiers = [point], modifiers

    def move(self, point: StrokePoint, modifiers=Qt.KeyboardModifier.NoModifier) -> None:
        if self.points:
            self.points.append(point)

    def release(self, point: StrokePoint, modifiers=Qt.KeyboardModifier.NoModifier) -> None:
        if self.points:
            self.points.append(point)
            self.finish(self.modifiers)
        self.points = []

    def apply(self, mask: np.ndarray, modifiers, text: str) -> None:
        combined = combine(self.document.mask.pixels, mask, mode_for(modifiers))
        self.document.set_mask(combined, text)

    def finish(self, modifiers) -> None:
        raise NotImplementedError


class RectangleSelectTool(_DragTool):
    def overlay_points(self) -> list[tuple[float, float]]:
        if len(self.points) < 2:
            return []
        a, b = self.points[0], self.points[-1]
        return [(a.x, a.y), (b.x, a.y), (b.x, b.y), (a.x, b.y)]

    def finish(self, modifiers) -> None:
        doc = self.document
        rect = drag_rect(self.points[0], self.points[-1], doc.width, doc.height)
        if not rect.is_empty():
            self.apply(rectangle_mask(doc.width, doc.height, rect), modifiers, "Rectangle select")


class LassoSelectTool(_DragTool):
    def finish(self, modifiers) -> None:
        doc = self.document
        if len(self.points) >= 3:
            mask = lasso_mask(doc.width, doc.height, [(p.x, p.y) for p in self.points])
            self.apply(mask, modifiers, "Lasso select")


class MagicWandTool(_DragTool):
    def __init__(self, document, settings: SelectionSettings) -> None:
        super().__init__(document)
        self.settings = settings

    def overlay_points(self) -> list[tuple[float, float]]:
        return []

    def finish(self, modifiers) -> None:
        doc, point = self.document, self.points[0]
        x, y = int(point.x), int(point.y)
        if not (0 <= x < doc.width and 0 <= y < doc.height):
            return
        layer = doc.image_layer
        mask = magic_wand(
            layer.pixels,
            x - layer.x,
            y - layer.y,
            self.settings.tolerance,
            self.settings.contiguous,
        )
        full = np.zeros((doc.height, doc.width), np.uint8)
        part = layer.rect.intersected(doc.full_rect())
        full[part.slices()] = mask[
            Rect(part.x - layer.x, part.y - layer.y, part.w, part.h).slices()
        ]
        self.apply(full, modifiers, "Magic wand")


class SmartSelectTool(_DragTool):
    """Drag a box around an object; then Shift+drag marks more of the object and Alt+drag
    marks background, and each stroke refines the selection (GrabCut, run as a job)."""

    HINT_RADIUS = 6.0

    def __init__(self, document, operations) -> None:
        super().__init__(document)
        self.operations = operations
        self.rect: Rect | None = None
        self.foreground: np.ndarray | None = None
        self.background: np.ndarray | None = None
        document.reset.connect(self._forget)

    def _forget(self) -> None:
        self.rect = self.foreground = self.background = None

    def _refining(self, modifiers) -> bool:
        hint = Qt.KeyboardModifier.ShiftModifier | Qt.KeyboardModifier.AltModifier
        return self.rect is not None and bool(modifiers & hint)

    def overlay_points(self) -> list[tuple[float, float]]:
        if len(self.points) < 2 or self._refining(self.modifiers):
            return [(p.x, p.y) for p in self.points] if self.points else []
        a, b = self.points[0], self.points[-1]
        return [(a.x, a.y), (b.x, a.y), (b.x, b.y), (a.x, b.y)]

    def finish(self, modifiers) -> None:
        doc = self.document
        if self._refining(modifiers):
            background = bool(modifiers & Qt.KeyboardModifier.AltModifier)
            target = "background" if background else "foreground"
            if getattr(self, target) is None:
                setattr(self, target, np.zeros((doc.height, doc.width), np.uint8))
            spacer = DabSpacer(self.HINT_RADIUS / 2)
            for sample in self.points:
                for point in spacer.add(sample):
                    stamp_dab(getattr(self, target), point.x, point.y, self.HINT_RADIUS, 1.0)
        else:
            rect = drag_rect(self.points[0], self.points[-1], doc.width, doc.height)
            if rect.w < 4 or rect.h < 4:
                return
            self.rect, self.foreground, self.background = rect, None, None
        self.operations.smart_select(self.rect, self.foreground, self.background)
