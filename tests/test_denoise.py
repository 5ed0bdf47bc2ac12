"""Denoise: the architecture, the degradations, the engine job and the CLI (tiny random models;
the shipped weights only in the last test, skipped when absent)."""

from __future__ import annotations

import argparse
import dataclasses
import math
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from editor.engine.context import JobCancelled, JobContext, JobError  # noqa: E402
from editor.engine.denoise import DenoiseRequest, run_denoise  # noqa: E402
from editor.ml.archs.denoiser import Denoiser, DenoiserConfig, FixedSigma  # noqa: E402
from editor.ml.catalog_denoise import DENOISE  # noqa: E402
from editor.training import degrade  # noqa: E402


def _random_model(seed: int = 0, channels: int = 8, blocks: int = 1) -> Denoiser:
    torch.manual_seed(seed)
    model = Denoiser(DenoiserConfig(channels=channels, blocks=blocks))
    with torch.no_grad():
        torch.nn.init.normal_(model.tail.weight, std=0.05)  # not the identity start
    return model.eval()


def _runtime(tmp_path: Path, model: Denoiser):
    """A ModelRuntime whose 'denoise' spec points at `model` saved in a tmp models/ folder."""
    from editor.ml.hashing import sha256_file
    from editor.ml.manager import ModelManager
    from editor.ml.registry import Registry
    from editor.ml.runtime import ModelRuntime
    from editor.training.train_denoise import export_weights

    folder = tmp_path / "models"
    path = export_weights(model, folder / DENOISE.weight_file)
    cfg = model.config
    kwargs = {"channels": cfg.channels, "blocks": cfg.blocks}
    spec = dataclasses.replace(DENOISE, sha256=sha256_file(path), arch_kwargs=kwargs)
    manager = ModelManager(Registry([spec]), project_dir=folder, cache_dir=tmp_path / "cache")
    return ModelRuntime(manager)


def _noisy_rgba(height: int, width: int, sigma: float = 20.0, seed: int = 3) -> np.ndarray:
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:height, 0:width].astype(np.float32)
    clean = np.stack([120 + 60 * np.sin(xx / 17), 100 + 0.3 * yy, 90 + 50 * np.cos(yy / 23)], -1)
    noisy = np.clip(clean + rng.normal(0, sigma, clean.shape) + 0.5, 0, 255).astype(np.uint8)
    alpha = rng.integers(0, 256, (height, width), dtype=np.uint8)
    return np.dstack([noisy, alpha])


# ---- architecture --------------------------------------------------------------------------


@pytest.mark.parametrize("size", [(1, 1), (7, 9), (16, 10), (33, 64)])
def test_output_has_the_input_size_and_starts_as_identity(size):
    x = torch.rand(2, 3, *size)
    model = Denoiser(DenoiserConfig(channels=8, blocks=1)).eval()
    with torch.no_grad():
        out = model(x, 25 / 255)
    assert out.shape == x.shape
    assert torch.equal(out, x)  # zero-initialised tail: an untrained model changes nothing


def test_noise_level_input_forms_agree_and_matter():
    model = _random_model()
    x = torch.rand(2, 3, 12, 14)
    with torch.no_grad():
        scalar = model(x, 0.1)
        per_sample = model(x, torch.tensor([0.1, 0.1]))
        full_map = model(x, torch.full((2, 1, 12, 14), 0.1))
        other = model(x, 0.3)
    torch.testing.assert_close(scalar, per_sample)
    torch.testing.assert_close(scalar, full_map)
    assert (scalar - other).abs().max() > 1e-4  # the network sees the noise level


def test_fixed_sigma_binds_the_noise_level():
    model = _random_model()
    x = torch.rand(1, 3, 10, 10)
    with torch.no_grad():
        torch.testing.assert_close(FixedSigma(model, 0.2)(x), model(x, 0.2))


def test_catalog_spec_builds_the_configured_shape():
    model = DENOISE.build()
    assert isinstance(model, Denoiser)
    assert model.config == DenoiserConfig(**dict(DENOISE.arch_kwargs))
    assert DENOISE.task == "denoise" and DENOISE.scale == 1


# ---- degradations --------------------------------------------------------------------------


def test_gaussian_noise_has_the_stated_sigma():
    clean = torch.full((2, 3, 64, 64), 0.5)
    gen = torch.Generator().manual_seed(0)
    noisy, sigma = degrade.add_gaussian(clean, torch.tensor([10.0, 40.0]), gen)
    measured = (noisy - clean).std(dim=(1, 2, 3)) * 255
    torch.testing.assert_close(sigma * 255, torch.tensor([10.0, 40.0]))
    assert torch.allclose(measured, torch.tensor([10.0, 40.0]), rtol=0.05)


