"""Contextual residual aggregation puts the photo's own fine texture into an upscaled fill."""

from __future__ import annotations

import numpy as np
import pytest

cv2 = pytest.importorskip("cv2")

from editor.engine.fill_detail import add_residual_detail  # noqa: E402

SIZE, SCALE = 640, 0.25


def _textured_photo() -> np.ndarray:
    """A smooth colour gradient with fine grain and 3-px stripes (detail a 4x downscale loses)."""
    rng = np.random.default_rng(0)
    yy, xx = np.mgrid[0:SIZE, 0:SIZE].astype(np.float32)
    base = np.dstack([80 + 100 * xx / SIZE, 120 + 0 * yy, 200 - 100 * yy / SIZE])
    stripes = 25.0 * np.sign(np.sin(xx * np.pi / 3.0))[..., None]
    grain = rng.normal(0, 12, (SIZE, SIZE, 1))
    return np.clip(base + stripes + grain, 0, 255).astype(np.uint8)


def _soft_fill(photo: np.ndarray) -> np.ndarray:
    """What a model at the working size gives once upscaled: the right colours, no detail."""
    small = cv2.resize(photo, None, fx=SCALE, fy=SCALE, interpolation=cv2.INTER_AREA)
    return cv2.resize(small, (SIZE, SIZE), interpolation=cv2.INTER_CUBIC)


def _detail(image: np.ndarray, region: np.ndarray) -> float:
    """Mean absolute Laplacian (fine detail) over a region."""
    lap = cv2.Laplacian(cv2.cvtColor(image, cv2.COLOR_RGB2GRAY).astype(np.float32), cv2.CV_32F)
    return float(np.abs(lap[region]).mean())


def _hole() -> np.ndarray:
    hole = np.zeros((SIZE, SIZE), bool)
    hole[200:440, 180:420] = True
    return hole


def test_the_hole_gets_the_detail_of_its_surroundings():
    photo, hole = _textured_photo(), _hole()
    soft = _soft_fill(photo)
    out = add_residual_detail(photo, hole, soft, SCALE)
    around = ~hole
    assert _detail(soft, hole) < 0.4 * _detail(photo, around)  # the soft patch the issue shows
    assert _detail(out, hole) > 0.7 * _detail(photo, around)
    assert _detail(out, hole) < 1.3 * _detail(photo, around)  # not louder than the photo


def test_outside_the_hole_is_the_photo_and_hole_pixels_are_never_read():
    photo, hole = _textured_photo(), _hole()
    soft = _soft_fill(photo)
    other = photo.copy()
    other[hole] = 255 - other[hole]  # a different object under the hole
    out = add_residual_detail(photo, hole, soft, SCALE)
    assert np.array_equal(out[~hole], photo[~hole])
    assert np.array_equal(out, add_residual_detail(other, hole, soft, SCALE))


def test_a_hole_with_no_clear_surroundings_keeps_the_soft_fill():
    photo = _textured_photo()
    hole = np.ones((SIZE, SIZE), bool)
    hole[:4, :4] = False
    soft = _soft_fill(photo)
    out = add_residual_detail(photo, hole, soft, SCALE)
    assert np.array_equal(out[hole], soft[hole])


def test_block_edges_leave_no_seams():
    """Fine grain correlated over a few pixels: inside a copied block neighbouring columns are
    alike, across a hard block edge they are not. The detail added must change no faster at the
    edges of the blocks (every 20 px here, and the half-offset grid's) than elsewhere."""
    rng = np.random.default_rng(0)
    yy, xx = np.mgrid[0:SIZE, 0:SIZE].astype(np.float32)
    grain = cv2.GaussianBlur(rng.normal(0, 1, (SIZE, SIZE)).astype(np.float32), (0, 0), 1.2)
    photo = np.dstack([80 + 100 * xx / SIZE, 120 + 0 * yy, 200 - 100 * yy / SIZE])
    photo = np.clip(photo + 20 * grain[..., None] / grain.std(), 0, 255).astype(np.uint8)
    hole = _hole()
    soft = _soft_fill(photo)
    detail = add_residual_detail(photo, hole, soft, SCALE).astype(np.float32) - soft
    steps = np.abs(np.diff(detail.mean(axis=2)[205:435, 185:415], axis=1)).mean(axis=0)
    right_column = np.arange(186, 415)
    block = SIZE // 32
    for edge in (0, block // 2):
        at_edge = right_column % block == edge
        assert steps[at_edge].mean() < 1.25 * steps[~at_edge].mean()
