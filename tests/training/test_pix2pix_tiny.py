"""The tiny pix2pix config trains in seconds on the CPU, its L1 loss goes down, and the
exported fp16 safetensors loads back into the generator (sketch → photo)."""

from __future__ import annotations

import json

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from editor.ml.archs.pix2pix import UNetGenerator  # noqa: E402
from editor.training import train_sketch  # noqa: E402
from editor.training.pix2pix_train import train, with_overrides  # noqa: E402


def test_tiny_training_loss_goes_down_and_exports(tmp_path):
    torch.set_num_threads(1)
    cfg, task, name = train_sketch.CONFIGS["tiny"], train_sketch.SketchTask(), "sketch2photo"
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


def test_colour_photo_filter_drops_gray_stored_as_rgb():
    from editor.ml.color import colour_photos

    colour = torch.zeros(1, 8, 8, 3, dtype=torch.uint8)
    colour[..., 0] = 200
    gray = torch.full((1, 8, 8, 3), 120, dtype=torch.uint8)
    kept = colour_photos(torch.cat([colour, gray, colour]))
    assert kept.shape[0] == 2 and int(kept[..., 0].min()) == 200
