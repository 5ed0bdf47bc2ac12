import numpy as np
import pytest

from editor.core.brush import DabSpacer, StrokePoint, stamp_dab
from editor.core.geometry import Rect
from editor.core.pixels import blend_by_mask, flatten_on, is_grayscale, mask_bbox, over


def test_rect_operations():
    a, b = Rect(0, 0, 10, 10), Rect(5, 5, 10, 10)
    assert a.intersected(b) == Rect(5, 5, 5, 5)
    assert a.united(b) == Rect(0, 0, 15, 15)
    assert Rect(-5, -5, 10, 10).clamped(8, 8) == Rect(0, 0, 5, 5)
    assert a.intersected(Rect(20, 20, 1, 1)).is_empty()
    assert a.adjusted(2) == Rect(-2, -2, 14, 14)


def test_over_opaque_and_transparent():
    dst = np.full((2, 2, 4), [10, 20, 30, 255], np.uint8)
    src = np.zeros((2, 2, 4), np.uint8)
    assert np.array_equal(over(dst, src), dst)  # transparent source changes nothing
    src[...] = [200, 100, 0, 255]
    assert np.array_equal(over(dst, src), src)
    src[..., 3] = 128
    half = over(dst, src)
    assert abs(int(half[0, 0, 0]) - (200 * 128 + 10 * 127) // 255) <= 1


def test_blend_by_mask_keeps_zero_weight_pixels_exactly():
    rng = np.random.default_rng(0)
    base = rng.integers(0, 256, (8, 8, 4), dtype=np.uint8)
    fill = rng.integers(0, 256, (8, 8, 4), dtype=np.uint8)
    weight = np.zeros((8, 8), np.float32)
    weight[2:4, 2:4] = 1.0
    out = blend_by_mask(base, fill, weight)
    assert np.array_equal(out[weight == 0], base[weight == 0])
    assert np.array_equal(out[2:4, 2:4], fill[2:4, 2:4])


@pytest.mark.parametrize("rows", [3, 30])  # a thin band (a wire's paste) or most of the image
def test_blend_by_mask_is_the_same_mix_whatever_the_weights_cover(rows):
    rng = np.random.default_rng(1)
    base = rng.integers(0, 256, (40, 50, 4), dtype=np.uint8)
    fill = rng.integers(0, 256, (40, 50, 4), dtype=np.uint8)
    weight = np.zeros((40, 50), np.float32)
    weight[5 : 5 + rows] = rng.random((rows, 50), dtype=np.float32)
    w = weight[..., None]
    expected = np.clip(base * (1.0 - w) + fill * w + 0.5, 0, 255).astype(np.uint8)
    expected[weight <= 0] = base[weight <= 0]
    assert np.array_equal(blend_by_mask(base, fill, weight), expected)


def test_mask_bbox_and_grayscale():
    mask = np.zeros((10, 12), np.uint8)
    assert mask_bbox(mask) is None
    mask[3:5, 7:9] = 255
    assert mask_bbox(mask) == Rect(7, 3, 2, 2)
    gray = np.repeat(np.arange(64, dtype=np.uint8).reshape(8, 8, 1), 4, axis=2)
    assert is_grayscale(gray)
    gray[..., 0] = 255
    assert not is_grayscale(gray)
    assert flatten_on(np.zeros((1, 1, 4), np.uint8)).tolist() == [[[255, 255, 255]]]


def test_dab_paints_and_erases():
    mask = np.zeros((50, 50), np.uint8)
    rect = stamp_dab(mask, 25, 25, 10, hardness=1.0)
    assert rect is not None and mask[25, 25] == 255 and mask[0, 0] == 0
    assert mask[25, 25 + 12] == 0  # outside the radius
    stamp_dab(mask, 25, 25, 10, hardness=1.0, erase=True)
    assert mask[25, 25] == 0 and mask.max() < 64  # only the anti-aliased rim keeps a trace
    assert stamp_dab(mask, -100, -100, 5, 1.0) is None  # off-canvas dab: nothing


def test_spacer_fills_gaps_between_far_samples():
    spacer = DabSpacer(spacing_px=2.0)
    dabs = list(spacer.add(StrokePoint(0, 0))) + list(spacer.add(StrokePoint(100, 0)))
    xs = [d.x for d in dabs]
    assert xs[0] == 0 and len(dabs) == 51
    assert max(np.diff(xs)) <= 2.0 + 1e-6
    # Spacing carries over between samples: short moves do not add extra dabs.
    more = list(spacer.add(StrokePoint(101, 0)))
    assert len(more) == 0
    assert len(list(spacer.add(StrokePoint(102, 0)))) == 1


def test_blend_modes_on_opaque_layers():
    dst = np.full((1, 1, 4), [200, 100, 50, 255], np.uint8)
    src = np.full((1, 1, 4), [128, 128, 128, 255], np.uint8)
    multiply = over(dst, src, mode="multiply")[0, 0, :3].tolist()
    assert multiply == [round(200 * 128 / 255), round(100 * 128 / 255), round(50 * 128 / 255)]
    screen = over(dst, src, mode="screen")[0, 0, :3].tolist()
    assert screen == [
        round(255 - (55 * 127) / 255),
        round(255 - 155 * 127 / 255),
        round(255 - 205 * 127 / 255),
    ]
    overlay = over(dst, src, mode="overlay")[0, 0, :3]
    assert overlay[2] < 60 and overlay[0] > 195  # dark stays dark, light stays light
    # Over a transparent backdrop every mode shows the source unchanged.
    empty = np.zeros((1, 1, 4), np.uint8)
    for mode in ("multiply", "screen", "overlay"):
        assert over(empty, src, mode=mode).tolist() == src.tolist()
