"""Drawings made the way a person draws with the sketch pen, never edge maps of photos: wobbly
3-px black polylines on transparency, and the same drawings with colour scribbles.

    drawings() -> [(name, subject, lines RGBA, lines + scribbles RGBA), ...]
"""

from __future__ import annotations

import numpy as np

SIZE = 256
INK = (0, 0, 0, 255)


def _wobbly(points, rng: np.random.Generator, closed: bool = False) -> np.ndarray:
    """The polyline resampled every ~4 px with a smooth random sideways wander (a hand)."""
    points = np.asarray(points, np.float32)
    if closed:
        points = np.vstack([points, points[:1]])
    dense = []
    for a, b in zip(points[:-1], points[1:], strict=True):
        steps = max(2, int(np.hypot(*(b - a)) / 4))
        dense += [a + (b - a) * t for t in np.linspace(0, 1, steps, endpoint=False)]
    dense.append(points[-1])
    dense = np.array(dense)
    wander = np.cumsum(rng.normal(0, 0.5, dense.shape), 0)
    wander -= np.linspace(0, 1, len(dense))[:, None] * wander[-1]  # ends stay put
    return np.round(dense + np.clip(wander, -3, 3)).astype(np.int32)


def _ellipse(cx, cy, rx, ry, start=0.0, end=360.0, count=24):
    t = np.radians(np.linspace(start, end, count))
    return np.stack([cx + rx * np.cos(t), cy + ry * np.sin(t)], 1)


def _draw(strokes, rng: np.random.Generator) -> np.ndarray:
    import cv2

    layer = np.zeros((SIZE, SIZE, 4), np.uint8)
    for points, closed in strokes:
        cv2.polylines(layer, [_wobbly(points, rng, closed)], False, INK, 3, cv2.LINE_AA)
    return layer


def _scribble(layer: np.ndarray, strokes) -> np.ndarray:
    """The drawing with colour strokes (8 px wide) painted on top."""
    import cv2

    out = layer.copy()
    for points, colour in strokes:
        cv2.polylines(out, [np.asarray(points, np.int32)], False, (*colour, 255), 8)
    return out


def cat(rng):
    lines = _draw([
        (_ellipse(128, 110, 55, 48), True),  # head
        ([(82, 85), (90, 35), (115, 65)], False), ([(141, 65), (166, 35), (174, 85)], False),
        (_ellipse(106, 105, 9, 6), True), (_ellipse(150, 105, 9, 6), True),  # eyes
        ([(122, 125), (134, 125), (128, 133), (122, 125)], False),  # nose
        ([(128, 133), (128, 142)], False),
        ([(110, 132), (70, 126)], False), ([(110, 138), (72, 145)], False),  # whiskers
        ([(146, 132), (186, 126)], False), ([(146, 138), (184, 145)], False),
        ([(90, 150), (70, 235)], False), ([(166, 150), (186, 235)], False),  # body
        ([(70, 235), (186, 235)], False),
    ], rng)  # fmt: skip
    colours = _scribble(lines, [
        ([(100, 180), (150, 200), (110, 220)], (235, 140, 40)),  # a ginger body
        ([(40, 30), (220, 30)], (90, 150, 220)),  # a blue wall behind
    ])  # fmt: skip
    return "cat", "animals", lines, colours


def dog(rng):
    lines = _draw([
        (_ellipse(128, 100, 50, 55), True),  # head
        ([(85, 70), (62, 120), (78, 150), (92, 110)], False),  # floppy ears
        ([(171, 70), (194, 120), (178, 150), (164, 110)], False),
        (_ellipse(108, 92, 7, 7), True), (_ellipse(148, 92, 7, 7), True),
        (_ellipse(128, 132, 22, 15), True),  # snout
        (_ellipse(128, 124, 8, 5), True),  # nose
        ([(95, 150), (80, 240)], False), ([(161, 150), (176, 240)], False),
    ], rng)  # fmt: skip
    colours = _scribble(lines, [
        ([(105, 65), (150, 60), (120, 110)], (120, 75, 35)),  # a brown coat
        ([(20, 230), (236, 230)], (70, 160, 60)),  # grass
    ])  # fmt: skip
    return "dog", "animals", lines, colours


def face(rng):
    lines = _draw([
        (_ellipse(128, 130, 62, 85), True),  # face
        (_ellipse(128, 105, 70, 70, 180, 360), False),  # hairline
        (_ellipse(102, 115, 12, 6), True), (_ellipse(154, 115, 12, 6), True),  # eyes
        ([(92, 100), (114, 97)], False), ([(142, 97), (164, 100)], False),  # brows
        ([(128, 120), (120, 150), (132, 152)], False),  # nose
        (_ellipse(128, 172, 24, 10, 10, 170), False),  # mouth
        ([(100, 212), (95, 255)], False), ([(156, 212), (161, 255)], False),  # neck
    ], rng)  # fmt: skip
    colours = _scribble(lines, [
        ([(95, 140), (160, 140), (128, 195)], (225, 175, 145)),  # skin
        ([(70, 60), (128, 40), (186, 60)], (60, 40, 25)),  # dark hair
        ([(20, 240), (80, 250)], (40, 80, 170)),  # a blue shirt
    ])  # fmt: skip
    return "face", "people", lines, colours


def landscape(rng):
    lines = _draw([
        ([(0, 130), (50, 70), (90, 115), (140, 45), (200, 110), (256, 80)], False),  # mountains
        ([(0, 160), (256, 155)], False),  # far shore
        (_ellipse(110, 190, 80, 22), True),  # a lake
        ([(215, 250), (215, 185)], False), ([(228, 250), (228, 185)], False),  # trunk
        (_ellipse(221, 160, 30, 32), True),  # canopy
        (_ellipse(50, 35, 16, 16), True),  # sun
    ], rng)  # fmt: skip
    colours = _scribble(lines, [
        ([(90, 20), (230, 25), (160, 40)], (110, 170, 235)),  # sky
        ([(80, 188), (140, 192)], (40, 110, 190)),  # water
        ([(208, 150), (235, 165)], (50, 130, 40)),  # leaves
        ([(10, 230), (170, 240)], (90, 150, 50)),  # meadow
    ])  # fmt: skip
    return "landscape", "landscapes", lines, colours


def drawings(seed: int = 0):
    rng = np.random.default_rng(seed)
    return [make(rng) for make in (cat, dog, face, landscape)]
