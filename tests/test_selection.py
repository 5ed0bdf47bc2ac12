"""Selection masks (editor.core.selection): exact pixels on small arrays."""

from __future__ import annotations

import numpy as np
import pytest

from editor.core.geometry import Rect
from editor.core.selection import (
    combine,
    feather,
    grabcut_mask,
    grow,
    invert,
    lasso_mask,
    magic_wand,
    rectangle_mask,
    shrink,
)


def _dot(size: int = 9, at: tuple[int, int] = (4, 4)) -> np.ndarray:
    mask = np.zeros((size, size), np.uint8)
    mask[at[1], at[0]] = 255
    return mask


def test_rectangle_mask_is_clipped_to_the_image():
    mask = rectangle_mask(6, 4, Rect(4, -1, 5, 3))
    expected = np.zeros((4, 6), np.uint8)
    expected[0:2, 4:6] = 255
    assert mask.dtype == np.uint8 and mask.shape == (4, 6)
    np.testing.assert_array_equal(mask, expected)
    assert not rectangle_mask(6, 4, Rect(10, 10, 3, 3)).any()


def test_lasso_square_on_pixel_edges_is_exact():
    mask = lasso_mask(8, 8, [(1, 1), (5, 1), (5, 5), (1, 5)])
    expected = np.zeros((8, 8), np.uint8)
    expected[1:5, 1:5] = 255
    np.testing.assert_array_equal(mask, expected)


def test_lasso_antialiases_partly_covered_pixels():
    mask = lasso_mask(8, 8, [(1, 1), (5.5, 1), (5.5, 5.25), (1, 5.25)])
    assert (mask[1:5, 1:5] == 255).all()
    assert (mask[1:5, 5] == 128).all()  # half a column
    assert (mask[5, 1:5] == 64).all()  # a quarter of a row
    assert mask[5, 5] == 32
    assert not mask[6:].any() and not mask[:, 6:].any() and not mask[0].any()
    hard = lasso_mask(8, 8, [(1, 1), (5.5, 1), (5.5, 5.25), (1, 5.25)], antialias=False)
    assert set(np.unique(hard)) == {0, 255}
    assert (hard[1:5, 1:6] == 255).all() and not hard[5].any()


def test_lasso_diagonal_edge_halves_the_pixels_it_crosses():
    mask = lasso_mask(4, 4, [(0, 0), (4, 0), (0, 4)])
    expected = np.array(
        [[255, 255, 255, 128], [255, 255, 128, 0], [255, 128, 0, 0], [128, 0, 0, 0]], np.uint8
    )
    np.testing.assert_array_equal(mask, expected)


def test_lasso_outside_the_image_and_degenerate_polygons():
    assert (lasso_mask(5, 4, [(-3, -3), (9, -3), (9, 9), (-3, 9)]) == 255).all()
    assert not lasso_mask(5, 4, [(1, 1), (3, 3)]).any()
    assert not lasso_mask(5, 4, [(10, 10), (12, 10), (12, 12)]).any()


def test_lasso_self_intersection_is_even_odd():
    # A pentagram: its central pentagon is wound twice, so even-odd leaves it out.
    angles = np.radians(-90 + 144 * np.arange(5))
    star = np.stack([10 + 9 * np.cos(angles), 10 + 9 * np.sin(angles)], axis=1)
    mask = lasso_mask(20, 20, star)
    assert mask[10, 10] == 0  # the centre
    assert mask[6, 9] == 255 and mask[8, 5] == 255  # inside the top and left tips
    assert mask[0, 0] == 0


def _wand_image() -> np.ndarray:
    image = np.zeros((5, 6, 4), np.uint8)
    image[..., 3] = 255
    image[:, :] = (100, 100, 100, 255)
    image[:, 3] = (0, 0, 0, 255)  # a black wall splits the image in two
    image[0, 0] = (110, 100, 100, 255)  # within tolerance 10, not within 5
    image[4, 5] = (104, 104, 104, 255)
    return image


def test_magic_wand_contiguous_stops_at_the_wall():
    mask = magic_wand(_wand_image(), 1, 1, tolerance=10, contiguous=True)
    expected = np.zeros((5, 6), np.uint8)
    expected[:, :3] = 255
    np.testing.assert_array_equal(mask, expected)


def test_magic_wand_global_selects_both_sides():
    mask = magic_wand(_wand_image(), 1, 1, tolerance=10, contiguous=False)
    expected = np.full((5, 6), 255, np.uint8)
    expected[:, 3] = 0
    np.testing.assert_array_equal(mask, expected)


def test_magic_wand_tolerance_is_per_channel_and_inclusive():
    image = _wand_image()
    tight = magic_wand(image, 1, 1, tolerance=5, contiguous=False)
    assert tight[0, 0] == 0 and tight[4, 5] == 255  # 10 apart vs 4 apart
    assert magic_wand(image, 1, 1, tolerance=9, contiguous=False)[0, 0] == 0
    assert magic_wand(image, 1, 1, tolerance=10, contiguous=False)[0, 0] == 255
    assert (magic_wand(image, 3, 0, tolerance=255, contiguous=True) == 255).all()


def test_magic_wand_diagonal_connectivity_and_seed_outside():
    image = np.zeros((3, 3, 4), np.uint8)
    image[..., 3] = 255
    image[0, 0] = image[1, 1] = (255, 255, 255, 255)
    four = magic_wand(image, 0, 0, tolerance=0)
    assert four[0, 0] == 255 and four[1, 1] == 0
    assert magic_wand(image, 0, 0, tolerance=0, diagonal=True)[1, 1] == 255
    assert not magic_wand(image, 5, 0, tolerance=0).any()


