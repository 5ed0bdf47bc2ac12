"""The tiny pix2pix configs train in seconds on the CPU, their L1 loss goes down, and the
exported fp16 safetensors loads back into the generator (colorize and sketch → photo)."""

from __future__ import annotations

import json

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from editor.ml.archs.pix2pix import UNetGenerator  # noqa: E402
from editor.training import train_colorize, train_sketch  # noqa: E402
from editor.training.pix2pix_train import train, with_overrides  # noqa: E402

TASKS = [
    (train_colorize.CONFIGS, train_colorize.ColorizeTask(), "colorize"),
    (train_sketch.CONFIGS, train_sketch.SketchTask(), "sketch2photo"),
]


@pytest.mark.parametrize(("configs", "task", "name"), TASKS, ids=["colorize", "sketch"])
def test_tiny_training_loss_goes_down_and_exports(tmp_path, configs, task, name):
    torch.set_num_threads(1)
    cfg = configs["tiny"]
    metrics = train(cfg, task, [], 0, tmp_path, seed=0)
    assert np.mean(metrics["last_losses"]) < 0.9 * np.mean(metrics["first_losses"]), metrics
    weights = tmp_path / f"{name}.safetensors"
    saved = json.loads((tmp_path / "metrics.json").read_text())
    assert saved["steps"] == cfg.max_steps and saved["weights"] == weights.name

    from safetensors import safe_open

    with safe_open(str(weights), framework="pt") as handle:
        meta = handle.metadata()
        state = {k: handle.get_tensor(k) for k in handle.keys()}  # noqa: SIM118
    assert meta["arch"] == task.arch and meta["working_size"] == str(cfg.working_size)
    assert all(t.dtype == torch.float16 for t in state.values())
    model = UNetGenerator(cfg.gen)
    model.load_state_dict(state)  # strict: same keys and shapes


def test_training_is_reproducible(tmp_path):
    cfg = with_overrides(train_sketch.CONFIGS["tiny"], max_steps=4)
    task = train_sketch.SketchTask()
    first = train(cfg, task, [], 0, tmp_path / "a", seed=3)
    second = train(cfg, task, [], 0, tmp_path / "b", seed=3)
    assert first["last_losses"] == second["last_losses"]
    from safetensors.torch import load_file

    name = "sketch2photo.safetensors"
    a, b = load_file(str(tmp_path / "a" / name)), load_file(str(tmp_path / "b" / name))
    assert a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)


def test_colorize_holdout_reports_baseline_and_colourfulness(tmp_path):
    cfg = with_overrides(train_colorize.CONFIGS["tiny"], max_steps=2)
    metrics = train(cfg, train_colorize.ColorizeTask(), [], 0, tmp_path, seed=0)
    held = metrics["holdout"]
    assert set(held) == {"model", "gray", "hinted5", "colourfulness"}
    assert held["colourfulness"]["truth"] > 0


def test_hints_reveal_true_colours_at_their_mask():
    rng = np.random.default_rng(0)
    ab = torch.randn(16, 2, 32, 32) * 30
    hint, mask = train_colorize.random_hints(ab, rng)
    assert 0 < int((mask.flatten(1).sum(1) > 0).sum()) < 16  # some samples get none
    inside = mask.expand_as(hint) > 0
    assert torch.all(hint[~inside] == 0)
    # A revealed value is the mean of its patch, so it lies within the patch's range.
    assert float(hint[inside].abs().max()) <= float(ab.abs().max())


def test_colour_photo_filter_drops_gray_stored_as_rgb():
    from editor.training.color import colour_photos

    colour = torch.zeros(1, 8, 8, 3, dtype=torch.uint8)
    colour[..., 0] = 200
    gray = torch.full((1, 8, 8, 3), 120, dtype=torch.uint8)
    kept = colour_photos(torch.cat([colour, gray, colour]))
    assert kept.shape[0] == 2 and int(kept[..., 0].min()) == 200
