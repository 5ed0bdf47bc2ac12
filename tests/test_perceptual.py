"""The fill-quality measures of editor/ml/perceptual.py: GMSD (Xue et al. 2014) and the deep-feature
distance of Zhang et al. 2018 on EfficientNet-Lite0."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from editor.ml.perceptual import GMSD_C, LUMA, deep_distance, gmsd, grow_box, hole_box

SAILBOAT = Path(__file__).resolve().parents[2] / "shared/data/eval/style/content/sailboat.jpg"


def _scene(seed: int = 0, size: int = 96) -> np.ndarray:
    """Shapes, edges and fine texture: something blur visibly damages."""
    import cv2

    rng = np.random.default_rng(seed)
    image = np.full((size, size, 3), 120, np.uint8)
    for _ in range(12):
        x, y = rng.integers(0, size, 2)
        colour = tuple(int(c) for c in rng.integers(0, 256, 3))
        cv2.rectangle(image, (int(x), int(y)), (int(x) + 20, int(y) + 12), colour, -1)
    return np.clip(image + rng.normal(0, 8, image.shape), 0, 255).astype(np.uint8)


def _blur(image: np.ndarray, sigma: float) -> np.ndarray:
    import cv2

    return cv2.GaussianBlur(image, (0, 0), sigma)


def _brighter(image: np.ndarray, step: int) -> np.ndarray:
    return np.clip(image.astype(int) + step, 0, 255).astype(np.uint8)


def _gmsd_by_hand(reference: np.ndarray, distorted: np.ndarray) -> float:
    """The paper's recipe written out with loops (replicated border, see the module)."""
    maps = []
    for image in (reference, distorted):
        luma = image.astype(np.float64) @ np.asarray(LUMA)
        h, w = luma.shape[0] // 2, luma.shape[1] // 2
        small = np.array([[luma[2 * i:2 * i + 2, 2 * j:2 * j + 2].mean() for j in range(w)]
                          for i in range(h)])  # fmt: skip
        padded = np.pad(small, 1, mode="edge")
        mag = np.zeros_like(small)
        for i in range(h):
            for j in range(w):
                win = padded[i : i + 3, j : j + 3]
                gx = (win[:, 0].sum() - win[:, 2].sum()) / 3.0
                gy = (win[0, :].sum() - win[2, :].sum()) / 3.0
                mag[i, j] = np.hypot(gx, gy)
        maps.append(mag)
    gms = (2 * maps[0] * maps[1] + GMSD_C) / (maps[0] ** 2 + maps[1] ** 2 + GMSD_C)
    return float(gms.std())


def test_gmsd_follows_the_papers_recipe_and_its_known_properties():
    image = _scene()
    assert gmsd(image, image) == 0.0
    flat_a, flat_b = np.full((20, 20, 3), 40, np.uint8), np.full((20, 20, 3), 90, np.uint8)
    assert gmsd(flat_a, flat_b) == 0.0  # no gradients anywhere: GMS = 1
    blurred = _blur(image, 1.5)
    assert gmsd(image, blurred) == pytest.approx(_gmsd_by_hand(image, blurred), abs=1e-9)
    assert gmsd(image, blurred) == pytest.approx(gmsd(blurred, image))  # symmetric
    scores = [gmsd(image, _blur(image, s)) for s in (0.7, 1.5, 3.0)]
    assert scores == sorted(scores) and scores[0] > 0.0 and scores[-1] < 0.5  # GMS in (0, 1]
    # A uniform brightness change keeps the gradients (but where it clips at 255).
    assert gmsd(image, _brighter(image, 10)) < 0.1 * scores[0]
    box = (10, 60, 20, 70)
    assert gmsd(image, blurred, box) == gmsd(image[10:60, 20:70], blurred[10:60, 20:70])


def test_boxes_grow_to_the_minimum_inside_the_image():
    assert grow_box((5, 10, 150, 158), 160, 160) == (0, 32, 128, 160)
    assert grow_box((0, 100, 3, 90), 160, 160) == (0, 100, 3, 90)
    assert grow_box((3, 5, 3, 5), 20, 20) == (0, 20, 0, 20)
    mask = np.zeros((100, 100), np.uint8)
    assert hole_box(mask) is None
    mask[40:44, 50:90] = 255
    assert hole_box(mask) == (26, 58, 50, 90)


def _lite0_weights() -> Path | None:
    """The ImageNet Lite0 weights in the real user cache (the tests' own cache is empty),
    never downloaded here."""
    import platformdirs

    cache = Path(platformdirs.user_cache_dir("retouch"))
    for weights in (cache / "models" / "efficientnet-lite0-imagenet.safetensors",
                    cache / "features" / "efficientnet-lite0-57934424.pth"):  # fmt: skip
        if weights.is_file():
            return weights
    return None


def test_deep_distance_is_zero_for_identical_images_and_grows_with_difference():
    from editor.ml.archs.efficientnet_lite import EfficientNetLite0

    net = EfficientNetLite0().eval()  # random weights: the arithmetic, not the judgement
    image = _scene()
    assert deep_distance(net, image, image) == 0.0
    near = deep_distance(net, image, _brighter(image, 2))
    far = deep_distance(net, image, 255 - image)
    assert 0.0 < near < far <= 4.0  # squared distance of unit vectors is at most 4
    blurred = _blur(image, 2)
    in_box = deep_distance(net, image, blurred, (8, 72, 16, 80))
    assert in_box == pytest.approx(deep_distance(net, image[8:72, 16:80], blurred[8:72, 16:80]))


def test_with_imagenet_weights_blur_is_worse_than_a_small_brightness_change():
    import cv2

    from editor.ml.perceptual import load_lite0

    weights = _lite0_weights()
    if weights is None:
        pytest.skip("EfficientNet-Lite0 ImageNet weights not on this machine "
                    "(retouch models fetch efficientnet-lite0-imagenet)")  # fmt: skip
    net = load_lite0(weights)
    if SAILBOAT.is_file():
        image = cv2.cvtColor(cv2.imread(str(SAILBOAT)), cv2.COLOR_BGR2RGB)[::2, ::2].copy()
    else:
        image = _scene(size=160)
    brighter = deep_distance(net, image, _brighter(image, 8))
    blurred = deep_distance(net, image, _blur(image, 2.0))
    assert 5 * brighter < blurred, (brighter, blurred)
    assert gmsd(image, _brighter(image, 8)) < gmsd(image, _blur(image, 2.0))
