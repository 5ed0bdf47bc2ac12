"""The push-pull fill network's defining properties, on tiny random-weight models."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")

from editor.ml.archs.fill_net import FillConfig, FillNet, push_pull  # noqa: E402
from editor.ml.inpaint_nets import composite, predict_mirrored, predict_padded  # noqa: E402

TINY = FillConfig(8, 8, 16, (1, 2))


def _inputs(seed: int = 0, size: int = 32):
    gen = torch.Generator().manual_seed(seed)
    image = torch.rand(2, 3, size, size, generator=gen)
    known = torch.ones(2, 1, size, size)
    known[:, :, 8:20, 6:26] = 0.0
    return image, known


def _randomise_batch_norm(model: torch.nn.Module) -> None:
    """Non-trivial running statistics, so eval mode is not the identity."""
    for module in model.modules():
        if isinstance(module, torch.nn.BatchNorm2d):
            module.running_mean.uniform_(-0.2, 0.2)
            module.running_var.uniform_(0.5, 1.5)


def test_fill_does_not_depend_on_pixels_under_the_hole():
    torch.manual_seed(0)
    model = FillNet(TINY).eval()
    _randomise_batch_norm(model)
    image, known = _inputs()
    other = image.clone()
    other[:, :, 8:20, 6:26] = torch.rand(2, 3, 12, 20)  # only hole pixels differ
    with torch.no_grad():
        assert torch.equal(model(image, known), model(other, known))


def test_known_pixels_come_back_unchanged():
    model = FillNet(TINY).eval()
    image, known = _inputs()
    with torch.no_grad():
        out = predict_padded(model, image * known, known)
    valid = known.expand_as(image).bool()
    assert torch.equal(out[valid], image[valid])
    assert torch.equal(composite(image, known, out)[valid], image[valid])


def test_the_mirrored_pair_averages_two_guesses_and_keeps_known_pixels():
    torch.manual_seed(0)
    model = FillNet(TINY).eval()
    _randomise_batch_norm(model)
    image, known = _inputs()
    image = image[:, :, :, :30]  # an odd layout: the mirror must line up after padding
    known = known[:, :, :, :30]
    other = image.clone()
    other[:, :, 8:20, 6:26] = 0.5  # only hole pixels differ
    with torch.no_grad():
        once = predict_padded(model, image * known, known)
        mirror = predict_padded(model, (image * known).flip(-1), known.flip(-1)).flip(-1)
        pair = predict_mirrored(model, image * known, known)
        assert torch.equal(pair, predict_mirrored(model, other * known, known))
    valid = known.expand_as(image).bool()
    assert torch.equal(pair[valid], image[valid])
    assert not torch.allclose(pair, once)  # the network is not mirror-symmetric: two guesses
    assert torch.allclose(pair, (once + mirror) / 2)


@pytest.mark.parametrize("known_value", [0.0, 1.0])
def test_no_nan_on_fully_masked_or_fully_known_inputs(known_value):
    model = FillNet(TINY).eval()
    image = torch.rand(1, 3, 36, 44)
    known = torch.full((1, 1, 36, 44), known_value)
    with torch.no_grad():
        out = predict_padded(model, image * known, known)
    assert torch.isfinite(out).all()


def test_push_pull_keeps_known_pixels_and_fills_holes_from_them():
    image = torch.zeros(1, 3, 16, 16)
    image[:, 0] = 1.0  # pure red everywhere it is known
    known = torch.ones(1, 1, 16, 16)
    known[:, :, 4:12, 4:12] = 0.0
    fill = push_pull(image * known, known)
    assert torch.allclose(fill, image, atol=1e-6)  # a red hole from red surroundings
