"""Denoise an RGBA layer (or only the masked part) with the best denoiser on disk: KAIR's
published FFDNet once fetched, else the project's own trained model (always shipped).

The request part imports neither torch nor Qt, so requests.py can re-export it at application
start; run_denoise imports torch lazily. Both models (editor.ml.archs.ffdnet, .denoiser) take the
noise level as an input, so the strength is exactly the Gaussian sigma (0-255 units) it removes.
A live preview is the same job on a crop of the visible region.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

import numpy as np

from editor.core.pixels import check_mask, check_rgba
from editor.engine.context import JobCancelled, JobContext, JobError
from editor.engine.frozen import freeze_array

if TYPE_CHECKING:
    from collections.abc import Callable

    from editor.engine.devices import DevicePolicy
    from editor.ml.archs.denoiser import Denoiser
    from editor.ml.archs.ffdnet import FFDNet
    from editor.ml.manager import ModelManager
    from editor.ml.runtime import ModelRuntime

    DenoiserNet = Denoiser | FFDNet  # a denoiser with a noise-level input

DEFAULT_DENOISE_MODEL = "denoise"  # the project's own, shipped in models/: always there
# Tried in order; the first whose weights are on disk denoises (no download behind the user's
# back: `retouch models fetch ffdnet-color` or the Filter menu gets the published one).
PREFERRED_DENOISE_MODELS = ("ffdnet-color", DEFAULT_DENOISE_MODEL)
MAX_STRENGTH = 75.0  # sigma in 0-255 units; the range the model was trained on
CPU_TILE = 1024  # core tile on the CPU: progress and Cancel every ~1 MP
_MASK_MARGIN = 48  # context around the mask's bounding box (> the receptive radius)
_FETCH_SHARE = 0.05


@dataclass(frozen=True, eq=False)
class DenoiseRequest:
    """Snapshot of what a denoise needs.

    image: HxWx4 RGBA uint8, straight alpha (copied, read-only). strength: noise sigma to
    remove, in 0-255 units, 0..75 (0 returns the image unchanged). mask: optional HxW uint8
    (255 = denoise here), applied with a `feather`-pixel soft edge. model: registry name, or
    None for the best one with weights on disk (pick_denoise_model).
    tile: core tile size in pixels (None: 1024 on the CPU, from free memory on a GPU).
    """

    image: np.ndarray
    strength: float = 25.0
    mask: np.ndarray | None = None
    feather: int = 8
    model: str | None = None
    tile: int | None = None

    def __post_init__(self) -> None:
        if not 0.0 <= self.strength <= MAX_STRENGTH:
            raise ValueError(f"strength must be between 0 and {MAX_STRENGTH:g}, "
                             f"got {self.strength:g}")  # fmt: skip
        if self.feather < 0:
            raise ValueError(f"feather must not be negative, got {self.feather}")
        if self.tile is not None and self.tile < 16:
            raise ValueError(f"tile must be at least 16 pixels, got {self.tile}")
        freeze_array(self, "image", check_rgba(self.image))
        if self.mask is not None:
            if check_mask(self.mask).shape != self.image.shape[:2]:
                raise ValueError(
                    f"mask {self.mask.shape} does not match image {self.image.shape[:2]}"
                )
            freeze_array(self, "mask", self.mask)


def ensure_registered(runtime: ModelRuntime) -> None:
    """Add the denoise specs to the runtime's registry where the catalog does not list them."""
    from editor.ml.catalog_denoise import DENOISE, FFDNET_COLOR

    for spec in (FFDNET_COLOR, DENOISE):
        if spec.name not in runtime.manager.registry:
            runtime.manager.registry.add(spec)


def pick_denoise_model(manager: ModelManager) -> str:
    """The first of PREFERRED_DENOISE_MODELS with weights on disk, else the project's own."""
    for name in PREFERRED_DENOISE_MODELS:
        if name in manager.registry and manager.is_available(name):
            return name
    return DEFAULT_DENOISE_MODEL


def even_grid_size(length: int, tile: int) -> int:
    """Padded length whose tiling.split_evenly cuts into even-sized cores at even offsets.

    `tile` must be even. The pixel-unshuffle in the model means a tile starting at an odd
    pixel would see a different 2x2 phase than the whole image does (visible seams).
    """
    count = max(1, math.ceil(length / tile))
    core = math.ceil(length / count)
    core += core % 2
    return count * core


