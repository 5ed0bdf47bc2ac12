"""Sketch-like line drawings made from photos (the sketch → photo training inputs).

A detector draws the lines (Canny after a Gaussian blur, XDoG, or thresholded gradient
magnitude, picked at random), then the drawing is made to look hand-drawn: random line
thickness, short breaks in the strokes, a small smooth positional jitter and dropped specks.
All randomness comes from the numpy Generator passed in, so a (seed, step) pair always gives
the same drawing.

Convention everywhere: a sketch is H×W float32 in [0, 1] with 1 = paper (white), 0 = ink.
"""

from __future__ import annotations

import numpy as np


def _gray(rgb: np.ndarray) -> np.ndarray:
    """H×W×3 uint8 RGB → H×W uint8 luma."""
    import cv2

    return cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)


def canny_lines(gray: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """H×W bool ink: Canny on a blurred copy with random sigma and thresholds."""
    import cv2

    sigma = rng.uniform(0.6, 2.0)
    blurred = cv2.GaussianBlur(gray, (0, 0), sigma)
    # Thresholds from this image's own gradient magnitudes (what Canny thresholds), so bright,
    # dark and low-contrast photos all get a similar density of lines.
    gx = cv2.Sobel(blurred, cv2.CV_32F, 1, 0)
    gy = cv2.Sobel(blurred, cv2.CV_32F, 0, 1)
    high = max(20.0, float(np.percentile(np.hypot(gx, gy), rng.uniform(82.0, 92.0))))
    low = rng.uniform(0.3, 0.6) * high
    return cv2.Canny(blurred, low, high, L2gradient=True) > 0


def xdog_lines(gray: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """H×W bool ink: the dark side of a difference of Gaussians (XDoG-like, Winnemöller 2012).

    Only edges ink: flat dark areas have no DoG response, so they stay paper.
    """
    import cv2

    image = gray.astype(np.float32) / 255.0
    sigma = rng.uniform(0.5, 1.2)
    g1 = cv2.GaussianBlur(image, (0, 0), sigma)
    g2 = cv2.GaussianBlur(image, (0, 0), sigma * 1.6)
    return (g2 - g1) > rng.uniform(0.015, 0.04)


def gradient_lines(gray: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """H×W bool ink: Sobel gradient magnitude above a random upper percentile."""
    import cv2

    blurred = cv2.GaussianBlur(gray.astype(np.float32), (0, 0), rng.uniform(0.7, 1.5))
    gx = cv2.Sobel(blurred, cv2.CV_32F, 1, 0)
    gy = cv2.Sobel(blurred, cv2.CV_32F, 0, 1)
    magnitude = np.hypot(gx, gy)
    return magnitude > np.percentile(magnitude, rng.uniform(87.0, 94.0))


def contour_lines(gray: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """H×W bool ink drawn the way a person outlines: the longer Canny contours only, simplified
    to straight strokes (Douglas–Peucker), some overshooting their ends."""
    import cv2

    edges = canny_lines(gray, rng).astype(np.uint8)
    contours, _ = cv2.findContours(edges, cv2.RETR_LIST, cv2.CHAIN_APPROX_NONE)
    ink = np.zeros_like(edges)
    min_length = rng.uniform(6.0, 24.0)
    tolerance = rng.uniform(0.8, 2.5)
    for contour in contours:
        if cv2.arcLength(contour, False) < min_length:
            continue
        points = cv2.approxPolyDP(contour, tolerance, False)[:, 0, :].astype(np.float32)
        if len(points) >= 2 and rng.random() < 0.3:
            points = _overshoot(points, rng.uniform(1.0, 4.0))
        cv2.polylines(ink, [np.round(points).astype(np.int32)], False, 1, 1)
    return ink > 0


def _overshoot(points: np.ndarray, length: float) -> np.ndarray:
    """The polyline with both end segments extended by `length` px."""

    def extended(end: np.ndarray, before: np.ndarray) -> np.ndarray:
        direction = end - before
        return end + direction / max(float(np.hypot(*direction)), 1e-6) * length

    first = extended(points[0], points[1])
    last = extended(points[-1], points[-2])
    return np.vstack([first, points, last])


DETECTORS = (canny_lines, xdog_lines, gradient_lines)
HAND_DETECTORS = (canny_lines, xdog_lines, contour_lines, contour_lines)


def _thicken(ink: np.ndarray, rng: np.random.Generator,
            widths: tuple[int, ...] = (1, 1, 1, 2, 2, 3)) -> np.ndarray:  # fmt: skip
    import cv2

    width = int(rng.choice(widths))  # 1 = as detected
    if width == 1:
        return ink
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (width, width))
    return cv2.dilate(ink.astype(np.uint8), kernel) > 0


def _breaks(ink: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Erase small random discs along the strokes (a pen lifted, a faint line)."""
    import cv2

    height, width = ink.shape
    count = int(rng.integers(0, 1 + ink.sum() // 60))
    if count == 0:
        return ink
    ys, xs = np.nonzero(ink)
    pick = rng.integers(0, ys.size, count)
    erase = np.zeros((height, width), np.uint8)
    for y, x in zip(ys[pick], xs[pick], strict=True):
        cv2.circle(erase, (int(x), int(y)), int(rng.integers(1, 3)), 1, -1)
    return ink & (erase == 0)


def _jitter(ink: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Displace the drawing by a smooth random field of up to ~1.5 px (a wobbly hand)."""
    import cv2

    height, width = ink.shape
    amplitude = rng.uniform(0.0, 1.5)
    if amplitude < 0.2:
        return ink
    coarse = rng.normal(0.0, 1.0, (2, 4, 4)).astype(np.float32)
    dx = cv2.resize(coarse[0], (width, height), interpolation=cv2.INTER_CUBIC) * amplitude
    dy = cv2.resize(coarse[1], (width, height), interpolation=cv2.INTER_CUBIC) * amplitude
    xs, ys = np.meshgrid(np.arange(width, dtype=np.float32), np.arange(height, dtype=np.float32))
    warped = cv2.remap(ink.astype(np.float32), xs + dx, ys + dy, cv2.INTER_LINEAR)
    return warped > 0.5


def _drop_specks(ink: np.ndarray, min_pixels: int) -> np.ndarray:
    """Remove connected bits smaller than `min_pixels` (detector noise no one would draw)."""
    import cv2

    count, labels, stats, _ = cv2.connectedComponentsWithStats(ink.astype(np.uint8), 8)
    keep = stats[:, cv2.CC_STAT_AREA] >= min_pixels
    keep[0] = False
    return keep[labels]


def sketch_from_photo(rgb: np.ndarray, rng: np.random.Generator, hand: bool = False) -> np.ndarray:
    """H×W float32 sketch (1 = paper, 0 = ink) of an H×W×3 uint8 RGB photo. `hand` draws from
    the mix meant to look like a person's drawing (simplified contours, lines 1–4 px)."""
    gray = _gray(rgb)
    detectors = HAND_DETECTORS if hand else DETECTORS
    ink = detectors[int(rng.integers(0, len(detectors)))](gray, rng)
    ink = _drop_specks(ink, int(rng.integers(3, 10)))
    ink = _jitter(ink, rng)
    ink = _thicken(ink, rng, (1, 1, 2, 2, 3, 4) if hand else (1, 1, 1, 2, 2, 3))
    ink = _breaks(ink, rng)
    return np.where(ink, 0.0, 1.0).astype(np.float32)


def canny_sketch(rgb: np.ndarray) -> np.ndarray:
    """Deterministic H×W float32 sketch for evaluation: Canny with mid-range settings, 1 px."""
    ink = _drop_specks(canny_lines(_gray(rgb), _MiddleOfRange()), 5)  # type: ignore[arg-type]
    return np.where(ink, 0.0, 1.0).astype(np.float32)


class _MiddleOfRange:
    """Stands in for a Generator: every uniform() draw returns the middle of its range."""

    def uniform(self, low: float, high: float) -> float:
        return (low + high) / 2.0
