"""Style transfer on a CPU: L-BFGS coarse to fine, reflection padding against the border band,
Cancel inside an evaluation, the working size. Tiny random nets; no weights, no network."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest
import torch
from style_nets import TinyBackbone
from torch import nn

from editor.engine.context import JobCancelled, JobContext
from editor.engine.stylize import StylizeRequest, run_stylize, working_size
from editor.ml.style import (
    FeatureTaps,
    LayerChoice,
    StyleLoss,
    StyleSettings,
    level_iterations,
    pyramid,
    stylize,
)

LAYERS = LayerChoice(style=(0, 1, 2), content=1)


class StridedBackbone(TinyBackbone):
    """Stride-2 3×3 convolutions with zero padding 1, as EfficientNet's stem: on an even-sized
    input the last row and column only ever meet a kernel's edge tap."""

    def __init__(self, delay: float = 0.0) -> None:
        super().__init__(first_stride=2)
        self.delay = delay


class _Sleep(nn.Module):
    """An identity layer that takes `seconds`, forward and backward."""

    def __init__(self, seconds: float) -> None:
        super().__init__()
        self.seconds = seconds

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        time.sleep(self.seconds)
        return _SleepBack.apply(x, self.seconds)


class _SleepBack(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, seconds):
        ctx.seconds = seconds
        return x.clone()

    @staticmethod
    def backward(ctx, grad):
        time.sleep(ctx.seconds)
        return grad, None


class SlowBackbone(StridedBackbone):
    """Each pass takes layers × seconds (80 × 10 ms), forward and backward alike."""

    def __init__(self, layers: int = 80, seconds: float = 0.01) -> None:
        super().__init__()
        self.slow = nn.Sequential(*[_Sleep(seconds) for _ in range(layers)])

    def forward_features(self, image: torch.Tensor, layers: tuple[int, ...]) -> list[torch.Tensor]:
        return super().forward_features(self.slow(image), layers)


def _tensors(height: int = 48, width: int = 64) -> tuple[torch.Tensor, torch.Tensor]:
    ys, xs = torch.meshgrid(torch.linspace(0, 1, height), torch.linspace(0, 1, width),
                            indexing="ij")  # fmt: skip
    content = torch.stack([xs, ys, 0.5 * torch.ones_like(xs)])[None]
    style = torch.zeros(1, 3, 32, 32)
    style[:, 0, ::4] = 1.0
    style[:, 2, :, ::3] = 1.0
    return content, style


def test_pyramid_halves_down_to_the_smallest_side():
    assert pyramid(512, 512, 128) == [(128, 128), (256, 256), (512, 512)]
    assert pyramid(384, 512, 128) == [(96, 128), (192, 256), (384, 512)]
    assert pyramid(300, 200, 128) == [(150, 100), (300, 200)]
    assert pyramid(100, 80, 128) == [(100, 80)]
    assert pyramid(512, 512, 0) == [(512, 512)]
    settings = StyleSettings(iterations=10, coarse_factor=2.0)
    assert level_iterations(settings, 3) == [40, 20, 10]  # the finest gets `iterations`


def test_coarse_to_fine_reports_every_level_and_the_whole_jobs_progress():
    taps = FeatureTaps(StridedBackbone(), LAYERS)
    content, style = _tensors(64, 96)
    seen, previews = [], []
    settings = StyleSettings(iterations=3, min_side=24, preview_every=2)
    out = stylize(taps, content, style, settings, seen.append,
                  lambda step, image: previews.append(tuple(image.shape[-2:])))  # fmt: skip
    assert [(s.level, s.levels) for s in seen] == [(1, 3)] * 12 + [(2, 3)] * 6 + [(3, 3)] * 3
    assert [s.step for s in seen] == list(range(1, 22)) and seen[0].total == 21
    fractions = [s.fraction for s in seen]
    assert fractions == sorted(fractions) and fractions[-1] == pytest.approx(1.0)
    assert previews[0] == (16, 24) and previews[-1] == (64, 96)  # each level's own size
    assert len(previews) == 10  # every 2nd of 21 evaluations
    assert out.shape == content.shape and 0.0 <= float(out.min()) <= float(out.max()) <= 1.0
    # Each level starts from the last one's result: the style gap does not reopen.
    first_of_level = [s.style for s in seen if s.step in (13, 19)]
    assert max(first_of_level) < seen[0].style


