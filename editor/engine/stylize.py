"""Style transfer job: restyle an RGBA layer (or only the masked part) after a style image.

The request part imports neither torch nor Qt, so requests.py can re-export it at application
start; run_stylize imports torch lazily. The optimisation itself is editor.ml.style (Gatys et
al. 2015); this module does the pixel plumbing: working resolution, previews, alpha, mask.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from editor.core.geometry import Rect
from editor.core.pixels import check_mask, check_rgba
from editor.engine.context import JobCancelled, JobContext, JobError
from editor.engine.frozen import freeze_array
from editor.engine.results import PatchResult

if TYPE_CHECKING:
    import torch

    from editor.ml.runtime import ModelRuntime
    from editor.ml.style import FeatureTaps, StepStats

FEATURE_CHOICES = ("auto", "efficientnet", "vgg19")
BASE_STYLE_WEIGHT = 10.0  # β at strength 1 (α = 1): clearly visible style, content kept
_FETCH_SHARE = 0.05  # progress fraction spent getting the feature network
_MASK_MARGIN = 32  # context pixels around the mask's bounding box that get optimised too
DEFAULT_ITERATIONS = 50  # L-BFGS evaluations at the finest level (bench/style.py)
WORKING_CAP = {"cpu": 1024, "gpu": 2048}  # long side when the request leaves size to us


@dataclass(frozen=True, eq=False)
class StylizeRequest:
    """Snapshot of what a style transfer needs.

    image: HxWx4 RGBA uint8 content (straight alpha); style: HxWx3 RGB or HxWx4 RGBA uint8
    (alpha ignored); both copied read-only. strength: style weight relative to the default
    (β = 10·strength, α = 1; 0 keeps the content). iterations: loss evaluations at the
    finest level (coarser levels get more, editor.ml.style.StyleSettings). size: long side
    in pixels of the working resolution, None = the photo's own up to the device's cap
    (WORKING_CAP: 1024 on a CPU, 2048 on a GPU); the image is never upscaled to reach it.
    mask: optional HxW uint8 (255 = restyle), blended with a `feather`-pixel soft edge.
    features: "auto" (VGG-19 when its weights were imported, else EfficientNet-Lite0),
    "efficientnet" or "vgg19". smoothing: "none" or "softmax" (Wang et al. 2021).
    optimizer: "lbfgs" (default) or "adam". preview_every: evaluations between previews
    (0 = none).
    """

    image: np.ndarray
    style: np.ndarray
    strength: float = 1.0
    iterations: int = DEFAULT_ITERATIONS
    size: int | None = None
    mask: np.ndarray | None = None
    features: str = "auto"
    smoothing: str = "none"
    optimizer: str = "lbfgs"
    preview_every: int = 10
    feather: int = 8

    def __post_init__(self) -> None:
        if (
            self.style.dtype != np.uint8
            or self.style.ndim != 3
            or self.style.shape[2] not in (3, 4)
        ):
            raise ValueError(f"style must be HxWx3 or HxWx4 uint8, got {self.style.shape}")
        if self.strength < 0:
            raise ValueError(f"strength must not be negative, got {self.strength}")
        if self.iterations < 1:
            raise ValueError(f"iterations must be at least 1, got {self.iterations}")
        if self.size is not None and self.size < 16:
            raise ValueError(f"working size must be at least 16 pixels, got {self.size}")
        if self.features not in FEATURE_CHOICES:
            raise ValueError(f"features must be one of {FEATURE_CHOICES}, got {self.features!r}")
        freeze_array(self, "image", check_rgba(self.image))
        freeze_array(self, "style", self.style)
        if self.mask is not None:
            if check_mask(self.mask).shape != self.image.shape[:2]:
                raise ValueError(
                    f"mask {self.mask.shape} does not match image {self.image.shape[:2]}"
                )
            freeze_array(self, "mask", self.mask)


# ---- pixels <-> tensors ------------------------------------------------------------------


def fit_long_side(rgb: np.ndarray, size: int, allow_upscale: bool = False) -> np.ndarray:
    """Resize HxWx3 uint8 so its long side is `size` (area filter down, cubic up)."""
    import cv2

    height, width = rgb.shape[:2]
    scale = size / max(height, width)
    if scale >= 1.0 and not allow_upscale:
        return np.ascontiguousarray(rgb)
    new_w, new_h = max(1, round(width * scale)), max(1, round(height * scale))
    interpolation = cv2.INTER_AREA if scale < 1.0 else cv2.INTER_CUBIC
    return cv2.resize(np.ascontiguousarray(rgb), (new_w, new_h), interpolation=interpolation)


def rgb_to_tensor(rgb: np.ndarray, device: torch.device) -> torch.Tensor:
    """HxWx3 uint8 -> 1×3×H×W float32 RGB [0, 1] on `device`."""
    import torch

    x = torch.from_numpy(np.ascontiguousarray(rgb)).permute(2, 0, 1).unsqueeze(0)
    return x.to(device=device, dtype=torch.float32).div_(255.0)


def tensor_to_rgb(image: torch.Tensor, width: int, height: int) -> np.ndarray:
    """1×3×h×w float [0, 1] -> HxWx3 uint8 resized (cubic) to width × height."""
    import cv2

    rgb = image[0].clamp(0, 1).mul(255.0).round().byte().permute(1, 2, 0).cpu().numpy()
    if rgb.shape[:2] != (height, width):
        rgb = cv2.resize(rgb, (width, height), interpolation=cv2.INTER_CUBIC)
    return rgb


# ---- the job -----------------------------------------------------------------------------


def _working_window(request: StylizeRequest) -> Rect:
    """The part of the image that is optimised: all of it, or the mask's neighbourhood."""
    height, width = request.image.shape[:2]
    if request.mask is None:
        return Rect(0, 0, width, height)
    from editor.engine.crop import crop_window

    window = crop_window(request.mask, _MASK_MARGIN + request.feather)
    if window is None:
        raise JobError("The selection is empty: paint over the part to restyle first.")
    return window.rect


