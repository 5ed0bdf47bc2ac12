"""Selection masks: make them (rectangle, lasso, magic wand, GrabCut) and edit them.

Every mask in and out is an HxW uint8 array, 255 = selected, 0 = not, values between for
soft edges (editor.core.pixels' mask contract). Images are HxWx4 RGBA uint8 (straight
alpha); OpenCV's BGR appears only inside grabcut_mask, at the call into OpenCV.
Coordinates are continuous image coordinates: pixel (column j, row i) covers [j, j+1) x [i, i+1).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from editor.core.geometry import Rect

COMBINE_MODES = ("replace", "add", "subtract", "intersect")
GRABCUT_WORK_PIXELS = 1_000_000  # GrabCut runs on at most this many pixels, then upsamples


def _to_mask(coverage: np.ndarray) -> np.ndarray:
    """float coverage in [0, 1] -> uint8 mask, rounded to nearest."""
    scaled = np.clip(coverage, 0.0, 1.0, dtype=np.float32)
    scaled *= 255.0
    scaled += 0.5
    mask: np.ndarray = scaled.astype(np.uint8)
    return mask  # truncation of non-negative values = floor


def rectangle_mask(width: int, height: int, rect: Rect) -> np.ndarray:
    """HxW uint8 mask: 255 inside `rect` (clipped to the image), 0 elsewhere."""
    mask = np.zeros((height, width), np.uint8)
    clipped = rect.clamped(width, height)
    if not clipped.is_empty():
        mask[clipped.slices()] = 255
    return mask


def lasso_mask(
    width: int,
    height: int,
    points: Sequence[tuple[float, float]],
    antialias: bool = True,
    samples: int = 4,
) -> np.ndarray:
    """HxW uint8 mask of the closed polygon `points` ((x, y) in continuous image coordinates).

    Self-intersections follow the even-odd rule. With `antialias`, edge pixels hold their
    covered fraction: exact horizontally, `samples` rows per pixel vertically; without, a
    pixel is selected when at least half of it is covered.
    """
    pts = np.asarray(points, np.float64).reshape(-1, 2)
    if len(pts) < 3 or width <= 0 or height <= 0:
        return np.zeros((height, width), np.uint8)
    x0, y0 = pts[:, 0], pts[:, 1]
    x1, y1 = np.roll(x0, -1), np.roll(y0, -1)
    # Sub-rows s have centres yc = (s + 0.5) / samples; an edge crosses the sub-rows with
    # min(y) <= yc < max(y) (half-open, so a vertex shared by two edges counts once).
    low = np.clip(np.ceil(np.minimum(y0, y1) * samples - 0.5), 0, height * samples).astype(int)
    high = np.clip(np.ceil(np.maximum(y0, y1) * samples - 0.5), 0, height * samples).astype(int)
    counts = np.maximum(high - low, 0)
    total = int(counts.sum())
    if total == 0:
        return np.zeros((height, width), np.uint8)
    edge = np.repeat(np.arange(len(pts)), counts)
    offset = np.arange(total) - np.repeat(np.cumsum(counts) - counts, counts)
    sub_row = low[edge] + offset
    yc = (sub_row + 0.5) / samples
    t = (yc - y0[edge]) / (y1[edge] - y0[edge])
    xs = np.clip(x0[edge] + t * (x1[edge] - x0[edge]), 0.0, float(width))
    order = np.lexsort((xs, sub_row))
    sub_row, xs = sub_row[order], xs[order]
    # Every sub-row has an even number of crossings: pair them up as spans [start, end).
    starts, ends, rows = xs[0::2], xs[1::2], sub_row[0::2] // samples
    # Exact horizontal coverage with a difference array: a span starting at x adds
    # (1 - frac(x)) to pixel floor(x) and frac(x) to the next one; an end subtracts the same.
    top, bottom = int(rows[0]), int(rows[-1]) + 1  # rows are sorted
    size = (bottom - top) * (width + 2)
    accumulator = np.zeros(size, np.float64)
    for positions, sign in ((starts, 1.0), (ends, -1.0)):
        column = np.floor(positions).astype(np.int64)
        fraction = positions - column
        flat = (rows - top) * (width + 2) + column
        accumulator += np.bincount(flat, sign * (1.0 - fraction), minlength=size)
        accumulator += np.bincount(flat + 1, sign * fraction, minlength=size)
    band = np.cumsum(accumulator.reshape(bottom - top, width + 2), axis=1)[:, :width]
    band /= samples
    mask = np.zeros((height, width), np.uint8)
    mask[top:bottom] = _to_mask(band) if antialias else np.where(band >= 0.5, 255, 0)
    return mask


def magic_wand(
    image_rgba: np.ndarray,
    x: int,
    y: int,
    tolerance: int,
    contiguous: bool = True,
    diagonal: bool = False,
) -> np.ndarray:
    """Select pixels whose colour is within `tolerance` of the pixel at (x, y).

    `image_rgba`: HxWx4 RGBA uint8. A pixel matches when every channel (R, G, B, A) differs
    from the seed's by at most `tolerance` (0-255); fully transparent pixels compare as
    transparent black, whatever their hidden colour. `contiguous`: only matches connected to
    the seed (4-connected, or 8 with `diagonal`). Returns HxW uint8 0/255; empty when the
    seed is outside the image.
    """
    import cv2  # lazily: OpenCV is not needed at application start

    height, width = image_rgba.shape[:2]
    if not (0 <= x < width and 0 <= y < height):
        return np.zeros((height, width), np.uint8)
    transparent = image_rgba[..., 3] == 0
    seed = image_rgba[y, x].astype(np.int16)
    if seed[3] == 0:
        seed[:3] = 0
    within = np.ones((height, width), bool)
    for channel in range(4):
        values = image_rgba[..., channel].astype(np.int16)
        if channel < 3:
            values[transparent] = 0
        within &= np.abs(values - seed[channel]) <= tolerance
    if contiguous:
        _, labels = cv2.connectedComponents(
            within.view(np.uint8), connectivity=8 if diagonal else 4
        )
        within = labels == labels[y, x]
    return np.where(within, 255, 0).astype(np.uint8)


def _call(function: Callable[..., np.ndarray], *args: Any) -> np.ndarray:
    return function(*args)


def grabcut_labels(bgr: np.ndarray, labels: np.ndarray, iterations: int) -> np.ndarray:
    """OpenCV GrabCut initialised with `labels` (HxW uint8 cv2.GC_* values) on an HxWx3 uint8
    BGR image: the updated labels. One C++ call that never looks at Cancel."""
    import cv2

    labels = labels.copy()
    background_model = np.zeros((1, 65), np.float64)
    foreground_model = np.zeros((1, 65), np.float64)
    # The stub types rect as Sequence[int]; OpenCV takes None (unused with GC_INIT_WITH_MASK).
    cv2.grabCut(  # type: ignore[call-overload]
        bgr, labels, None, background_model, foreground_model, max(1, iterations),
        cv2.GC_INIT_WITH_MASK,
    )  # fmt: skip
    return labels


def grabcut_mask(
    image_rgba: np.ndarray,
    rect: Rect,
    foreground_hint: np.ndarray | None = None,
    background_hint: np.ndarray | None = None,
    iterations: int = 5,
    margin: int = 32,
    work_pixels: int = GRABCUT_WORK_PIXELS,
    call: Callable[..., np.ndarray] | None = None,
) -> np.ndarray:
    """Smart select: OpenCV GrabCut from a rectangle, refined by hint strokes.

    `image_rgba`: HxWx4 RGBA uint8 (alpha ignored). `rect`: the box around the object;
    everything outside it is background. `foreground_hint` / `background_hint`: optional HxW
    uint8 masks, > 127 = definitely foreground / definitely background (strokes; background
    wins where both are set). GrabCut runs on a crop of the rectangle plus `margin` pixels,
    downscaled to at most `work_pixels`, and the mask is upsampled back. Returns HxW uint8
    0/255. Raises ValueError when the rectangle leaves no background to learn from.
    `call(function, *args)` runs the GrabCut step (default: here; a job passes a runner that
    can stop it, editor.engine.child).
    """
    import cv2

    height, width = image_rgba.shape[:2]
    box = rect.clamped(width, height)
    if box.is_empty():
        return np.zeros((height, width), np.uint8)
    window = box.adjusted(margin).clamped(width, height)
    # Labels at full resolution inside the window: outside the box is definite background.
    labels = np.full((window.h, window.w), cv2.GC_BGD, np.uint8)
    inner = Rect(box.x - window.x, box.y - window.y, box.w, box.h)
    labels[inner.slices()] = cv2.GC_PR_FGD
    if foreground_hint is not None:
        labels[foreground_hint[window.slices()] > 127] = cv2.GC_FGD
    if background_hint is not None:
        labels[background_hint[window.slices()] > 127] = cv2.GC_BGD
    definite_fg = labels == cv2.GC_FGD
    definite_bg = labels == cv2.GC_BGD
    if not definite_bg.any():
        raise ValueError("smart select needs some background: draw a smaller rectangle")
    if not (labels != cv2.GC_BGD).any():
        return np.zeros((height, width), np.uint8)

    bgr = cv2.cvtColor(np.ascontiguousarray(image_rgba[window.slices()]), cv2.COLOR_RGBA2BGR)
    scale = min(1.0, math.sqrt(work_pixels / float(window.area)))
    if scale < 1.0:
        size = (max(1, round(window.w * scale)), max(1, round(window.h * scale)))
        bgr = cv2.resize(bgr, size, interpolation=cv2.INTER_AREA)
        small = cv2.resize(labels, size, interpolation=cv2.INTER_NEAREST)
    else:
        small = labels.copy()
    small = (call or _call)(grabcut_labels, bgr, small, iterations)
    foreground = ((small == cv2.GC_FGD) | (small == cv2.GC_PR_FGD)).astype(np.float32)
    if scale < 1.0:
        foreground = cv2.resize(foreground, (window.w, window.h), interpolation=cv2.INTER_LINEAR)
    selected = foreground >= 0.5
    # The user's strokes and the rectangle are exact at full resolution.
    selected[definite_fg] = True
    selected[definite_bg] = False
    mask = np.zeros((height, width), np.uint8)
    mask[window.slices()] = np.where(selected, 255, 0)
    return mask


def _distance_to(selected: np.ndarray) -> np.ndarray:
    """Euclidean distance (px, float32) from every pixel centre to the nearest `selected` one."""
    import cv2

    return cv2.distanceTransform(
        np.where(selected, 0, 1).astype(np.uint8), cv2.DIST_L2, cv2.DIST_MASK_PRECISE
    )


def grow(mask: np.ndarray, px: int) -> np.ndarray:
    """Select every pixel within `px` pixels (Euclidean, centre to centre) of a selected one.

    Selected means > 127; the result is hard-edged 0/255 (feather afterwards for a soft edge).
    """
    selected = mask > 127
    if px <= 0 or not selected.any():
        return np.where(selected, 255, 0).astype(np.uint8)
    return np.where(_distance_to(selected) <= px + 1e-3, 255, 0).astype(np.uint8)


def shrink(mask: np.ndarray, px: int) -> np.ndarray:
    """Keep the selected pixels more than `px` pixels from any unselected one.

    The image border does not count as unselected: a selection touching the edge stays there.
    Selected means > 127; the result is hard-edged 0/255.
    """
    selected = mask > 127
    if px <= 0 or selected.all():
        return np.where(selected, 255, 0).astype(np.uint8)
    return np.where(_distance_to(~selected) > px + 1e-3, 255, 0).astype(np.uint8)


def feather(mask: np.ndarray, px: float) -> np.ndarray:
    """Soften the mask's edge with a Gaussian of sigma px / 2 (the ramp spans about ±px).

    Image borders are extended (replicated), so a selection touching the edge stays full there.
    """
    if px <= 0:
        return mask.copy()
    import cv2

    sigma = px / 2.0
    blurred = cv2.GaussianBlur(
        mask.astype(np.float32), (0, 0), sigmaX=sigma, borderType=cv2.BORDER_REPLICATE
    )
    return _to_mask(blurred / 255.0)


def invert(mask: np.ndarray) -> np.ndarray:
    """255 - mask."""
    return 255 - mask


def combine(current: np.ndarray, new: np.ndarray, mode: str) -> np.ndarray:
    """Merge a new selection into the current one, soft values included.

    replace: new; add: max(current, new); subtract: min(current, 255 - new);
    intersect: min(current, new).
    """
    if current.shape != new.shape:
        raise ValueError(f"masks differ in size: {current.shape} and {new.shape}")
    if mode == "replace":
        return new.copy()
    merged: np.ndarray
    if mode == "add":
        merged = np.maximum(current, new)
        return merged
    if mode == "subtract":
        merged = np.minimum(current, 255 - new)
        return merged
    if mode == "intersect":
        merged = np.minimum(current, new)
        return merged
    raise ValueError(f"unknown combine mode {mode!r}; expected one of {COMBINE_MODES}")
