"""Small immutable geometry value types in image (pixel) coordinates."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Rect:
    """An axis-aligned pixel rectangle: columns [x, x+w), rows [y, y+h)."""

    x: int
    y: int
    w: int
    h: int

    @property
    def right(self) -> int:
        return self.x + self.w

    @property
    def bottom(self) -> int:
        return self.y + self.h

    @property
    def area(self) -> int:
        return max(self.w, 0) * max(self.h, 0)

    def is_empty(self) -> bool:
        return self.w <= 0 or self.h <= 0

    @staticmethod
    def from_edges(left: int, top: int, right: int, bottom: int) -> Rect:
        return Rect(left, top, right - left, bottom - top)

    def intersected(self, other: Rect) -> Rect:
        left, top = max(self.x, other.x), max(self.y, other.y)
        right, bottom = min(self.right, other.right), min(self.bottom, other.bottom)
        if right <= left or bottom <= top:
            return Rect(left, top, 0, 0)
        return Rect.from_edges(left, top, right, bottom)

    def united(self, other: Rect) -> Rect:
        if self.is_empty():
            return other
        if other.is_empty():
            return self
        return Rect.from_edges(
            min(self.x, other.x),
            min(self.y, other.y),
            max(self.right, other.right),
            max(self.bottom, other.bottom),
        )

    def adjusted(self, margin: int) -> Rect:
        """Grown by `margin` pixels on every side (shrunk when negative)."""
        return Rect(self.x - margin, self.y - margin, self.w + 2 * margin, self.h + 2 * margin)

    def clamped(self, width: int, height: int) -> Rect:
        """Clipped to an image of the given size."""
        return self.intersected(Rect(0, 0, width, height))

    def slices(self) -> tuple[slice, slice]:
        """(rows, columns) slices for indexing an HxW(xC) array."""
        return slice(self.y, self.bottom), slice(self.x, self.right)
