"""Brush dabs on masks and the spacing of dabs along a stroke. Pure numpy, no Qt."""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from editor.core.geometry import Rect


@dataclass(frozen=True)
class BrushSettings:
    """Diameter in image pixels; hardness in [0, 1] (1 = hard edge); spacing as a fraction
    of the diameter (Krita and Photoshop default to about a quarter or less)."""

    diameter: float = 40.0
    hardness: float = 0.8
    spacing: float = 0.15
    use_pressure: bool = True
    colour: tuple[int, int, int] = (0, 0, 0)  # ink on an RGBA layer (the sketch pen)


def dab_rect(cx: float, cy: float, radius: float) -> Rect:
    left, top = math.floor(cx - radius), math.floor(cy - radius)
    right, bottom = math.ceil(cx + radius) + 1, math.ceil(cy + radius) + 1
    return Rect.from_edges(left, top, right, bottom)


def dab_alpha(rect: Rect, cx: float, cy: float, radius: float, hardness: float) -> np.ndarray:
    """Coverage in [0, 1] of a round dab over `rect`: 1 inside radius*hardness, then a
    smooth fall-off to 0 at the radius (anti-aliased by half a pixel at hardness 1)."""
    ys = np.arange(rect.y, rect.bottom, dtype=np.float32) + 0.5 - cy
    xs = np.arange(rect.x, rect.right, dtype=np.float32) + 0.5 - cx
    distance = np.sqrt(ys[:, None] ** 2 + xs[None, :] ** 2)
    inner = radius * min(max(hardness, 0.0), 1.0)
    soft = max(radius - inner, 0.5)
    t = np.clip((distance - inner) / soft, 0.0, 1.0)
    return 1.0 - t * t * (3.0 - 2.0 * t)


def stamp_dab(
    target: np.ndarray,
    cx: float,
    cy: float,
    radius: float,
    hardness: float,
    strength: float = 1.0,
    erase: bool = False,
) -> Rect | None:
    """Stamp one dab into an HxW uint8 mask in place. Returns the changed area (or None).

    Painting keeps the maximum coverage so overlapping dabs do not build up past the brush's
    strength; erasing scales existing coverage down.
    """
    height, width = target.shape[:2]
    rect = dab_rect(cx, cy, radius).clamped(width, height)
    if rect.is_empty():
        return None
    alpha = dab_alpha(rect, cx, cy, radius, hardness) * strength
    region = target[rect.slices()]
    if erase:
        region[...] = (region * (1.0 - alpha) + 0.5).astype(np.uint8)
    else:
        np.maximum(region, (alpha * 255.0 + 0.5).astype(np.uint8), out=region)
    return rect


@dataclass
class StrokePoint:
    x: float
    y: float
    pressure: float = 1.0


class DabSpacer:
    """Turns pointer samples into evenly spaced dab positions, so a fast stroke whose
    samples are far apart still paints a continuous line."""

    def __init__(self, spacing_px: float) -> None:
        self.spacing = max(spacing_px, 0.5)
        self._last: StrokePoint | None = None
        self._carry = 0.0  # distance travelled since the last dab

    def add(self, point: StrokePoint) -> Iterator[StrokePoint]:
        last = self._last
        self._last = point
        if last is None:
            yield point
            return
        dx, dy = point.x - last.x, point.y - last.y
        length = math.hypot(dx, dy)
        if length == 0:
            return
        travelled = self.spacing - self._carry
        while travelled <= length:
            t = travelled / length
            yield StrokePoint(
                last.x + dx * t,
                last.y + dy * t,
                last.pressure + (point.pressure - last.pressure) * t,
            )
            travelled += self.spacing
        self._carry = length - (travelled - self.spacing)
