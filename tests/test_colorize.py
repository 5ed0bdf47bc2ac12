"""Colorize: Lab maths, the chroma merge keeps lightness, hints, mask, alpha, missing weights."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from editor.engine.colorize import (  # noqa: E402
    ColorizeRequest,
    ColorSuggestRequest,
    merge_chroma,
    run_color_suggestions,
    run_colorize,
)
from editor.engine.colorize_model import ColorizeModel  # noqa: E402
from editor.engine.context import JobCancelled, JobContext, JobError  # noqa: E402
from editor.ml.color import lab_to_rgb, rgb_to_lab  # noqa: E402


def _lightness(rgba: np.ndarray) -> np.ndarray:
    tensor = torch.from_numpy(rgba[..., :3].copy()).permute(2, 0, 1)[None].float() / 255
    return rgb_to_lab(tensor)[0, 0].numpy()


@pytest.fixture
def tiny_model(random_colorizer) -> ColorizeModel:
    return random_colorizer


@pytest.fixture
def gray(photo) -> np.ndarray:
    out = photo.copy()
    luma = photo[..., :3].mean(axis=2).astype(np.uint8)
    out[..., :3] = luma[..., None]
    out[..., 3] = np.linspace(0, 255, photo.shape[1]).astype(np.uint8)[None, :]
    return out


def test_lab_round_trip_and_agrees_with_opencv():
    import cv2

    rgb = np.random.default_rng(1).integers(0, 256, (16, 16, 3), dtype=np.uint8)
    tensor = torch.from_numpy(rgb).permute(2, 0, 1)[None].float() / 255
    lab = rgb_to_lab(tensor)
    assert float((lab_to_rgb(lab) - tensor).abs().max()) < 1e-4
    reference = cv2.cvtColor(rgb.astype(np.float32) / 255, cv2.COLOR_RGB2Lab)
    assert np.abs(lab[0].permute(1, 2, 0).numpy() - reference).max() < 0.5


@pytest.mark.parametrize("strength", [1.0, 0.6])
def test_merge_chroma_keeps_the_input_lightness(gray, strength):
    rng = np.random.default_rng(2)
    # Strong, partly out-of-gamut chroma at a quarter of the size.
    ab_small = rng.uniform(-90, 90, (30, 40, 2)).astype(np.float32)
    out = merge_chroma(gray, ab_small, strength)
    assert out.shape == gray.shape and out.dtype == np.uint8
    assert np.array_equal(out[..., 3], gray[..., 3])
    # Exact up to uint8 rounding of the result (one RGB step moves L* by < 0.5).
    assert np.abs(_lightness(out) - _lightness(gray)).max() < 0.5
    spread = np.abs(out[..., 0].astype(int) - out[..., 1]).mean()
    assert spread > 5  # colour was added


def test_merge_chroma_strength_zero_is_an_exact_copy(photo):
    ab_small = np.full((8, 8, 2), 40.0, np.float32)
    assert np.array_equal(merge_chroma(photo, ab_small, 0.0), photo)


def test_merge_chroma_with_zero_chroma_gives_gray(photo):
    out = merge_chroma(photo, np.zeros((4, 4, 2), np.float32), 1.0)
    rgb = out[..., :3].astype(int)
    assert np.abs(rgb[..., 0] - rgb[..., 1]).max() <= 1
    assert np.abs(_lightness(out) - _lightness(photo)).max() < 0.5


def test_run_colorize_size_alpha_and_lightness(gray, tiny_model):
    result = run_colorize(ColorizeRequest(gray), JobContext(), tiny_model)
    assert result.pixels.shape == gray.shape
    assert (result.rect.w, result.rect.h) == (gray.shape[1], gray.shape[0])
    assert np.array_equal(result.pixels[..., 3], gray[..., 3])
    assert np.abs(_lightness(result.pixels) - _lightness(gray)).max() < 0.5


def test_hints_change_the_prediction(gray, tiny_model):
    plain = run_colorize(ColorizeRequest(gray), JobContext(), tiny_model).pixels
    hints = ((20, 30, (255, 0, 0)), (140, 100, (0, 0, 255)))
    hinted = run_colorize(ColorizeRequest(gray, hints=hints), JobContext(), tiny_model).pixels
    assert not np.array_equal(plain, hinted)


def test_outside_the_mask_is_unchanged(gray, tiny_model):
    mask = np.zeros(gray.shape[:2], np.uint8)
    mask[20:60, 30:90] = 255
    out = run_colorize(ColorizeRequest(gray, mask=mask), JobContext(), tiny_model).pixels
    assert np.array_equal(out[mask == 0], gray[mask == 0])
    assert not np.array_equal(out[mask == 255], gray[mask == 255])


def test_request_is_a_snapshot_and_validates(gray):
    request = ColorizeRequest(gray)
    gray[...] = 0
    assert request.image.max() > 0 and not request.image.flags.writeable
    with pytest.raises(ValueError, match="strength"):
        ColorizeRequest(gray, strength=1.5)
    with pytest.raises(ValueError, match="outside"):
        ColorizeRequest(gray, hints=((500, 5, (1, 2, 3)),))


def test_cancel_stops_the_job(gray, tiny_model):
    ctx = JobContext(is_cancelled=lambda: True)
    with pytest.raises(JobCancelled):
        run_colorize(ColorizeRequest(gray), ctx, tiny_model)


def test_missing_or_damaged_weights_say_how_to_get_them(tmp_path):
    from editor.engine.colorize_model import load_colorizer
    from editor.ml.catalog_colorize import COLORIZE
    from editor.ml.manager import ModelManager
    from editor.ml.registry import Registry

    manager = ModelManager(Registry([COLORIZE]), tmp_path / "models", tmp_path / "cache")
    with pytest.raises(JobError, match="python -m editor.training colorize"):
        load_colorizer(manager=manager)
    (tmp_path / "models").mkdir()
    (tmp_path / "models" / "colorize.safetensors").write_bytes(b"not the pinned file")
    with pytest.raises(JobError, match="sha256"):
        load_colorizer(manager=manager)


def test_cli_reports_missing_weights_in_one_line(tmp_path, gray, monkeypatch, capsys):
    from PIL import Image

    from editor import cli
    from editor.ml import manager
    from editor.ml.catalog_colorize import COLORIZE
    from editor.ml.registry import Registry

    empty = manager.ModelManager(Registry([COLORIZE]), tmp_path / "none", tmp_path / "cache")
    monkeypatch.setattr(manager, "ModelManager", lambda: empty)  # the command's job's manager
    Image.fromarray(gray).save(tmp_path / "in.png")
    code = cli.main(["colorize", str(tmp_path / "in.png"), "-o", str(tmp_path / "o.png")])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 1 and err[-1].startswith("retouch colorize: The colorize model")


def test_cli_hint_parsing():
    import argparse

    from editor.ops.colorize import parse_hint

    assert parse_hint("3,4,#ff8000") == (3, 4, (255, 128, 0))
    assert parse_hint("3,4,1,2,3") == (3, 4, (1, 2, 3))
    with pytest.raises(argparse.ArgumentTypeError):
        parse_hint("3,4,red")


def test_suggestions_follow_the_model_distribution(gray, tiny_model):
    """With a head that prefers bins 7 > 3 > 11 everywhere, those come first, in that order."""
    head = tiny_model.module.decoder.head
    head.weight.zero_()
    head.bias.fill_(-10.0)
    for rank, index in enumerate((7, 3, 11)):
        head.bias[index] = 5.0 - rank
    found = run_color_suggestions(ColorSuggestRequest(gray, 40, 30), JobContext(), tiny_model)
    probabilities = [p for _, p in found]
    assert len(found) == 6 and probabilities == sorted(probabilities, reverse=True)
    centres = tiny_model.module.decoder.bin_ab
    for (rgb, _), index in zip(found, (7, 3, 11), strict=False):
        lab = rgb_to_lab(torch.tensor(rgb, dtype=torch.float32).view(1, 3, 1, 1) / 255)[0, 1:, 0, 0]
        expected = centres[index]
        # Same hue as the bin (chroma may be shortened to stay in gamut).
        cosine = float(torch.dot(lab, expected) / (lab.norm() * expected.norm() + 1e-6))
        assert cosine > 0.95, (rgb, expected)


def test_vibrance_is_validated_and_reaches_the_decoding(gray, tiny_model):
    with pytest.raises(ValueError, match="vibrance"):
        ColorizeRequest(gray, vibrance=1.5)
    muted = run_colorize(ColorizeRequest(gray, vibrance=0.0), JobContext(), tiny_model).pixels
    vivid = run_colorize(ColorizeRequest(gray, vibrance=1.0), JobContext(), tiny_model).pixels
    assert not np.array_equal(muted, vivid)


def _sky_and_grass() -> np.ndarray:
    """A gray 'landscape': bright smooth top half, darker textured bottom half."""
    rng = np.random.default_rng(3)
    image = np.zeros((128, 192, 4), np.uint8)
    image[..., 3] = 255
    ys = np.arange(128)[:, None]
    top = 200 - ys[:64] // 4
    image[:64, :, :3] = np.broadcast_to(top, (64, 192))[..., None]
    image[64:, :, :3] = (90 + rng.integers(-25, 25, (64, 192)))[..., None]
    return image


def _colourfulness(rgba: np.ndarray) -> float:
    from editor.ml.image_metrics import colourfulness

    return colourfulness(rgba[..., :3])


def test_shipped_model_vibrance_raises_colourfulness_monotonically(shipped_colorizer):
    model = shipped_colorizer
    image = _sky_and_grass()
    values = [_colourfulness(run_colorize(ColorizeRequest(image, vibrance=v), JobContext(),
                                          model).pixels) for v in (0.0, 0.4, 0.7, 1.0)]  # fmt: skip
    assert values == sorted(values) and values[-1] > values[0] + 3, values


def test_shipped_model_hint_colours_its_region(shipped_colorizer):
    model = shipped_colorizer
    image = _sky_and_grass()
    blue, red = (40, 90, 220), (220, 40, 40)
    results = {}
    for name, colour in (("blue", blue), ("red", red)):
        hints = ((96, 20, colour),)
        out = run_colorize(ColorizeRequest(image, hints=hints), JobContext(), model).pixels
        results[name] = rgb_to_lab(torch.from_numpy(out[:64, :, :3].copy()).permute(2, 0, 1)[None]
                                   .float() / 255)[0, 1:].mean(dim=(1, 2))  # fmt: skip
    # The whole sky (not just the hinted cell) turns toward the hint's colour: b* lower with a
    # blue hint, a* higher with a red one.
    assert float(results["blue"][1]) < float(results["red"][1]) - 10
    assert float(results["red"][0]) > float(results["blue"][0]) + 10


def test_a_hint_spreads_over_its_region_and_stops_at_edges():
    from editor.ml.colorization import hint_channels, spread_hints

    light = torch.full((1, 1, 16, 16), 30.0)
    light[..., 8:] = 80.0  # a strong lightness edge down the middle
    ab = torch.zeros(1, 2, 16, 16)
    mask = torch.zeros(1, 1, 16, 16)
    mask[..., 4, 2] = 1.0
    blue = torch.zeros(1, 2, 16, 16)
    blue[:, 1] = -40.0
    out = spread_hints(ab, light, hint_channels(blue, mask))
    assert float(out[0, 1, 4, 2]) == pytest.approx(-40.0)  # the hint cell gets its colour
    assert float(out[0, 1, 12, 6]) < -15.0  # far away in the same region: still bluish
    assert abs(float(out[0, 1, 4, 9])) < 2.0  # just across the edge: untouched
    assert torch.equal(spread_hints(ab, light, hint_channels(blue, torch.zeros_like(mask))), ab)
