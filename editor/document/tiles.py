"""Record only the tiles an edit changed, so undo history stays small on huge canvases."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np

from editor.core.geometry import Rect

TILE = 64


def _tile_keys(rect: Rect, height: int, width: int) -> Iterator[tuple[int, int]]:
    rect = rect.clamped(width, height)
    if rect.is_empty():
        return
    for ty in range(rect.y // TILE, (rect.bottom - 1) // TILE + 1):
        for tx in range(rect.x // TILE, (rect.right - 1) // TILE + 1):
            yield ty, tx


def _tile_rect(key: tuple[int, int], height: int, width: int) -> Rect:
    ty, tx = key
    return Rect(tx * TILE, ty * TILE, TILE, TILE).clamped(width, height)


@dataclass
class TileDiff:
    """Before/after copies of each changed tile of one array."""

    tiles: list[tuple[Rect, np.ndarray, np.ndarray]] = field(default_factory=list)

    @property
    def nbytes(self) -> int:
        return sum(before.nbytes + after.nbytes for _, before, after in self.tiles)

    @property
    def bounds(self) -> Rect:
        result = Rect(0, 0, 0, 0)
        for rect, _, _ in self.tiles:
            result = result.united(rect)
        return result

    def is_empty(self) -> bool:
        return not self.tiles

    def restore_before(self, array: np.ndarray) -> None:
        for rect, before, _ in self.tiles:
            array[rect.slices()] = before

    def restore_after(self, array: np.ndarray) -> None:
        for rect, _, after in self.tiles:
            array[rect.slices()] = after


class TileRecorder:
    """Call `touch(rect)` before writing into `array` there; `finish()` returns the diff."""

    def __init__(self, array: np.ndarray) -> None:
        self.array = array
        self._before: dict[tuple[int, int], np.ndarray] = {}

    def touch(self, rect: Rect) -> None:
        height, width = self.array.shape[:2]
        for key in _tile_keys(rect, height, width):
            if key not in self._before:
                self._before[key] = self.array[_tile_rect(key, height, width).slices()].copy()

    def finish(self) -> TileDiff:
        height, width = self.array.shape[:2]
        diff = TileDiff()
        for key, before in self._before.items():
            rect = _tile_rect(key, height, width)
            after = self.array[rect.slices()]
            if not np.array_equal(before, after):
                diff.tiles.append((rect, before, after.copy()))
        self._before.clear()
        return diff


def record_write(array: np.ndarray, rect: Rect, values: np.ndarray | int) -> TileDiff:
    """Write `values` into `array[rect]` and return the tile diff of that write."""
    recorder = TileRecorder(array)
    recorder.touch(rect)
    array[rect.slices()] = values
    return recorder.finish()
