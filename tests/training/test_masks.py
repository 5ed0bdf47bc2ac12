from __future__ import annotations

import numpy as np
import pytest

from editor.training.masks import KINDS, mask_batch, random_mask


@pytest.mark.parametrize("size", [64, 96, 256])
def test_hole_ratio_in_target_range(size):
    masks = mask_batch(60, size, np.random.default_rng(size))
    assert masks.dtype == np.uint8 and masks.shape == (60, size, size)
    assert set(np.unique(masks)) <= {0, 255}
    ratios = (masks > 0).mean(axis=(1, 2))
    assert ratios.min() >= 0.05 and ratios.max() <= 0.6
    assert ratios.std() > 0.05  # a spread of sizes, not one fixed hole
    touches = (masks[:, 0, :] | masks[:, -1, :]).any(1) | (masks[:, :, 0] | masks[:, :, -1]).any(1)
    assert touches.mean() > 0.2  # holes at the border too


@pytest.mark.parametrize("kind", list(KINDS))
def test_each_kind_and_custom_range(kind):
    rng = np.random.default_rng(3)
    for _ in range(10):
        ratio = (random_mask(80, 120, rng, 0.2, 0.3, kind=kind) > 0).mean()
        assert 0.2 <= ratio <= 0.3


def test_deterministic_for_a_seed():
    a = mask_batch(5, 64, np.random.default_rng(7))
    b = mask_batch(5, 64, np.random.default_rng(7))
    assert np.array_equal(a, b)
