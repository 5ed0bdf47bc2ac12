"""The sketcher's pieces: subjects from file names, hand-style drawings, colour scribbles (user
layer → hint channels, and training's sampled strokes), and a tiny run whose loss goes down and
whose exported decoder loads back."""

from __future__ import annotations

import json

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from editor.ml.archs.sketcher import decoder_for  # noqa: E402
from editor.ml.scribbles import scribble_channels, split_sketch  # noqa: E402
from editor.training import train_sketcher  # noqa: E402
from editor.training.edges import contour_lines, sketch_from_photo  # noqa: E402


def test_subjects_follow_the_file_names():
    assert train_sketcher.subject_of("animals_petimages_00012.jpg") == "animals"
    assert train_sketcher.subject_of("people_lfw_00003.jpg") == "people"
    assert train_sketcher.subject_of("glacier_4887.jpg") == "landscapes"
    assert train_sketcher.subject_of("scenes_houses_00001.jpg") == "landscapes"
    assert train_sketcher.subject_of("objects_clothing_00001.jpg") is None


def _disc_photo(size: int = 64) -> np.ndarray:
    yy, xx = np.mgrid[0:size, 0:size]
    photo = np.full((size, size, 3), 200, np.uint8)
    photo[(yy - size // 2) ** 2 + (xx - size // 2) ** 2 < (size // 4) ** 2] = (40, 60, 160)
    return photo


def test_hand_style_drawings_outline_the_shapes():
    photo = _disc_photo()
    rng = np.random.default_rng(0)
    ink = contour_lines(photo[..., 0], rng)
    assert ink.any() and ink.mean() < 0.3
    sketch = sketch_from_photo(photo, rng, hand=True)
    assert sketch.dtype == np.float32 and set(np.unique(sketch)) <= {0.0, 1.0}
    assert (sketch == 0).any()


def test_coloured_strokes_are_scribbles_and_black_strokes_lines():
    layer = np.zeros((32, 32, 4), np.uint8)  # transparent paper
    layer[4, :] = (0, 0, 0, 255)  # a black line
    layer[20:24, 8:16] = (230, 40, 30, 255)  # a red scribble
    lines, colours, coverage = split_sketch(layer)
    assert lines[4].max() == 0.0 and lines[10].min() == 1.0
    assert lines[20:24, 8:16].min() == 1.0  # a scribble is not a line
    assert coverage[20:24, 8:16].min() == 1.0 and coverage[4].max() == 0.0
    hints = scribble_channels(
        torch.from_numpy(colours).permute(2, 0, 1)[None],
        torch.from_numpy(coverage)[None, None],
        (8, 8),
    )
    mask = hints[0, 3]
    assert mask[5, 2:4].tolist() == [1.0, 1.0] and float(mask.sum()) == 2.0
    assert torch.allclose(hints[0, :3, 5, 2], torch.tensor([230, 40, 30]) / 255.0)


def test_sampled_scribbles_carry_the_photos_colour_under_them():
    cfg = train_sketcher.CONFIGS["cpu"]
    rgb = torch.zeros(32, 3, 32, 32)
    rgb[:, 2] = 1.0  # all blue
    hints = train_sketcher.sample_scribbles(rgb, cfg, np.random.default_rng(0))
    mask = hints[:, 3:]
    per_sample = mask.flatten(1).sum(1)
    assert 0 < int((per_sample > 0).sum()) < 32  # some samples get none
    assert torch.allclose(hints[:, :3], torch.tensor([0.0, 0.0, 1.0]).view(1, 3, 1, 1) * mask)


@pytest.mark.parametrize("config", ["tiny", "tiny-tuned"])
def test_tiny_training_loss_goes_down_and_exports(tmp_path, config):
    torch.set_num_threads(1)
    cfg = train_sketcher.CONFIGS[config]
    metrics = train_sketcher.train(cfg, "animals", [], 0, tmp_path, "cpu", seed=0)
    assert metrics["last_loss"] < metrics["first_loss"]
    summary = json.loads((tmp_path / "metrics-animals.json").read_text())
    assert summary["step"] == cfg.max_steps and summary["subject"] == "animals"
    from safetensors.torch import load_file

    state = {
        k: v.float() for k, v in load_file(str(tmp_path / "sketch-animals.safetensors")).items()
    }
    decoder = decoder_for(state)
    assert (decoder.tail is not None) == cfg.tune_encoder
    missing, unexpected = decoder.load_state_dict(state, strict=False)
    assert not unexpected and all(k.endswith("num_batches_tracked") for k in missing)


def test_a_tuned_decoder_carries_its_own_deep_blocks_into_the_engine(tmp_path, monkeypatch):
    """The tuned blocks are trained (not the encoder's), saved, and used at inference in place of
    the shared encoder's, which reads only up to its stride-8 output."""
    from editor.engine.sketch_model import sketcher_module
    from editor.ml.archs.efficientnet_lite import EfficientNetLite0

    torch.set_num_threads(1)
    torch.manual_seed(0)
    encoder = EfficientNetLite0()  # random weights standing in for ImageNet's (no download)
    torch.save(encoder.state_dict(), tmp_path / "lite0.pth")
    frozen = EfficientNetLite0()
    frozen.load_state_dict(encoder.state_dict())
    from editor.training import train_colorizer

    monkeypatch.setattr(train_colorizer, "frozen_encoder",
                        lambda *_: frozen.requires_grad_(False).eval())  # fmt: skip
    cfg = train_sketcher.CONFIGS["tiny-tuned"]
    train_sketcher.train(cfg, "people", [], 0, tmp_path, "cpu", seed=0)
    module = sketcher_module(tmp_path / "sketch-people.safetensors", tmp_path / "lite0.pth",
                             "cpu")  # fmt: skip
    tail = module.decoder.tail
    assert tail is not None and module.decoder.encoder_blocks == (2, 4)
    tuned = tail.blocks[0].state_dict()
    shared = encoder._blocks[tail.start].state_dict()
    assert any(not torch.equal(tuned[k], shared[k].half().float()) for k in tuned)
    sketch = torch.ones(1, 1, 64, 64)
    sketch[..., 20:22, :] = 0.0
    photo = module(sketch, torch.zeros(1, 4, 16, 16))
    assert photo.shape == (1, 3, 64, 64) and torch.isfinite(photo).all()