def test_poisson_gaussian_sigma_is_the_rms_deviation():
    gen = torch.Generator().manual_seed(1)
    clean = torch.rand(1, 3, 96, 96, generator=gen) * 0.6 + 0.2  # away from clipping
    noisy, sigma = degrade.add_poisson_gaussian(clean, torch.tensor([0.004]), torch.tensor([5.0]),
                                                gen)  # fmt: skip
    rms = float((noisy - clean).pow(2).mean().sqrt())
    assert rms == pytest.approx(float(sigma[0]), rel=0.05)
    bright = (noisy - clean)[clean > 0.7].std()
    dark = (noisy - clean)[clean < 0.3].std()
    assert bright > 1.3 * dark  # shot noise grows with the signal


def test_jpeg_sigma_is_the_measured_error():
    gen = torch.Generator().manual_seed(2)
    clean = degrade.quantise(torch.rand(1, 3, 32, 32, generator=gen))
    noisy, sigma = degrade.add_jpeg(clean, torch.tensor([0.0]), [20], gen)
    assert float(sigma[0]) == pytest.approx(float((noisy - clean).pow(2).mean().sqrt()))
    assert float(sigma[0]) > 0.01  # quality 20 visibly changes random pixels


def test_degrade_batch_is_seeded_and_bounded():
    clean = torch.rand(16, 3, 24, 24, generator=torch.Generator().manual_seed(3))
    cfg = degrade.DegradeConfig(p_poisson=0.3, p_jpeg=0.3)
    a = degrade.degrade_batch(clean, torch.Generator().manual_seed(9), cfg)
    b = degrade.degrade_batch(clean, torch.Generator().manual_seed(9), cfg)
    torch.testing.assert_close(a[0], b[0])
    torch.testing.assert_close(a[1], b[1])
    assert a[0].shape == clean.shape and a[1].shape == (16,)
    assert float(a[1].max()) <= 75 / 255 + 1e-6 and float(a[1].min()) >= 0


# ---- engine --------------------------------------------------------------------------------


def test_request_validates_and_snapshots():
    image = _noisy_rgba(8, 8)
    request = DenoiseRequest(image=image, strength=10)
    image[0, 0] = 0
    assert request.image[0, 0, 3] != 0 or request.image[0, 0, 0] != 0
    assert not request.image.flags.writeable
    with pytest.raises(ValueError, match="strength"):
        DenoiseRequest(image=image, strength=80)
    with pytest.raises(ValueError, match="mask"):
        DenoiseRequest(image=image, mask=np.zeros((4, 4), np.uint8))


def test_denoise_keeps_size_and_alpha_and_changes_rgb(tmp_path):
    image = _noisy_rgba(37, 50)
    out = run_denoise(DenoiseRequest(image=image, strength=30), JobContext(),
                      _runtime(tmp_path, _random_model()))  # fmt: skip
    assert out.shape == image.shape and out.dtype == np.uint8
    np.testing.assert_array_equal(out[..., 3], image[..., 3])
    assert np.abs(out[..., :3].astype(int) - image[..., :3]).mean() > 0.5


def test_strength_zero_returns_the_image_unchanged(tmp_path):
    image = _noisy_rgba(20, 20)
    out = run_denoise(DenoiseRequest(image=image, strength=0), JobContext(),
                      _runtime(tmp_path, _random_model()))  # fmt: skip
    np.testing.assert_array_equal(out, image)


@pytest.mark.parametrize("size, tile", [((96, 128), 32), ((90, 130), 40), ((51, 77), 24)])
def test_tiles_blend_to_the_single_pass_result(tmp_path, size, tile):
    """Even tile offsets and an overlap covering the receptive field: no seams, only rounding
    differs. Where a size does not split evenly the image is padded on the right / bottom, so
    the last `receptive_radius` pixels there may differ from the unpadded pass."""
    model = _random_model(channels=8, blocks=2)
    runtime = _runtime(tmp_path, model)
    image = _noisy_rgba(*size)
    whole = run_denoise(DenoiseRequest(image=image, strength=25, tile=512), JobContext(), runtime)
    tiled = run_denoise(DenoiseRequest(image=image, strength=25, tile=tile), JobContext(), runtime)
    r = model.receptive_radius
    inner = (slice(0, size[0] - r), slice(0, size[1] - r))
    assert np.abs(whole[inner].astype(int) - tiled[inner]).max() <= 1
    if size == (96, 128):  # splits evenly: no padding, equal everywhere
        assert np.abs(whole.astype(int) - tiled).max() <= 1


def test_mask_limits_the_change_to_its_feathered_neighbourhood(tmp_path):
    image = _noisy_rgba(80, 80)
    mask = np.zeros((80, 80), np.uint8)
    mask[30:50, 20:40] = 255
    request = DenoiseRequest(image=image, strength=30, mask=mask, feather=4)
    out = run_denoise(request, JobContext(), _runtime(tmp_path, _random_model()))
    changed = np.any(out != image, axis=2)
    assert changed[30:50, 20:40].mean() > 0.5
    far = np.ones((80, 80), bool)
    far[30 - 6 : 50 + 6, 20 - 6 : 40 + 6] = False  # hole + feather (+1 px of rounding)
    assert not changed[far].any()
    np.testing.assert_array_equal(out[..., 3], image[..., 3])


