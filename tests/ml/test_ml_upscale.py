"""run_upscale on a tiny model: sizes, alpha handled separately, x2 from a x4 model, errors;
and the CLI's one-line failures."""

from __future__ import annotations

from types import MappingProxyType

import numpy as np
import pytest
import torch

from editor.engine.context import JobContext, JobError
from editor.engine.upscale import UpscaleRequest, run_upscale
from editor.ml.loading import ModelCache
from editor.ml.manager import ModelManager, save_weights
from editor.ml.registry import ModelSpec, Registry
from editor.ml.runtime import ModelRuntime


@pytest.fixture
def runtime(tmp_path, make_srvgg):
    from editor.ml.hashing import sha256_file

    project = tmp_path / "models"
    model = make_srvgg(seed=7)
    path = save_weights(model.state_dict(), project / "tiny.safetensors", {})
    spec = ModelSpec(
        name="tiny",
        task="upscale",
        title="Tiny",
        scale=4,
        arch="editor.ml.archs.srvgg:SRVGGNetCompact",
        arch_kwargs=MappingProxyType({"num_feat": 8, "num_conv": 3}),
        weight_file="tiny.safetensors",
        sha256=sha256_file(path),
    )
    missing = ModelSpec(**{**spec.__dict__, "name": "absent", "weight_file": "absent.st"})
    manager = ModelManager(Registry([spec, missing]), project_dir=project)
    return ModelRuntime(manager, ModelCache()), model


def _rgba(height: int, width: int) -> np.ndarray:
    rng = np.random.default_rng(0)
    image = rng.integers(0, 256, (height, width, 4), dtype=np.uint8)
    image[..., 3] = 255
    image[: height // 2, :, 3] = 0  # a transparent top half
    return image


def test_x4_rgb_through_model_alpha_resized(runtime):
    rt, model = runtime
    image = _rgba(20, 30)
    out = run_upscale(UpscaleRequest(image, 4, "tiny", tile=8), JobContext(), rt)
    assert out.shape == (80, 120, 4) and out.dtype == np.uint8
    x = torch.from_numpy(image[..., :3]).permute(2, 0, 1)[None].float() / 255
    with torch.inference_mode():
        expected = (model(x).clamp(0, 1)[0].permute(1, 2, 0) * 255).round().byte().numpy()
    assert np.abs(out[..., :3].astype(int) - expected).max() <= 1
    assert (out[:36, :, 3] == 0).all() and (out[44:, :, 3] == 255).all()


def test_x2_from_x4_model_and_request_is_a_snapshot(runtime):
    rt, _ = runtime
    image = _rgba(16, 12)
    request = UpscaleRequest(image, 2, "tiny")
    image[...] = 0  # later edits of the layer must not reach the job
    assert request.image.max() > 0 and not request.image.flags.writeable
    out = run_upscale(request, JobContext(), rt)
    assert out.shape == (32, 24, 4)


def test_missing_weights_become_a_job_error_with_instructions(runtime, monkeypatch):
    rt, _ = runtime
    with pytest.raises(JobError, match="retouch models fetch absent"):
        run_upscale(UpscaleRequest(_rgba(8, 8), 4, "absent"), JobContext(), rt)


def test_request_validation():
    with pytest.raises(ValueError, match="scale"):
        UpscaleRequest(_rgba(4, 4), 3)
    with pytest.raises(ValueError, match="RGBA"):
        UpscaleRequest(np.zeros((4, 4, 3), np.uint8))


def test_cli_fails_with_one_line(tmp_path, capsys):
    from editor.cli import main

    status = main(["upscale", str(tmp_path / "nope.png"), "-o", str(tmp_path / "out.png")])
    err = capsys.readouterr().err
    assert status == 1
    assert err.startswith("retouch upscale:") and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1
    assert main(["models", "list"]) == 0
    assert "realesrgan-x4plus" in capsys.readouterr().out


def test_cli_import_then_upscale(tmp_path, make_srvgg, capsys):
    """`models import` a params_ema .pth, then `upscale --model` it: a real file comes out."""
    from PIL import Image

    from editor.cli import main

    pth = tmp_path / "Tiny_x4.pth"
    torch.save({"params_ema": make_srvgg(seed=9).state_dict()}, pth)
    assert main(["models", "import", str(pth)]) == 0
    assert "user-tiny-x4" in capsys.readouterr().out
    source = tmp_path / "in.png"
    Image.fromarray(_rgba(10, 14)).save(source)
    out = tmp_path / "out.png"
    status = main(
        ["upscale", str(source), "-o", str(out), "--scale", "2", "--model", "user-tiny-x4"]
    )
    assert status == 0, capsys.readouterr().err
    with Image.open(out) as result:
        assert result.size == (28, 20) and result.mode == "RGBA"


def test_cli_subcommands_plug_into_an_argparse_parser():
    from editor.cli import build_parser

    parser = build_parser()
    args = parser.parse_args(["upscale", "a.png", "-o", "b.png", "--tile", "128"])
    assert (args.scale, args.tile, args.model) == (4, 128, "photo-fast")
    assert callable(args.handler)
    assert callable(parser.parse_args(["models", "fetch", "x"]).handler)


def test_the_shipped_photo_upscaler_beats_bicubic_on_a_reduced_picture(shipped_weights):
    """Photo (fast) through the engine (the shipped, pinned file): a picture with edges and
    texture, reduced ×4 as the SR benchmarks do, comes back closer to the original than
    bicubic brings it."""
    from PIL import Image

    from editor.ml.catalog_upscale import PHOTO_FAST
    from editor.training.train_upscale import bicubic_down, psnr_y

    shipped_weights(PHOTO_FAST)
    rng = np.random.default_rng(0)
    yy, xx = np.mgrid[0:192, 0:192]
    truth = np.zeros((192, 192, 3), np.uint8)
    truth[..., 0] = np.where(((xx // 24) + (yy // 24)) % 2 == 0, 200, 40)
    truth[..., 1] = np.clip(128 + 90 * np.sin((xx + yy) / 9.0), 0, 255)
    truth[..., 2] = np.where((xx - 96) ** 2 + (yy - 96) ** 2 < 60**2, 230, 20)
    truth = np.clip(truth + rng.normal(0, 3, truth.shape), 0, 255).astype(np.uint8)
    small = bicubic_down(truth)
    rgba = np.dstack([small, np.full(small.shape[:2], 255, np.uint8)])
    ours = run_upscale(UpscaleRequest(rgba, 4), JobContext(device="cpu"))[..., :3]
    cubic = np.asarray(Image.fromarray(small).resize((192, 192), Image.BICUBIC))
    assert psnr_y(ours, truth) > psnr_y(cubic, truth) + 0.5
