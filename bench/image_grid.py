"""Shared by the benches that write grids: rows of image cells written as one PNG."""

from __future__ import annotations

from pathlib import Path

import numpy as np


def cell(rgb: np.ndarray, size: int) -> np.ndarray:
    """HxWx3 (or x4, alpha ignored) uint8 resized to `size` pixels high, aspect kept."""
    import cv2

    height, width = rgb.shape[:2]
    return cv2.resize(np.ascontiguousarray(rgb[..., :3]), (round(width * size / height), size),
                      interpolation=cv2.INTER_AREA)  # fmt: skip


def write_grid(rows: list[list[np.ndarray]], path: Path, gap: int = 4) -> None:
    """Rows of equal-height uint8 RGB cells on white, left-aligned, saved as PNG."""
    from PIL import Image

    width = max(sum(c.shape[1] for c in row) + gap * (len(row) - 1) for row in rows)
    lines = []
    for row in rows:
        line = np.full((row[0].shape[0], width, 3), 255, np.uint8)
        x = 0
        for image in row:
            line[:, x : x + image.shape[1]] = image
            x += image.shape[1] + gap
        lines += [line, np.full((gap, width, 3), 255, np.uint8)]
    Image.fromarray(np.concatenate(lines[:-1])).save(path)
