"""Style transfer (Gatys et al.): loss math, optimisation, job plumbing, CLI — tiny random nets."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from style_nets import TinyBackbone
from torch import nn

from editor.engine.context import JobCancelled, JobContext, JobError
from editor.engine.crop import paste_weight
from editor.engine.stylize import StylizeRequest, run_stylize
from editor.ml.errors import WeightsUnavailable
from editor.ml.style import (
    FeatureTaps,
    LayerChoice,
    StyleSettings,
    available_kinds,
    gram_matrix,
    load_backbone,
    locate_weights,
    softmax_smooth,
    stylize,
)

TINY_LAYERS = LayerChoice(style=(0, 1, 2), content=1)


@pytest.fixture
def taps() -> FeatureTaps:
    return FeatureTaps(TinyBackbone(), TINY_LAYERS)


def _images(height: int = 40, width: int = 56) -> tuple[np.ndarray, np.ndarray]:
    """A smooth content image with a varying alpha and a striped, saturated style image."""
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float32)
    content = np.empty((height, width, 4), np.uint8)
    content[..., 0] = xs / width * 200 + 20
    content[..., 1] = ys / height * 200 + 20
    content[..., 2] = 120
    content[..., 3] = np.clip(xs * 4, 0, 255).astype(np.uint8)  # transparent left edge
    style = np.zeros((32, 32, 3), np.uint8)
    style[::4, :, 0] = 255
    style[:, ::3, 2] = 255
    return content, style


def test_gram_matrix_on_a_known_input():
    features = torch.tensor([[1.0, 2.0], [3.0, 4.0]]).reshape(1, 2, 1, 2)  # C=2, H·W=2
    expected = torch.tensor([[5.0, 11.0], [11.0, 25.0]]) / 2.0  # F Fᵀ / (H·W)
    assert torch.allclose(gram_matrix(features)[0], expected)


def test_gram_matrix_does_not_depend_on_resolution():
    features = torch.rand(1, 4, 3, 5)
    tiled = features.repeat(1, 1, 2, 3)  # same statistics over 6× the positions
    assert torch.allclose(gram_matrix(tiled), gram_matrix(features), atol=1e-6)


def test_softmax_smoothing_keeps_shape_and_mass():
    features = torch.randn(2, 3, 4, 5) * 5
    smooth = softmax_smooth(features)
    assert smooth.shape == features.shape
    assert torch.all(smooth > 0)
    assert torch.allclose(smooth.sum(dim=(1, 2, 3)), torch.full((2,), 60.0), rtol=1e-4)


@pytest.mark.parametrize("smoothing", ["none", "softmax"])
def test_style_loss_decreases_over_iterations(smoothing):
    taps = FeatureTaps(TinyBackbone(), TINY_LAYERS, smoothing)
    content_rgba, style_rgb = _images()
    content = torch.from_numpy(content_rgba[..., :3]).permute(2, 0, 1)[None].float() / 255
    style = torch.from_numpy(style_rgb).permute(2, 0, 1)[None].float() / 255
    seen = []
    settings = StyleSettings(iterations=8, lr=0.05, preview_every=0)
    out = stylize(taps, content, style, settings, on_step=seen.append)
    assert [s.step for s in seen] == list(range(1, 9))
    assert seen[0].content == pytest.approx(0.0, abs=1e-6)  # starts as the content image
    assert seen[-1].style < 0.8 * seen[0].style
    assert out.shape == content.shape
    assert float(out.min()) >= 0.0 and float(out.max()) <= 1.0


def test_lbfgs_also_lowers_the_loss(taps):
    content_rgba, style_rgb = _images()
    content = torch.from_numpy(content_rgba[..., :3]).permute(2, 0, 1)[None].float() / 255
    style = torch.from_numpy(style_rgb).permute(2, 0, 1)[None].float() / 255
    seen = []
    stylize(taps, content, style, StyleSettings(iterations=8, optimizer="lbfgs"), seen.append)
    assert seen[-1].loss < seen[0].loss


def test_previews_are_full_size_and_emitted_every_few_iterations(taps):
    content, style = _images()
    previews, reports = [], []
    ctx = JobContext(report=lambda f, t: reports.append(f), show_preview=previews.append)
    request = StylizeRequest(content, style, iterations=6, size=32, preview_every=2)
    result = run_stylize(request, ctx, taps=taps)
    assert len(previews) == 2  # after iterations 2 and 4; the 6th is the result itself
    for preview in previews:
        assert preview.shape == content.shape and preview.dtype == np.uint8
        np.testing.assert_array_equal(preview[..., 3], content[..., 3])
    assert reports == sorted(reports) and reports[-1] == 1.0
    assert result.pixels.shape == content.shape


def test_cancel_stops_between_iterations(taps):
    content, style = _images()
    done = []

    def report(fraction: float, text: str) -> None:
        if text.startswith("Iteration"):
            done.append(text)

    previews = []
    ctx = JobContext(
        report=report, show_preview=previews.append, is_cancelled=lambda: len(done) >= 3
    )
    request = StylizeRequest(content, style, iterations=50, size=32, preview_every=1)
    with pytest.raises(JobCancelled):
        run_stylize(request, ctx, taps=taps)
    assert done == ["Iteration 1/50", "Iteration 2/50", "Iteration 3/50"]
    assert len(previews) == 3  # the last one is what the UI may keep


def test_result_has_the_content_size_and_alpha(taps):
    content, style = _images(45, 70)
    request = StylizeRequest(content, style, iterations=3, size=32, preview_every=0)
    result = run_stylize(request, JobContext(), taps=taps)
    assert result.rect.w == 70 and result.rect.h == 45
    assert result.pixels.shape == content.shape and result.pixels.dtype == np.uint8
    np.testing.assert_array_equal(result.pixels[..., 3], content[..., 3])
    assert not np.array_equal(result.pixels[..., :3], content[..., :3])


def test_with_a_mask_only_the_feathered_mask_changes(taps):
    content, style = _images(64, 80)
    content[..., 3] = 255
    mask = np.zeros((64, 80), np.uint8)
    mask[20:40, 30:50] = 255
    request = StylizeRequest(
        content, style, iterations=4, size=48, mask=mask, feather=4, preview_every=2
    )
    previews = []
    result = run_stylize(request, JobContext(show_preview=previews.append), taps=taps)
    outside = paste_weight(mask, 0, 4) == 0
    for image in [result.pixels, *previews]:
        np.testing.assert_array_equal(image[outside], content[outside])
    changed = np.abs(result.pixels[20:40, 30:50].astype(int) - content[20:40, 30:50]).sum()
    assert changed > 0


def test_empty_mask_is_a_user_error(taps):
    content, style = _images()
    request = StylizeRequest(content, style, iterations=2, mask=np.zeros((40, 56), np.uint8))
    with pytest.raises(JobError, match="empty"):
        run_stylize(request, JobContext(), taps=taps)


def test_request_snapshots_and_validates():
    content, style = _images()
    request = StylizeRequest(content, style)
    content[...] = 0
    assert request.image.any() and not request.image.flags.writeable
    with pytest.raises(ValueError, match="mask"):
        StylizeRequest(content, style, mask=np.zeros((3, 3), np.uint8))
    with pytest.raises(ValueError, match="strength"):
        StylizeRequest(content, style, strength=-1)
    with pytest.raises(ValueError, match="features"):
        StylizeRequest(content, style, features="resnet")


def _manager_without_style_weights(tmp_path: Path):
    from editor.ml.catalog import REALESR_ANIMEVIDEOV3
    from editor.ml.manager import ModelManager
    from editor.ml.registry import Registry

    # A registry without the feature networks: nothing to download, so no network is touched.
    registry = Registry([REALESR_ANIMEVIDEOV3])
    return ModelManager(registry, project_dir=tmp_path / "models", cache_dir=tmp_path / "cache")


@pytest.mark.parametrize("kind", ["efficientnet", "vgg19"])
def test_missing_weights_say_how_to_get_them(tmp_path, kind):
    manager = _manager_without_style_weights(tmp_path)
    with pytest.raises(WeightsUnavailable, match="retouch models"):
        locate_weights(kind, manager)


def test_missing_weights_fail_the_job_with_the_instructions(tmp_path):
    from editor.ml.runtime import ModelRuntime

    content, style = _images()
    runtime = ModelRuntime(_manager_without_style_weights(tmp_path))
    request = StylizeRequest(content, style, iterations=2, features="vgg19")
    with pytest.raises(JobError, match="retouch models import vgg19-dcbb9e9d.pth") as info:
        run_stylize(request, JobContext(), runtime)
    assert isinstance(info.value.__cause__, WeightsUnavailable)


def test_vgg19_features_match_torchvision_names_and_load_a_full_checkpoint(tmp_path):
    torchvision = pytest.importorskip("torchvision")
    from editor.ml.archs.vgg19_features import VGG19Features

    ours = VGG19Features().state_dict()
    with torch.device("meta"):  # shapes only: no 550 MB of random weights
        reference = torchvision.models.vgg19()
    theirs = {
        k: tuple(v.shape) for k, v in reference.state_dict().items() if k.startswith("features.")
    }
    assert {k: tuple(v.shape) for k, v in ours.items()} == theirs
    pools = [i for i, m in enumerate(VGG19Features().features) if isinstance(m, nn.AvgPool2d)]
    assert pools == [4, 9, 18, 27, 36]  # where torchvision has max pooling
    # A torchvision checkpoint also holds the classifier: it is dropped on load.
    checkpoint = {k: torch.randn_like(v) for k, v in ours.items()}
    checkpoint["classifier.0.weight"] = torch.zeros(4, 4)
    path = tmp_path / "vgg19-test.pth"
    torch.save(checkpoint, path)
    model = load_backbone("vgg19", path)
    assert torch.equal(model.state_dict()["features.0.weight"], checkpoint["features.0.weight"])
    feats = model.forward_features(torch.rand(1, 3, 32, 32), (1, 22))
    assert [tuple(f.shape) for f in feats] == [(1, 64, 32, 32), (1, 512, 4, 4)]


def test_a_user_imported_vgg19_is_found_by_its_architecture(tmp_path):
    from editor.ml.archs.vgg19_features import VGG19Features
    from editor.ml.manager import save_weights
    from editor.ml.trusted_cache import record_written

    manager = _manager_without_style_weights(tmp_path)
    target = manager.cache_models_dir / "user-vgg19-dcbb9e9d.safetensors"
    arch = "editor.ml.archs.vgg19_features:build_vgg19_features"
    meta = {"format": "retouch-weights-1", "name": "user-vgg19-dcbb9e9d", "arch": arch,
            "source": "import:0", "user_model": "1", "task": "style"}  # fmt: skip
    save_weights(VGG19Features().state_dict(), target, meta)
    record_written(target)  # as import_checkpoint records what it writes
    manager = _manager_without_style_weights(tmp_path)  # a new manager finds user models
    assert locate_weights("vgg19", manager) == target
    assert available_kinds(manager) == ["vgg19"]


def test_cli_stylize_writes_the_result(tmp_path, monkeypatch, taps):
    from PIL import Image

    import editor.engine.stylize as stylize_module
    from editor.cli import main

    monkeypatch.setattr(stylize_module, "_feature_taps", lambda *args: (taps, "tiny"))
    content, style = _images()
    Image.fromarray(content).save(tmp_path / "in.png")
    Image.fromarray(style).save(tmp_path / "style.png")
    out = tmp_path / "out.png"
    code = main(
        [
            "stylize", str(tmp_path / "in.png"), "--style", str(tmp_path / "style.png"),
            "-o", str(out), "--iterations", "2", "--size", "32",
        ]
    )  # fmt: skip
    assert code == 0
    written = np.asarray(Image.open(out))
    assert written.shape == content.shape
    np.testing.assert_array_equal(written[..., 3], content[..., 3])
