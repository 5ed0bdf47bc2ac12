"""Procedural irregular hole masks for inpainting training (strokes + boxes).

Settings follow LaMa's thin / medium / thick generators (see the data README), given for a
256-px image and scaled to the mask size. Holes may run off the image, so they touch borders.
Output: HxW uint8, 255 = hole (the pixel contract), with hole ratio in [min_ratio, max_ratio].
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class StrokeKind:
    strokes: tuple[int, int]  # count range (inclusive)
    max_width: int
    max_length: int
    box_prob: float
    box_size: tuple[int, int]  # side range of boxes


# Sizes are for a 256-px image.
KINDS: dict[str, StrokeKind] = {
    "thin": StrokeKind((4, 70), 20, 100, 0.0, (0, 0)),
    "medium": StrokeKind((4, 10), 100, 200, 0.3, (30, 150)),
    "thick": StrokeKind((1, 5), 250, 450, 0.3, (30, 300)),
}
KIND_PROBS = {"thin": 0.3, "medium": 0.4, "thick": 0.3}


def _draw_strokes(canvas: np.ndarray, kind: StrokeKind, scale: float, rng: np.random.Generator):
    import cv2

    height, width = canvas.shape
    for _ in range(int(rng.integers(kind.strokes[0], kind.strokes[1] + 1))):
        # Start anywhere, even slightly outside, so strokes cross the border.
        x, y = rng.uniform(-0.1 * width, 1.1 * width), rng.uniform(-0.1 * height, 1.1 * height)
        thickness = max(1, int(rng.uniform(2, kind.max_width) * scale))
        for _ in range(int(rng.integers(1, 6))):  # a stroke is a few connected segments
            angle = rng.uniform(0, 2 * np.pi)
            length = rng.uniform(5, kind.max_length) * scale / 2
            nx, ny = x + length * np.cos(angle), y + length * np.sin(angle)
            cv2.line(canvas, (int(x), int(y)), (int(nx), int(ny)), 255, thickness)
            x, y = nx, ny


def _draw_boxes(canvas: np.ndarray, kind: StrokeKind, scale: float, rng: np.random.Generator):
    height, width = canvas.shape
    while rng.random() < kind.box_prob:
        bw = int(rng.uniform(*kind.box_size) * scale)
        bh = int(rng.uniform(*kind.box_size) * scale)
        x0 = int(rng.integers(-bw // 3, max(1, width - bw // 2)))
        y0 = int(rng.integers(-bh // 3, max(1, height - bh // 2)))
        canvas[max(0, y0) : max(0, y0 + bh), max(0, x0) : max(0, x0 + bw)] = 255


def random_mask(
    height: int,
    width: int,
    rng: np.random.Generator,
    min_ratio: float = 0.05,
    max_ratio: float = 0.6,
    kind: str | None = None,
    max_tries: int = 50,
) -> np.ndarray:
    """One HxW uint8 mask (255 = hole) whose hole ratio lies in [min_ratio, max_ratio]."""
    scale = min(height, width) / 256.0
    names = list(KIND_PROBS)
    probs = np.array([KIND_PROBS[n] for n in names])
    for _ in range(max_tries):
        chosen = KINDS[kind or names[int(rng.choice(len(names), p=probs))]]
        canvas = np.zeros((height, width), np.uint8)
        _draw_strokes(canvas, chosen, scale, rng)
        _draw_boxes(canvas, chosen, scale, rng)
        ratio = float((canvas > 0).mean())
        if min_ratio <= ratio <= max_ratio:
            return canvas
    # Rare fallback: a centred box of the target area, so the contract always holds.
    area = rng.uniform(min_ratio, max_ratio) * height * width
    side_h = min(height, max(1, int(round(np.sqrt(area * height / width)))))
    side_w = min(width, max(1, int(round(area / side_h))))
    canvas = np.zeros((height, width), np.uint8)
    y0, x0 = (height - side_h) // 2, (width - side_w) // 2
    canvas[y0 : y0 + side_h, x0 : x0 + side_w] = 255
    return canvas


def mask_batch(count: int, size: int, rng: np.random.Generator) -> np.ndarray:
    """count×size×size uint8 masks (255 = hole), hole ratios as random_mask's defaults."""
    return np.stack([random_mask(size, size, rng) for _ in range(count)])
