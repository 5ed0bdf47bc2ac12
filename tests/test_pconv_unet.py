"""The partial-convolution U-Net's defining properties, on tiny random-weight models."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")

from editor.ml.archs.fill_net import FillConfig  # noqa: E402
from editor.ml.archs.pconv_unet import PartialConv2d, PConvConfig, PConvUNet  # noqa: E402
from editor.ml.inpaint_nets import composite, load_safetensors, predict_padded  # noqa: E402

TINY = PConvConfig((8, 16, 16), first_kernel=3)


def _inputs(seed: int = 0, size: int = 32, batch: int = 2):
    gen = torch.Generator().manual_seed(seed)
    image = torch.rand(batch, 3, size, size, generator=gen)
    known = torch.ones(batch, 1, size, size)
    known[:, :, 8:20, 5:27] = 0.0  # a hole
    known[1, :, :, :6] = 0.0  # and one touching the left border
    return image, known


def _randomise_batch_norm(model: torch.nn.Module) -> None:
    gen = torch.Generator().manual_seed(1)
    for module in model.modules():
        if isinstance(module, torch.nn.BatchNorm2d):
            module.running_mean.copy_(torch.randn(module.num_features, generator=gen) * 0.1)
            module.running_var.copy_(torch.rand(module.num_features, generator=gen) + 0.5)


@pytest.mark.parametrize("train_mode", [False, True])
def test_output_does_not_depend_on_pixels_under_the_hole(train_mode):
    torch.manual_seed(0)
    model = PConvUNet(TINY)
    _randomise_batch_norm(model)
    model.train(train_mode)
    image, known = _inputs()
    scrambled = torch.where(known > 0, image, torch.rand_like(image) * 50.0 - 25.0)
    assert not torch.equal(image, scrambled)
    with torch.no_grad():
        a = model(image, known)
        b = model(scrambled, known)
    assert torch.equal(a, b)


def test_output_depends_on_known_pixels():
    """Guard for the test above: the model is not simply constant."""
    torch.manual_seed(0)
    model = PConvUNet(TINY).eval()
    image, known = _inputs()
    changed = image.clone()
    changed[:, :, 22:, :] = 1.0 - changed[:, :, 22:, :]  # known rows
    with torch.no_grad():
        assert not torch.allclose(model(image, known), model(changed, known))


def test_composite_keeps_valid_pixels_exactly():
    torch.manual_seed(0)
    model = PConvUNet(TINY).eval()
    image, known = _inputs(size=37)  # not a multiple of 8: exercises padding
    with torch.no_grad():
        comp = predict_padded(model, image, known)
    valid = known.expand_as(image) > 0
    assert comp.shape == image.shape
    assert torch.equal(comp[valid], image[valid])
    pred = torch.rand_like(image) * 3 - 1
    assert torch.equal(composite(image, known, pred)[valid], image[valid])
    assert float(comp.min()) >= 0.0 and float(comp.max()) <= 1.0


@pytest.mark.parametrize("dtype", [torch.bfloat16, torch.float16])
def test_fully_masked_window_gives_no_nan_or_inf_under_low_precision(dtype):
    conv = PartialConv2d(3, 4, 7)
    x = torch.rand(1, 3, 16, 16) * 100.0
    known = torch.zeros(1, 1, 16, 16)
    known[..., 0, 0] = 1.0  # one known pixel: windows around it have ratio 49, the rest none
    with torch.no_grad(), torch.autocast("cpu", dtype=dtype):
        out, new_known = conv(x * known, known)
    assert torch.isfinite(out.float()).all()
    assert float(new_known[..., 10, 10]) == 0.0 and float(out[..., 10, 10].abs().max()) == 0.0
    assert float(new_known[..., 0, 0]) == 1.0 and float(out[..., 0, 0].abs().max()) > 0.0
    # The whole model on an image that is all hole: finite everywhere.
    model = PConvUNet(TINY).eval()
    with torch.no_grad(), torch.autocast("cpu", dtype=dtype):
        y = model(torch.rand(1, 3, 32, 32), torch.zeros(1, 1, 32, 32))
    assert torch.isfinite(y.float()).all()


@pytest.mark.parametrize("config", [TINY, FillConfig(8, 8, 16, (1, 2))], ids=["pconv", "fill"])
def test_export_round_trip(tmp_path, config):
    """Both of Erase's architectures come back from their file with config and outputs."""
    from editor.ml.inpaint_nets import build
    from editor.training.export import export_model

    torch.manual_seed(0)
    model = build(config).eval()
    _randomise_batch_norm(model)
    path = export_model(model, tmp_path / "m.safetensors", working_size=64)
    loaded, meta = load_safetensors(str(path))
    assert meta["working_size"] == "64" and loaded.config == config
    image, known = _inputs()
    with torch.no_grad():
        assert torch.allclose(model(image, known), loaded(image, known), atol=2e-2)
