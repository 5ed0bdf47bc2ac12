"""editor.engine.inpaint_model with tiny random-weight models (each architecture) in temp files."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from editor.engine.context import JobContext, JobError  # noqa: E402
from editor.engine.inpaint_model import fill_with_model  # noqa: E402


@pytest.fixture(params=["pconv_unet", "fill_net"])
def tiny_model_file(tmp_path, request):
    """A tiny random-weight network of each architecture Erase can load."""
    from editor.ml.archs.fill_net import FillConfig
    from editor.ml.archs.pconv_unet import PConvConfig
    from editor.ml.inpaint_nets import build
    from editor.training.export import export_model

    torch.manual_seed(0)
    configs = {"pconv_unet": PConvConfig((8, 16, 16), first_kernel=3),
               "fill_net": FillConfig(8, 8, 16, (1, 2))}  # fmt: skip
    model = build(configs[request.param]).eval()
    return export_model(model, tmp_path / "tiny.safetensors", working_size=48)


def _crop(height, width):
    rng = np.random.default_rng(0)
    rgba = rng.integers(0, 256, (height, width, 4), dtype=np.uint8)
    rgba[..., 3] = 255
    mask = np.zeros((height, width), np.uint8)
    mask[height // 4 : height // 2, width // 3 : width // 2] = 255
    mask[:, :3] = 255  # touches the border
    return rgba, mask


@pytest.mark.parametrize("size", [(40, 30), (150, 210)])
def test_fill_keeps_known_pixels_and_fills_the_hole(tiny_model_file, size):
    rgba, mask = _crop(*size)
    ctx = JobContext()
    fill = fill_with_model(rgba, mask, ctx, model_path=tiny_model_file)
    assert fill.shape == rgba.shape and fill.dtype == np.uint8
    hole = mask > 0
    assert not np.array_equal(fill[hole], rgba[hole])
    assert (fill[..., 3] == 255).all()
    # Far from the hole the fill equals the input (upscaled pixels only near the hole).
    far = np.ones_like(hole)
    far[max(0, size[0] // 4 - 12) : size[0] // 2 + 12, :] = False
    far[:, : 3 + 12] = False
    assert np.array_equal(fill[far], rgba[far])


def test_missing_model_is_a_user_error(tmp_path):
    rgba, mask = _crop(32, 32)
    with pytest.raises(JobError):
        fill_with_model(rgba, mask, JobContext(), model_path=tmp_path / "absent.safetensors")


def test_cancel_is_honoured(tiny_model_file):
    from editor.engine.context import JobCancelled

    rgba, mask = _crop(32, 32)
    with pytest.raises(JobCancelled):
        fill_with_model(rgba, mask, JobContext(is_cancelled=lambda: True), tiny_model_file)


def test_the_shipped_model_is_a_catalog_spec_pinned_by_sha256(tmp_path, tiny_model_file):
    """Erase's model loads through the model manager: a file that is not the pinned one is
    refused with the message, the pinned spec is in the catalog."""
    from editor.engine.inpaint_model import MISSING_MESSAGE, MODEL_NAME
    from editor.ml.catalog_inpaint import INPAINT
    from editor.ml.manager import ModelManager
    from editor.ml.registry import Registry, default_registry

    assert default_registry().get(MODEL_NAME).sha256 == INPAINT.sha256
    (tmp_path / "models").mkdir()
    (tmp_path / "models" / INPAINT.weight_file).write_bytes(tiny_model_file.read_bytes())
    ctx = JobContext()
    ctx.models._manager = ModelManager(Registry([INPAINT]), tmp_path / "models",
                                       tmp_path / "cache")  # fmt: skip
    rgba, mask = _crop(40, 30)
    with pytest.raises(JobError, match="missing or damaged") as raised:
        fill_with_model(rgba, mask, ctx)
    assert str(raised.value) == MISSING_MESSAGE


def test_the_model_is_kept_in_the_jobs_model_cache(tiny_model_file):
    rgba, mask = _crop(40, 30)
    ctx = JobContext()
    fill_with_model(rgba, mask, ctx, model_path=tiny_model_file)
    assert len(ctx.runtime.cache.keys()) == 1
    fill_with_model(rgba, mask, ctx, model_path=tiny_model_file)
    assert len(ctx.runtime.cache.keys()) == 1


def test_the_shipped_model_continues_smooth_surroundings(shipped_weights):
    """The shipped weights (skipped when absent or not the pinned file): a hole in a smooth
    colour gradient is filled with the gradient, and known pixels come back unchanged."""
    from editor.ml.catalog_inpaint import INPAINT

    path = shipped_weights(INPAINT)
    yy, xx = np.mgrid[0:96, 0:128].astype(np.float32)
    rgb = np.dstack([60 + xx, 90 + yy, 200 - xx / 2]).astype(np.uint8)
    rgba = np.dstack([rgb, np.full((96, 128), 255, np.uint8)])
    mask = np.zeros((96, 128), np.uint8)
    mask[30:66, 40:90] = 255
    fill = fill_with_model(rgba, mask, JobContext(), model_path=path)
    hole = mask > 0
    error = np.abs(fill[..., :3].astype(np.float32) - rgba[..., :3])
    assert error[hole].mean() < 8.0  # of 255
    assert np.array_equal(fill[~hole], rgba[~hole])


def test_a_crop_above_the_working_size_takes_the_big_hole_path(tiny_model_file, monkeypatch):
    from editor.engine import big_hole

    calls = []
    monkeypatch.setattr(big_hole, "available", lambda: True)
    monkeypatch.setattr(big_hole, "fill_big_hole",
                        lambda rgb, hole, guide, ctx: calls.append(guide.shape) or rgb)  # fmt: skip
    fill_with_model(*_crop(150, 210), JobContext(), model_path=tiny_model_file)
    assert calls == [(150, 210, 3)]  # with the network's fill, upscaled to the crop
    fill_with_model(*_crop(40, 30), JobContext(), model_path=tiny_model_file)  # within 48 px
    assert calls == [(150, 210, 3)]


def test_without_patchmatch_a_big_hole_is_the_networks_guided_synthesis(tiny_model_file,
                                                                        monkeypatch):  # fmt: skip
    from editor.engine import big_hole

    def unavailable(*args):
        raise AssertionError("PatchMatch is not available")

    monkeypatch.setattr(big_hole, "available", lambda: False)
    monkeypatch.setattr(big_hole, "fill_big_hole", unavailable)
    rgba, mask = _crop(150, 210)
    fill = fill_with_model(rgba, mask, JobContext(), model_path=tiny_model_file)
    hole = mask > 0
    assert not np.array_equal(fill[hole], rgba[hole])
    assert np.array_equal(fill[~hole], rgba[~hole])