def test_magic_wand_ignores_the_hidden_colour_of_transparent_pixels():
    image = np.zeros((1, 3, 4), np.uint8)
    image[0, 1] = (200, 10, 30, 0)  # transparent, with leftover colour
    image[0, 2] = (0, 0, 0, 255)
    mask = magic_wand(image, 0, 0, tolerance=0)
    np.testing.assert_array_equal(mask, [[255, 255, 0]])


def test_grow_is_a_euclidean_disc():
    grown = grow(_dot(), 2) > 0
    ys, xs = np.mgrid[0:9, 0:9]
    disc = (xs - 4) ** 2 + (ys - 4) ** 2 <= 4
    np.testing.assert_array_equal(grown, disc)
    np.testing.assert_array_equal(grow(_dot(), 1) > 0, (xs - 4) ** 2 + (ys - 4) ** 2 <= 1)
    assert not grow(np.zeros((4, 4), np.uint8), 3).any()
    np.testing.assert_array_equal(grow(_dot(), 0), _dot())


def test_shrink_undoes_grow_on_a_square_and_keeps_the_border():
    square = np.zeros((11, 11), np.uint8)
    square[2:9, 2:9] = 255
    expected = np.zeros((11, 11), np.uint8)
    expected[4:7, 4:7] = 255
    np.testing.assert_array_equal(shrink(square, 2), expected)
    full = np.full((5, 5), 255, np.uint8)
    np.testing.assert_array_equal(shrink(full, 2), full)  # the image edge is not unselected
    edge = np.zeros((5, 5), np.uint8)
    edge[:, :3] = 255
    expected_edge = np.zeros((5, 5), np.uint8)
    expected_edge[:, :2] = 255
    np.testing.assert_array_equal(shrink(edge, 1), expected_edge)


def test_feather_ramps_symmetrically_around_the_edge():
    mask = np.zeros((3, 40), np.uint8)
    mask[:, 20:] = 255
    soft = feather(mask, 6)
    row = soft[1].astype(int)
    assert (soft == soft[1]).all()  # rows identical: borders replicate
    assert row[0] == 0 and row[-1] == 255  # far from the edge: unchanged
    assert np.all(np.diff(row) >= 0)  # a monotonic ramp
    assert 0 < row[17] < row[19] < 128 < row[20] < row[22] < 255
    assert row[19] + row[20] == 255  # symmetric around the edge at x = 20
    np.testing.assert_array_equal(feather(mask, 0), mask)


def test_invert_and_combine_on_soft_values():
    a = np.array([[0, 100, 255, 255]], np.uint8)
    b = np.array([[255, 50, 0, 200]], np.uint8)
    np.testing.assert_array_equal(invert(a), [[255, 155, 0, 0]])
    np.testing.assert_array_equal(combine(a, b, "replace"), b)
    np.testing.assert_array_equal(combine(a, b, "add"), [[255, 100, 255, 255]])
    np.testing.assert_array_equal(combine(a, b, "subtract"), [[0, 100, 255, 55]])
    np.testing.assert_array_equal(combine(a, b, "intersect"), [[0, 50, 0, 200]])
    with pytest.raises(ValueError):
        combine(a, b, "xor")
    with pytest.raises(ValueError):
        combine(a, np.zeros((2, 2), np.uint8), "add")


def _square_scene() -> np.ndarray:
    rng = np.random.default_rng(3)
    image = np.empty((80, 80, 4), np.uint8)
    image[..., :3] = np.clip(rng.normal((40, 90, 200), 6, (80, 80, 3)), 0, 255)  # blue ground
    image[25:55, 30:60, :3] = np.clip(rng.normal((230, 160, 20), 6, (30, 30, 3)), 0, 255)
    image[..., 3] = 255
    return image


def test_grabcut_separates_a_distinct_square():
    mask = grabcut_mask(_square_scene(), Rect(20, 15, 50, 50), iterations=3)
    truth = np.zeros((80, 80), bool)
    truth[25:55, 30:60] = True
    selected = mask == 255
    assert set(np.unique(mask)) <= {0, 255}
    assert (selected & truth).sum() / truth.sum() > 0.97
    assert (selected & ~truth).sum() < 0.03 * truth.sum()
    assert not selected[:15].any() and not selected[:, :20].any()  # outside the rect


def test_grabcut_hints_force_pixels_and_downscaled_work_keeps_the_result():
    image = _square_scene()
    background = np.zeros((80, 80), np.uint8)
    background[40:45, 40:45] = 255  # the user says: not this bit
    foreground = np.zeros((80, 80), np.uint8)
    foreground[18, 22] = 255  # and: this blue pixel inside the rect
    mask = grabcut_mask(image, Rect(20, 15, 50, 50), foreground, background, iterations=2)
    assert not mask[40:45, 40:45].any() and mask[18, 22] == 255
    small = grabcut_mask(image, Rect(20, 15, 50, 50), iterations=2, work_pixels=1600)
    truth = np.zeros((80, 80), bool)
    truth[25:55, 30:60] = True
    assert ((small == 255) == truth).mean() > 0.95


def test_grabcut_needs_background():
    with pytest.raises(ValueError, match="background"):
        grabcut_mask(_square_scene(), Rect(0, 0, 80, 80), margin=0)
