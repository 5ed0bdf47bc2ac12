"""The colorizer's training pieces: bins, soft encoding, rebalancing, hint sampling, and a tiny
run whose loss goes down and whose exported decoder loads back."""

from __future__ import annotations

import json

import pytest

torch = pytest.importorskip("torch")

from editor.ml import ab_bins  # noqa: E402
from editor.training import train_colorizer  # noqa: E402


def test_soft_encoding_sums_to_one_on_the_nearest_bins():
    centres = ab_bins.grid_centres()
    ab = torch.tensor([[[[12.0]], [[-31.0]]]])
    target = ab_bins.soft_encode(ab, centres)
    assert torch.allclose(target.sum(1), torch.ones(1, 1, 1))
    assert int((target > 0).sum()) == ab_bins.SOFT_NEIGHBOURS
    best = centres[target[0, :, 0, 0].argmax()]
    assert best.tolist() == [10.0, -30.0]


def test_rebalancing_favours_rare_colours_and_has_unit_mean():
    centres = ab_bins.grid_centres()[:50]
    counts = torch.ones(50)
    counts[0] = 1000.0  # a very common colour (think: gray)
    weights = ab_bins.rebalance_weights(counts, centres)
    prior = counts / counts.sum()
    assert float(weights[0]) < float(weights[-1])
    smoothed_expectation = float((weights * prior).sum())
    assert 0.3 < smoothed_expectation < 3.0


def test_annealed_mean_moves_to_the_mode_as_temperature_falls():
    centres = torch.tensor([[0.0, 0.0], [60.0, 0.0]])
    logits = torch.tensor([0.5, 1.0]).view(1, 2, 1, 1)  # mostly red, some gray
    a = [float(ab_bins.annealed_mean(logits, centres, t)[0, 0]) for t in (1.0, 0.5, 0.2)]
    assert a[0] < a[1] < a[2] < 60.0
    assert ab_bins.top_colours(logits[0, :, 0, 0], centres, 2)[0][:2] == (60.0, 0.0)


def test_hints_reveal_true_colours_only_at_their_cells():
    cfg = train_colorizer.CONFIGS["cpu"]
    ab = torch.randn(64, 2, 16, 16) * 30
    hints = train_colorizer.sample_hints(ab, cfg, torch.Generator().manual_seed(0))
    mask = hints[:, 2:3]
    per_sample = mask.flatten(1).sum(1)
    assert 0 < int((per_sample > 0).sum()) < 64  # some samples get none
    assert float(per_sample.max()) <= cfg.max_hints
    revealed = hints[:, :2] * 110.0
    assert torch.allclose(revealed, ab * mask, atol=1e-4)


def test_tiny_training_loss_goes_down_and_exports(tmp_path):
    torch.set_num_threads(1)
    cfg = train_colorizer.CONFIGS["tiny"]
    metrics = train_colorizer.train(cfg, [], 0, tmp_path, "cpu", seed=0)
    assert metrics["last_loss"] < metrics["first_loss"] - 0.05, metrics
    # The tiny photos' colour follows from their lightness: held out, it beats staying gray.
    assert metrics["psnr_T0.5"] > metrics["psnr_gray"] + 0.5, metrics
    saved = json.loads((tmp_path / "metrics.json").read_text())
    assert saved["step"] == cfg.max_steps and "psnr_gray" in saved

    from editor.engine.colorize_model import colorizer_from_files
    from editor.ml.archs.efficientnet_lite import EfficientNetLite0

    encoder = tmp_path / "lite0.safetensors"
    from safetensors.torch import save_file

    save_file(EfficientNetLite0().state_dict(), str(encoder))
    model = colorizer_from_files(tmp_path / "colorize.safetensors", encoder)
    assert model.module.decoder.bin_ab.shape[1] == 2


def test_warm_start_keeps_the_bins_and_weights_of_the_exported_decoder(tmp_path):
    from dataclasses import replace

    from safetensors.torch import load_file

    torch.set_num_threads(1)
    cfg = replace(train_colorizer.CONFIGS["tiny"], max_steps=3)
    train_colorizer.train(cfg, [], 0, tmp_path / "a", "cpu", seed=0)
    first = load_file(str(tmp_path / "a" / "colorize.safetensors"))
    train_colorizer.train(replace(cfg, max_steps=1, lr=0.0), [], 0, tmp_path / "b", "cpu",
                          seed=1, init=tmp_path / "a" / "colorize.safetensors")  # fmt: skip
    second = load_file(str(tmp_path / "b" / "colorize.safetensors"))
    assert torch.equal(first["bin_ab"], second["bin_ab"])
    # With a zero learning rate only batch-norm statistics move: the weights are the same.
    assert torch.equal(first["head.weight"], second["head.weight"])
