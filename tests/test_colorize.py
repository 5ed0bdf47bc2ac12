"""Colorize: Lab maths, the chroma merge keeps lightness, hints, mask, alpha, missing weights."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from editor.engine.colorize import ColorizeRequest, merge_chroma, run_colorize  # noqa: E402
from editor.engine.context import JobCancelled, JobContext, JobError  # noqa: E402
from editor.engine.pix2pix_model import Generator  # noqa: E402
from editor.ml.archs.pix2pix import UNetConfig, UNetGenerator  # noqa: E402
from editor.training.color import lab_to_rgb, rgb_to_lab  # noqa: E402


def _lightness(rgba: np.ndarray) -> np.ndarray:
    tensor = torch.from_numpy(rgba[..., :3].copy()).permute(2, 0, 1)[None].float() / 255
    return rgb_to_lab(tensor)[0, 0].numpy()


@pytest.fixture
def tiny_model() -> Generator:
    torch.manual_seed(0)
    return Generator(UNetGenerator(UNetConfig(4, 2, stem=8, widths=(8, 8))).eval(), 32, "cpu")


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
    from editor.engine.pix2pix_model import load_generator
    from editor.ml.catalog_pix2pix import PIX2PIX_SPECS
    from editor.ml.manager import ModelManager
    from editor.ml.registry import Registry

    manager = ModelManager(Registry(PIX2PIX_SPECS), tmp_path / "models", tmp_path / "cache")
    with pytest.raises(JobError, match="python -m editor.training colorize"):
        load_generator("colorize", manager)
    (tmp_path / "models").mkdir()
    (tmp_path / "models" / "colorize.safetensors").write_bytes(b"not the pinned file")
    with pytest.raises(JobError, match="sha256"):
        load_generator("colorize", manager)


def test_cli_reports_missing_weights_in_one_line(tmp_path, gray, monkeypatch, capsys):
    from PIL import Image

    from editor import cli_filters
    from editor.engine import pix2pix_model
    from editor.ml.catalog_pix2pix import PIX2PIX_SPECS
    from editor.ml.manager import ModelManager
    from editor.ml.registry import Registry

    empty = ModelManager(Registry(PIX2PIX_SPECS), tmp_path / "none", tmp_path / "cache")
    monkeypatch.setattr(pix2pix_model, "_manager", lambda name: empty)
    Image.fromarray(gray).save(tmp_path / "in.png")
    code = cli_filters.main(["colorize", str(tmp_path / "in.png"), "-o", str(tmp_path / "o.png")])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 1 and err[-1].startswith("retouch colorize: The colorize model")


def test_cli_hint_parsing():
    import argparse

    from editor.cli_filters import parse_hint

    assert parse_hint("3,4,#ff8000") == (3, 4, (255, 128, 0))
    assert parse_hint("3,4,1,2,3") == (3, 4, (1, 2, 3))
    with pytest.raises(argparse.ArgumentTypeError):
        parse_hint("3,4,red")


def test_shipped_model_colorizes_a_gray_photo(gray):
    from editor.engine.pix2pix_model import load_generator

    if not _shipped("colorize"):
        pytest.skip("models/colorize.safetensors is not present or not pinned yet")
    model = load_generator("colorize")
    out = run_colorize(ColorizeRequest(gray), JobContext(), model).pixels
    rgb = out[..., :3].astype(int)
    assert np.abs(rgb[..., 0] - rgb[..., 2]).mean() > 2  # it added some colour


def _shipped(name: str) -> bool:
    from editor.engine.pix2pix_model import _manager

    return _manager(name).is_available(name)