def test_lbfgs_coarse_to_fine_gets_closer_to_the_style_than_the_old_adam():
    taps = FeatureTaps(StridedBackbone(), LAYERS)
    content, style = _tensors(64, 96)
    old = StyleSettings(iterations=30, optimizer="adam", min_side=0, pad=0, preview_every=0)
    new = StyleSettings(iterations=10, min_side=32, preview_every=0)
    judge = StyleLoss(taps, content, style, StyleSettings(), pad=0)
    scores = []
    for settings in (old, new):
        with torch.no_grad():
            _, style_loss = judge.raw_losses(stylize(taps, content, style, settings))
        scores.append(float(style_loss / judge.style_start))
    assert scores[1] < scores[0] < 1.0


def _border_to_interior_gradient(taps: FeatureTaps, pad: int) -> tuple[float, float]:
    torch.manual_seed(0)
    content, style = torch.rand(1, 3, 128, 128), torch.rand(1, 3, 64, 64)
    loss_fn = StyleLoss(taps, content, style, StyleSettings(pad=pad))
    image = content.clone().requires_grad_(True)
    loss, _ = loss_fn(image)
    loss.backward()
    grad = image.grad[0].abs().sum(0)
    interior = float(grad[8:-8, 8:-8].mean())
    return float(grad[-1].mean()) / interior, float(grad[:, -1].mean()) / interior


def test_the_last_row_and_column_are_seen_like_the_rest_with_reflection_padding(lite0_weights):
    # The saturated band along the bottom and right edges: EfficientNet's stride-2 layers put
    # their cells' centres at the top-left of each stride, so the last rows and columns of an
    # even-sized image get a small fraction of an interior pixel's gradient (and Adam, which
    # scales each pixel's step by its own gradient history, drove them to extremes).
    # Reflection around the image, and cells kept evenly over it, give them interior-like ones.
    from editor.ml.style import EFFICIENTNET_LAYERS, load_backbone

    taps = FeatureTaps(load_backbone("efficientnet", lite0_weights), EFFICIENTNET_LAYERS)
    bottom, right = _border_to_interior_gradient(taps, pad=0)
    assert bottom < 0.3 and right < 0.3
    bottom, right = _border_to_interior_gradient(taps, pad=16)
    assert bottom > 0.6 and right > 0.6


def test_the_cells_kept_lie_evenly_over_the_image():
    from editor.ml.style import _cells_over_image

    # 128 px padded by 16: a stride-2 "corner" map has 80 cells centred on pixels 0, 2, ...;
    # the image is pixels 16..143, so cells 8 (pixel 16) to 72 (pixel 144) are kept.
    assert _cells_over_image(torch.Size([80, 80]), 16, (128, 128), "corner") == (
        slice(8, 73),
        slice(8, 73),
    )
    # stride 16: cells centred on 16 .. 144 of 0 .. 144
    assert _cells_over_image(torch.Size([10, 10]), 16, (128, 128), "corner")[0] == slice(1, 10)
    # 2×2 pooling centres cells between pixels: the kept cells are symmetric already.
    assert _cells_over_image(torch.Size([10, 10]), 16, (128, 128), "centre")[0] == slice(1, 9)