def compose(request: StylizeRequest, window: Rect, image: torch.Tensor) -> np.ndarray:
    """Full-size HxWx4 RGBA uint8: `image` (the stylised window) put back into the content.

    Alpha is the content's; with a mask, only the feathered mask changes (paste_fill), so
    pixels more than `feather` px outside it stay bit-for-bit identical.
    """
    out = np.array(request.image, copy=True)
    region = out[window.slices()]
    fill = region.copy()
    fill[..., :3] = tensor_to_rgb(image, window.w, window.h)
    if request.mask is None:
        out[window.slices()] = fill
        return out
    from editor.engine.crop import paste_fill

    mask = request.mask[window.slices()]
    out[window.slices()] = paste_fill(region, fill, mask, dilate=0, feather=request.feather)
    return out


def _feature_taps(
    request: StylizeRequest, ctx: JobContext, runtime: ModelRuntime | None, device: torch.device
) -> tuple[FeatureTaps, str]:
    """The feature network the request asks for, loaded once per process (LRU cache)."""
    from editor.ml.errors import FetchCancelled, ModelError
    from editor.ml.style import (
        FeatureTaps,
        available_kinds,
        layers_for,
        load_backbone,
        locate_weights,
    )

    runtime = runtime or ctx.runtime
    kind = request.features
    if kind == "auto":
        kind = "vgg19" if "vgg19" in available_kinds(runtime.manager) else "efficientnet"
    try:
        path = locate_weights(
            kind, runtime.manager,
            lambda f, t: ctx.progress(_FETCH_SHARE * f, t), ctx.is_cancelled,
        )  # fmt: skip
        key = ("style-features", kind, str(path), path.stat().st_mtime_ns, str(device))
        backbone = runtime.cache.get_or_load(key, lambda: load_backbone(kind, path).to(device))
    except FetchCancelled as exc:
        raise JobCancelled() from exc
    except ModelError as exc:
        raise JobError(str(exc)) from exc
    return FeatureTaps(backbone, layers_for(kind), request.smoothing), kind


def working_size(request: StylizeRequest, device: torch.device) -> int:
    """Long side the optimisation runs at: request.size, or the device's cap when None."""
    if request.size is not None:
        return request.size
    return WORKING_CAP["cpu" if device.type == "cpu" else "gpu"]


def run_stylize(
    request: StylizeRequest,
    ctx: JobContext,
    runtime: ModelRuntime | None = None,
    taps: FeatureTaps | None = None,
) -> PatchResult:
    """Restyle `request.image` after `request.style`; returns a full-size PatchResult.

    result.pixels: HxWx4 RGBA uint8, the content's size and alpha (rect = the whole image).
    ctx.preview(rgba) gets the same kind of full-size image every `preview_every` evaluations
    (so the UI can keep the last one on Cancel); ctx.progress is called after each evaluation
    and cancel is also checked between the feature network's layers, forward and backward,
    so JobCancelled comes within one layer of the user's Cancel. Missing weights raise
    JobError whose message says how to get them. `taps` overrides the feature network
    (tests, benchmarks).
    """
    from editor.ml.style import StyleSettings, stylize

    device = ctx.policy().device if taps is None else next(taps.backbone.parameters()).device
    ctx.progress(0.0, "Preparing the feature network")
    kind = "custom"
    if taps is None:
        taps, kind = _feature_taps(request, ctx, runtime, device)
    window = _working_window(request)
    content_rgb = fit_long_side(
        request.image[window.slices()][..., :3], working_size(request, device)
    )
    # The style is measured at the working scale so its brush strokes keep their size.
    style_rgb = fit_long_side(
        request.style[..., :3], max(content_rgb.shape[:2]), allow_upscale=True
    )
    content = rgb_to_tensor(content_rgb, device)
    style = rgb_to_tensor(style_rgb, device)
    settings = StyleSettings(
        iterations=request.iterations,
        style_weight=BASE_STYLE_WEIGHT * request.strength,
        optimizer=request.optimizer,
        preview_every=request.preview_every,
        half=ctx.half_precision,
    )

    def on_step(stats: StepStats) -> None:
        fraction = _FETCH_SHARE + (1 - _FETCH_SHARE) * stats.fraction
        level = f", level {stats.level}/{stats.levels}" if stats.levels > 1 else ""
        ctx.progress(fraction, f"Iteration {stats.step}/{stats.total}{level}")

    def on_preview(step: int, image: torch.Tensor) -> None:
        ctx.preview(compose(request, window, image))

    ctx.progress(_FETCH_SHARE, f"Style transfer ({kind}, {content_rgb.shape[1]}×"
                                f"{content_rgb.shape[0]})")  # fmt: skip
    image = stylize(taps, content, style, settings, on_step, on_preview, ctx.check_cancelled)
    height, width = request.image.shape[:2]
    result = PatchResult(
        rect=Rect(0, 0, width, height),
        pixels=compose(request, window, image),
        title="Style transfer",
        notices=list(ctx.notices),
    )
    ctx.progress(1.0, "Done")
    return result