def test_empty_mask_is_a_user_error(tmp_path):
    image = _noisy_rgba(16, 16)
    request = DenoiseRequest(image=image, strength=10, mask=np.zeros((16, 16), np.uint8))
    with pytest.raises(JobError, match="empty"):
        run_denoise(request, JobContext(), _runtime(tmp_path, _random_model()))


def test_progress_rises_and_cancel_stops_between_tiles(tmp_path):
    runtime = _runtime(tmp_path, _random_model())
    image = _noisy_rgba(64, 64)
    seen: list[float] = []
    ctx = JobContext(report=lambda f, t: seen.append(f))
    run_denoise(DenoiseRequest(image=image, strength=10, tile=16), ctx, runtime)
    assert seen == sorted(seen) and seen[-1] == 1.0 and len(seen) > 16

    calls = []

    def cancel_after_some() -> bool:
        calls.append(1)
        return len(calls) > 5

    with pytest.raises(JobCancelled):
        run_denoise(DenoiseRequest(image=image, strength=10, tile=16),
                    JobContext(is_cancelled=cancel_after_some), runtime)  # fmt: skip


def test_missing_weights_is_a_user_error(tmp_path):
    from editor.ml.manager import ModelManager
    from editor.ml.registry import Registry
    from editor.ml.runtime import ModelRuntime

    empty = tmp_path / "none"
    runtime = ModelRuntime(ModelManager(Registry([DENOISE]), project_dir=empty, cache_dir=empty))
    with pytest.raises(JobError, match="denoiser is unavailable"):
        run_denoise(DenoiseRequest(image=_noisy_rgba(8, 8)), JobContext(), runtime)


# ---- CLI -----------------------------------------------------------------------------------


def _cli(argv: list[str]) -> argparse.Namespace:
    from editor.cli import build_parser

    return build_parser().parse_args(argv)


def test_cli_denoises_a_file(tmp_path, monkeypatch):
    from PIL import Image

    import editor.ml.runtime as runtime_mod

    runtime = _runtime(tmp_path, _random_model())
    monkeypatch.setattr(runtime_mod, "ModelRuntime", lambda *a, **k: runtime)
    src, dst = tmp_path / "in.png", tmp_path / "out.png"
    Image.fromarray(_noisy_rgba(30, 40)).save(src)
    args = _cli(["denoise", str(src), "-o", str(dst), "--strength", "20"])
    args.handler(args)
    with Image.open(dst) as saved:
        assert saved.size == (40, 30) and saved.mode == "RGBA"


@pytest.mark.parametrize(
    "argv, message",
    [(["--strength", "90"], "strength"), (["--mask", "nowhere.png"], "nowhere")],
)
def test_cli_failures_are_one_line_job_errors(tmp_path, argv, message):
    from PIL import Image

    src = tmp_path / "in.png"
    Image.fromarray(_noisy_rgba(8, 8)).save(src)
    args = _cli(["denoise", str(src), "-o", str(tmp_path / "o.png"), *argv])
    with pytest.raises(JobError, match=message):
        args.handler(args)


# ---- the shipped weights -------------------------------------------------------------------


def test_shipped_model_removes_gaussian_noise():
    from editor.ml.manager import ModelManager
    from editor.ml.registry import Registry
    from editor.ml.runtime import ModelRuntime

    manager = ModelManager(Registry([DENOISE]))
    if manager.locate(DENOISE.name) is None:
        pytest.skip("models/denoise.safetensors is absent or does not match its sha256 pin")
    rng = np.random.default_rng(0)
    yy, xx = np.mgrid[0:96, 0:96].astype(np.float32)
    clean = np.stack([128 + 80 * np.sin(xx / 13), 60 + yy, 200 - yy], -1)
    noisy = np.clip(clean + rng.normal(0, 25, clean.shape) + 0.5, 0, 255).astype(np.uint8)
    request = DenoiseRequest(image=np.dstack([noisy, np.full((96, 96), 255, np.uint8)]),
                             strength=25)  # fmt: skip
    out = run_denoise(request, JobContext(), ModelRuntime(manager))[..., :3]

    def psnr(a: np.ndarray) -> float:
        return 10 * math.log10(255**2 / np.mean((a.astype(np.float64) - clean) ** 2))

    assert psnr(out) > psnr(noisy) + 6.0


def test_progress_speaks_of_denoising_in_the_tilers_own_words(tmp_path):
    texts: list[str] = []
    runtime = _runtime(tmp_path, _random_model())
    ctx = JobContext(report=lambda fraction, text: texts.append(text))
    run_denoise(DenoiseRequest(image=_noisy_rgba(30, 40), model="denoise"), ctx, runtime)
    assert any(text.startswith("Denois") for text in texts)
    assert not any("Upscal" in text for text in texts)
