"""The tiny upscaler config trains in seconds on synthetic images, its loss goes down, the
export loads into the architecture the catalog builds, and training pairs are aligned."""

from __future__ import annotations

import json

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from editor.training.train_upscale import (  # noqa: E402
    SCALE,
    bicubic_down,
    build_model,
    config_named,
    low_resolution,
    psnr_y,
    random_pairs,
    train,
)


def test_tiny_training_loss_goes_down_and_exports(tmp_path):
    cfg = config_named("tiny", max_steps=40)
    metrics = train(cfg, [], 0, tmp_path, seed=0)
    assert np.mean(metrics["last_losses"]) < 0.8 * np.mean(metrics["first_losses"]), metrics
    saved = json.loads((tmp_path / "metrics.json").read_text())
    assert saved["steps"] == 40 and saved["sha256"] == metrics["sha256"]
    assert set(metrics["holdout"]) == {"model_psnr_y", "bicubic_psnr_y", "images"}
    from safetensors.torch import load_file

    from editor.ml.safetensors_meta import read_safetensors_metadata

    state = load_file(str(tmp_path / "upscale.safetensors"))
    assert all(v.dtype == torch.float16 for v in state.values())
    meta = read_safetensors_metadata(tmp_path / "upscale.safetensors")
    assert (meta["num_feat"], meta["num_conv"], meta["scale"]) == ("8", "2", "4")
    build_model(cfg).load_state_dict({k: v.float() for k, v in state.items()})  # strict


def test_pairs_are_aligned_windows_of_the_bicubic_reduction():
    rng = np.random.default_rng(0)
    high = torch.from_numpy(rng.integers(0, 256, (3, 48, 48, 3), dtype=np.uint8))
    low = low_resolution(high)
    assert low.shape == (3, 12, 12, 3)
    np.testing.assert_array_equal(low[1].numpy(), bicubic_down(high[1].numpy()))
    small, truth = random_pairs(high, low, 6, 32, torch.Generator().manual_seed(1))
    assert small.shape == (6, 3, 8, 8) and truth.shape == (6, 3, 32, 32)
    # Each pair: the low window is the reduction of the high window (up to the crop's edges).
    for s, t in zip(small, truth, strict=True):
        t8 = t.mul(255).round().byte().permute(1, 2, 0).numpy()
        s8 = s.mul(255).round().byte().permute(1, 2, 0).numpy()
        inner = np.abs(bicubic_down(t8).astype(int) - s8)[2:-2, 2:-2]
        assert inner.mean() < 2.0
    assert SCALE == 4


def test_psnr_y_shaves_the_border_and_is_infinite_for_equal_images():
    image = np.full((16, 16, 3), 100, np.uint8)
    assert psnr_y(image, image) == float("inf")
    other = image.copy()
    other[:4] = 0  # only inside the shaved border
    assert psnr_y(other, image) == float("inf")
    other[8, 8] = 0
    luma_step = (65.481 + 128.553 + 24.966) * 100 / 255  # one pixel of the 8x8 inside differs
    assert psnr_y(other, image) == pytest.approx(10 * np.log10(255**2 * 64 / luma_step**2))


def test_cli_tiny_run(tmp_path):
    from editor.training.__main__ import main

    assert main(["upscale", "--config", "tiny", "--steps", "3", "--out", str(tmp_path)]) == 0
    assert (tmp_path / "upscale.safetensors").is_file()
