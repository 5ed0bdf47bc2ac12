"""Upscale an RGBA layer x2 or x4 with a super-resolution model (Real-ESRGAN family).

The request module part (UpscaleRequest) imports neither torch nor Qt, so requests.py can
re-export it at application start; run_upscale imports torch lazily.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from editor.core.pixels import check_rgba
from editor.engine.context import JobCancelled, JobContext, JobError
from editor.engine.frozen import freeze_array

if TYPE_CHECKING:
    from editor.ml.runtime import ModelRuntime

DEFAULT_UPSCALE_MODEL = "photo-fast"  # shipped in models/, fast on a CPU
SCALES = (2, 4)


@dataclass(frozen=True)
class UpscaleRequest:
    """Snapshot of what an upscale needs.

    image: HxWx4 RGBA uint8, straight alpha (copied, read-only). scale: 2 or 4.
    model: registry name. tile: core tile size in input pixels, None = from free memory.
    """

    image: np.ndarray
    scale: int = 4
    model: str = DEFAULT_UPSCALE_MODEL
    tile: int | None = None

    def __post_init__(self) -> None:
        if self.scale not in SCALES:
            raise ValueError(f"scale must be one of {SCALES}, got {self.scale}")
        if self.tile is not None and self.tile < 8:
            raise ValueError(f"tile must be at least 8 pixels, got {self.tile}")
        freeze_array(self, "image", check_rgba(self.image))


def upscale_alpha(alpha: np.ndarray, width: int, height: int) -> np.ndarray:
    """Resize an HxW uint8 alpha plane with bicubic interpolation (clipped; opaque stays opaque)."""
    if alpha.min() == 255:
        return np.full((height, width), 255, np.uint8)
    import cv2

    return cv2.resize(alpha, (width, height), interpolation=cv2.INTER_CUBIC)


def run_upscale(
    request: UpscaleRequest, ctx: JobContext, runtime: ModelRuntime | None = None
) -> np.ndarray:
    """Upscale `request.image`; returns HxWx4 RGBA uint8 of size (H*scale, W*scale).

    RGB goes through the model (float32 [0,1] NCHW on the best device, tiled); a x4 model used
    for x2 has its output reduced with area interpolation. Alpha is resized separately.
    Raises JobError when weights are unavailable (message says how to get them), JobCancelled.
    """
    import torch
    import torch.nn.functional as F

    from editor.engine.tiling import upscale_tiled
    from editor.ml.errors import FetchCancelled, ModelError

    runtime = runtime or ctx.runtime
    policy = ctx.policy()
    height, width = request.image.shape[:2]
    ctx.progress(0.0, "Preparing the model")
    fetch_ctx = ctx.part(0.0, 0.1)
    try:
        spec, model = runtime.get(
            request.model, policy.device, policy.dtype, policy.channels_last,
            fetch_ctx.progress, ctx.is_cancelled,
        )  # fmt: skip
    except FetchCancelled as exc:
        raise JobCancelled() from exc
    except ModelError as exc:
        raise JobError(str(exc)) from exc
    if request.scale > spec.scale or spec.scale % request.scale:
        raise JobError(f"{spec.title} upscales x{spec.scale}; it cannot make x{request.scale}")

    new_h, new_w = height * request.scale, width * request.scale
    result = np.empty((new_h, new_w, 4), np.uint8)
    with torch.inference_mode():
        rgb = torch.from_numpy(np.ascontiguousarray(request.image[..., :3]))
        x = rgb.permute(2, 0, 1).unsqueeze(0).float().div_(255.0)
        out = upscale_tiled(
            model, x, spec.scale, request.tile, ctx=ctx.part(0.1, 0.85), policy=policy,
            cpu_fallback=lambda: runtime.get(request.model, torch.device("cpu"))[1],
        )  # fmt: skip
        if spec.scale != request.scale:
            out = F.interpolate(out, size=(new_h, new_w), mode="area")
        ctx.progress(0.97, "Finishing")
        rgb_out = out[0].mul_(255.0).round_().clamp_(0, 255).byte()  # in place: outputs are big
        result[..., :3] = rgb_out.permute(1, 2, 0).numpy()
    result[..., 3] = upscale_alpha(request.image[..., 3], new_w, new_h)
    ctx.progress(1.0, "Done")
    return result