def denoise_rgb(
    model: DenoiserNet,
    rgb: np.ndarray,
    strength: float,
    ctx: JobContext,
    policy: DevicePolicy,
    tile: int | None,
    cpu_fallback: Callable[[], DenoiserNet] | None = None,
) -> np.ndarray:
    """HxWx3 uint8 RGB -> denoised HxWx3 uint8 RGB, tiled with feathered blending.

    `model` is a Denoiser already on `policy`'s device/dtype; strength in 0-255 units. The
    image is padded (replicate) so that every tile starts at an even pixel, and the overlap
    covers the model's receptive field, so the tiled result equals the one-pass result.
    """
    import torch
    import torch.nn.functional as F

    from editor.engine.tiling import choose_tile, upscale_tiled
    from editor.ml.archs.denoiser import FixedSigma

    height, width = rgb.shape[:2]
    overlap = 2 * math.ceil(model.receptive_radius / 2) * 2  # blended pixels see it all too
    bound = FixedSigma(model, strength / 255.0)
    fallback = None if cpu_fallback is None else (lambda: FixedSigma(cpu_fallback(), bound.sigma))
    if tile is None:
        tile = choose_tile(bound, height, width, overlap, policy)
    tile = max(2, tile + tile % 2)  # even (rounded up: a one-pass size stays one pass)
    pad_h = even_grid_size(height, tile) - height
    pad_w = even_grid_size(width, tile) - width
    with torch.inference_mode():
        x = torch.from_numpy(np.ascontiguousarray(rgb)).permute(2, 0, 1).unsqueeze(0)
        x = x.float().div_(255.0)
        if pad_h or pad_w:
            x = F.pad(x, (0, pad_w, 0, pad_h), mode="replicate")
        out = upscale_tiled(bound, x, 1, tile, overlap, ctx, policy, fallback,
                            ("Denoising", "Denoised"))  # fmt: skip
        out = out[0, :, :height, :width].mul_(255.0).round_().clamp_(0, 255).byte()
    return out.permute(1, 2, 0).numpy()


def run_denoise(
    request: DenoiseRequest, ctx: JobContext, runtime: ModelRuntime | None = None
) -> np.ndarray:
    """Denoise `request.image`; returns HxWx4 RGBA uint8 of the same size, alpha unchanged.

    Without a mask every pixel is processed; with one only its neighbourhood is, and the
    result is blended in through the feathered mask (pixels beyond it are bit-for-bit kept).
    Raises JobError when the weights are unavailable, JobCancelled on Cancel (between tiles).
    """
    import torch

    from editor.ml.errors import FetchCancelled, ModelError

    image = request.image
    height, width = image.shape[:2]
    result = np.array(image, copy=True)
    if request.strength == 0:
        ctx.progress(1.0, "Nothing to do at strength 0")
        return result
    rect = None
    if request.mask is not None:
        from editor.engine.crop import crop_window

        window = crop_window(request.mask, _MASK_MARGIN + request.feather)
        if window is None:
            raise JobError("The selection is empty: select the part to denoise first.")
        rect = window.rect

    runtime = runtime or ctx.runtime
    ensure_registered(runtime)
    name = request.model or pick_denoise_model(runtime.manager)
    policy = ctx.policy()
    ctx.progress(0.0, "Preparing the denoiser")
    try:
        _, model = runtime.get(
            name, policy.device, policy.dtype, policy.channels_last,
            ctx.part(0.0, _FETCH_SHARE).progress, ctx.is_cancelled,
        )  # fmt: skip
    except FetchCancelled as exc:
        raise JobCancelled() from exc
    except ModelError as exc:
        raise JobError(f"The denoiser is unavailable: {exc}") from exc

    tile = request.tile or (CPU_TILE if policy.device.type == "cpu" else None)
    area = (slice(0, height), slice(0, width)) if rect is None else rect.slices()
    # The denoise models' architectures (editor.ml.archs.denoiser, .ffdnet): the registry
    # builds them, the runtime hands them back as plain modules.
    rgb = denoise_rgb(
        cast("DenoiserNet", model), image[area][..., :3], request.strength,
        ctx.part(_FETCH_SHARE, 0.9), policy, tile,
        cpu_fallback=lambda: cast("DenoiserNet", runtime.get(name, torch.device("cpu"))[1]),
    )  # fmt: skip
    ctx.progress(0.97, "Finishing")
    if request.mask is None:
        result[..., :3] = rgb
    else:
        from editor.engine.crop import paste_fill

        original = image[area]
        fill = np.array(original, copy=True)
        fill[..., :3] = rgb
        result[area] = paste_fill(original, fill, request.mask[area], 0, request.feather)
    ctx.progress(1.0, "Done")
    return result