def test_feature_maps_are_cropped_back_to_the_image():
    taps = FeatureTaps(StridedBackbone(), LAYERS)
    content, style = _tensors(64, 96)
    plain = StyleLoss(taps, content, style, StyleSettings(pad=0))
    padded = StyleLoss(taps, content, style, StyleSettings(pad=16))
    for a, b in zip(plain.features(content)[0], padded.features(content)[0], strict=True):
        # the image's own cells, plus one at the bottom and right (see the test above)
        assert b.shape[:2] == a.shape[:2]
        assert b.shape[2] - a.shape[2] in (0, 1) and b.shape[3] - a.shape[3] in (0, 1)


def test_targets_are_usable_by_autograd():
    # Targets are computed under inference_mode; they must still work in the backward pass.
    taps = FeatureTaps(StridedBackbone(), LAYERS)
    content, style = _tensors()
    loss_fn = StyleLoss(taps, content, style, StyleSettings())
    assert not loss_fn.content_target.is_inference()
    assert not any(g.is_inference() for g in loss_fn.gram_targets)
    image = content.clone().requires_grad_(True)
    loss_fn(image)[0].backward()
    assert image.grad is not None


def _rgba(height: int, width: int) -> np.ndarray:
    content = np.full((height, width, 4), 255, np.uint8)
    content[..., 0] = np.linspace(0, 255, width, dtype=np.uint8)[None]
    return content


# Three 0.8 s forward passes make the targets (content, style, the photo's own style gap),
# then each evaluation is 0.8 s forward and 0.8 s backward.
@pytest.mark.parametrize("delay", [1.0, 2.8, 3.6], ids=["targets", "forward", "backward"])
def test_cancel_is_answered_inside_an_evaluation(delay):
    # Cancel must not wait for a pass to end: it is checked between layers both ways.
    taps = FeatureTaps(SlowBackbone(), LAYERS)
    style = np.zeros((16, 16, 3), np.uint8)
    pressed = threading.Event()
    ctx = JobContext(is_cancelled=pressed.is_set)
    request = StylizeRequest(_rgba(32, 32), style, iterations=5, size=32, preview_every=0)
    ended: list[float] = []

    def work() -> None:
        try:
            run_stylize(request, ctx, taps=taps)
        except JobCancelled:
            ended.append(time.perf_counter())

    thread = threading.Thread(target=work)
    thread.start()
    time.sleep(delay)
    pressed_at = time.perf_counter()
    pressed.set()
    thread.join(10)
    assert ended, "the job did not stop"
    assert ended[0] - pressed_at < 0.2


def test_the_working_size_is_the_photos_own_up_to_the_devices_cap():
    style = np.zeros((8, 8, 3), np.uint8)
    request = StylizeRequest(_rgba(40, 56), style)
    assert request.size is None and request.optimizer == "lbfgs"
    assert working_size(request, torch.device("cpu")) == 1024
    assert working_size(request, torch.device("cuda")) == 2048
    sized = StylizeRequest(_rgba(40, 56), style, size=300)
    assert working_size(sized, torch.device("cpu")) == 300


def test_a_photo_below_the_cap_is_restyled_at_its_own_size(monkeypatch):
    import editor.engine.stylize as module

    seen: list[tuple[int, int]] = []

    class Recording(StridedBackbone):
        def forward_features(self, image, layers):
            seen.append(tuple(image.shape[-2:]))
            return super().forward_features(image, layers)

    taps = FeatureTaps(Recording(), LAYERS)
    wide_style = np.zeros((4, 8, 3), np.uint8)  # at the working scale: half as high as wide
    request = StylizeRequest(_rgba(40, 56), wide_style, iterations=2, preview_every=0)
    result = run_stylize(request, JobContext(), taps=taps)
    assert result.pixels.shape == (40, 56, 4)
    assert max(seen) == (40 + 32, 56 + 32)  # its own size plus 16 px of reflection each side
    seen.clear()
    monkeypatch.setitem(module.WORKING_CAP, "cpu", 28)
    run_stylize(request, JobContext(), taps=taps)
    assert max(seen) == (20 + 32, 28 + 32)  # capped, then resized back up
