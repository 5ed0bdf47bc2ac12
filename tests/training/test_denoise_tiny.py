"""The tiny denoiser config trains in seconds on synthetic images, its loss goes down, it beats
the noisy input on held-out images, and the export loads back (no data, no network)."""

from __future__ import annotations

import json

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from editor.training.data import cut_patches  # noqa: E402
from editor.training.train_denoise import (  # noqa: E402
    config_named,
    load_weights,
    random_batch,
    train,
)


def test_tiny_training_loss_goes_down_and_exports(tmp_path):
    metrics = train(config_named("tiny"), [], 0, tmp_path, seed=0)
    assert np.mean(metrics["last_losses"]) < 0.9 * np.mean(metrics["first_losses"]), metrics
    held = metrics["holdout"]["sigma50"]
    assert held["model_psnr"] > held["noisy_psnr"] + 0.3, metrics["holdout"]
    saved = json.loads((tmp_path / "metrics.json").read_text())
    assert saved["steps"] == 150 and saved["sha256"] == metrics["sha256"]
    model = load_weights(tmp_path / "denoise.safetensors")
    assert model.config == config_named("tiny").arch
    assert all(p.dtype == torch.float32 for p in model.parameters())


def test_same_seed_same_run(tmp_path):
    a = train(config_named("tiny", max_steps=5), [], 0, tmp_path / "a", seed=3)
    b = train(config_named("tiny", max_steps=5), [], 0, tmp_path / "b", seed=3)
    assert a["first_losses"] == b["first_losses"]
    # Same weights (the files' bytes may differ: safetensors writes metadata in hash order).
    wa = load_weights(tmp_path / "a" / "denoise.safetensors").state_dict()
    wb = load_weights(tmp_path / "b" / "denoise.safetensors").state_dict()
    assert all(torch.equal(wa[k], wb[k]) for k in wa)


def test_resume_continues_the_step_count(tmp_path):
    train(config_named("tiny", max_steps=4), [], 0, tmp_path / "a", seed=0)
    metrics = train(config_named("tiny", max_steps=7), [], 0, tmp_path / "b",
                    resume=tmp_path / "a" / "ckpt.pt")  # fmt: skip
    assert metrics["steps"] == 7 and len(metrics["first_losses"]) == 3


def test_patches_are_native_resolution_windows():
    image = np.arange(100 * 70 * 3, dtype=np.uint32).reshape(100, 70, 3).astype(np.uint8)
    patches = cut_patches([image], 32)
    assert patches.shape == (3 * 2, 32, 32, 3)
    np.testing.assert_array_equal(patches[0].numpy(), image[2:34, 3:35])  # centred grid
    batch = random_batch(patches, 5, 16, torch.Generator().manual_seed(0))
    assert batch.shape == (5, 3, 16, 16) and 0 <= float(batch.min()) <= float(batch.max()) <= 1


def test_cli_tiny_run(tmp_path):
    from editor.training.train_denoise import main

    assert main(["denoise", "--config", "tiny", "--steps", "3", "--out", str(tmp_path)]) == 0
    assert (tmp_path / "denoise.safetensors").is_file()
    assert main(["denoise", "--config", "cpu", "--out", str(tmp_path)]) == 2  # needs --data
