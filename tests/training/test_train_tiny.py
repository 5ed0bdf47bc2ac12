"""The tiny config trains in seconds on the CPU and its loss goes down (no network needed)."""

from __future__ import annotations

import json
import logging

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from editor.training.features import random_feature_net  # noqa: E402
from editor.training.train_inpaint import config_named, train  # noqa: E402


def _went_down(metrics) -> bool:
    return np.mean(metrics["last_losses"]) < 0.8 * np.mean(metrics["first_losses"])


@pytest.mark.parametrize("config", ["tiny", "fill-tiny"])
def test_tiny_training_loss_goes_down_and_exports(tmp_path, config):
    metrics = train(config_named(config, max_steps=40), [], 0, tmp_path, seed=0)
    assert _went_down(metrics), metrics
    assert (tmp_path / "inpaint.safetensors").is_file()
    saved = json.loads((tmp_path / "metrics.json").read_text())
    assert saved["steps"] == 40 and set(saved["holdout"]) == {"model", "telea", "holes"}


def test_warm_start_from_exported_weights(tmp_path):
    """--init: a run starts from an exported file of the same architecture."""
    from editor.ml.inpaint_nets import load_safetensors

    train(config_named("fill-tiny", max_steps=10), [], 0, tmp_path / "a", seed=0)
    first, _ = load_safetensors(str(tmp_path / "a" / "inpaint.safetensors"))
    cfg = config_named("fill-tiny", max_steps=1, lr=0.0)  # no step may move the weights
    train(cfg, [], 0, tmp_path / "b", seed=1, init=tmp_path / "a" / "inpaint.safetensors")
    again, _ = load_safetensors(str(tmp_path / "b" / "inpaint.safetensors"))
    for (name, a), b in zip(first.state_dict().items(), again.state_dict().values(), strict=True):
        if a.is_floating_point() and "running" not in name:
            assert torch.allclose(a, b, atol=1e-3), name


def test_tiny_training_with_perceptual_and_style_terms(tmp_path):
    cfg = config_named("tiny", max_steps=25, features=True)
    metrics = train(cfg, [], 0, tmp_path, seed=1, feature_net=random_feature_net())
    assert metrics["features"]
    assert _went_down(metrics), metrics


def test_training_goes_on_without_features(tmp_path, monkeypatch, caplog):
    from editor.ml.errors import WeightsUnavailable
    from editor.training import features

    def offline(explicit=None):
        raise WeightsUnavailable("offline")

    monkeypatch.setattr(features, "load_feature_net", offline)
    with caplog.at_level(logging.WARNING):
        metrics = train(config_named("tiny", max_steps=3, features=True), [], 0, tmp_path)
    assert not metrics["features"]
    assert "terms are off" in caplog.text


def test_resume_continues_the_step_count(tmp_path):
    train(config_named("tiny", max_steps=5), [], 0, tmp_path / "a", seed=0)
    metrics = train(
        config_named("tiny", max_steps=8), [], 0, tmp_path / "b", resume=tmp_path / "a" / "ckpt.pt"
    )
    assert metrics["steps"] == 8 and len(metrics["first_losses"]) == 3


def test_mask_pool_path(tmp_path):
    """The GPU configs draw masks from a pool on the device; same contract as fresh masks."""
    metrics = train(config_named("tiny", max_steps=12, mask_pool=16), [], 0, tmp_path)
    assert metrics["steps"] == 12 and np.isfinite(metrics["last_losses"]).all()


def test_cli_tiny_run_and_export(tmp_path):
    from editor.ml.inpaint_nets import load_safetensors
    from editor.training.__main__ import main

    assert main(["inpaint", "--config", "tiny", "--steps", "4", "--out", str(tmp_path)]) == 0
    out = tmp_path / "again.safetensors"
    args = ["export-inpaint", "--ckpt", str(tmp_path / "ckpt.pt"), "--config", "tiny"]
    assert main([*args, "--out", str(out), "--working-size", "40"]) == 0
    _, meta = load_safetensors(str(out))
    assert meta["working_size"] == "40" and meta["steps"] == "4"


def test_the_cli_offers_exactly_the_trainers_configs():
    from editor.training.__main__ import INPAINT_CONFIGS
    from editor.training.train_inpaint import CONFIGS

    assert sorted(INPAINT_CONFIGS) == sorted(CONFIGS)
