"""Erase: fill the masked area from its surroundings, on a crop around the mask."""

from __future__ import annotations

import numpy as np

from editor.core.pixels import rgb_to_rgba
from editor.engine.context import JobContext, JobError
from editor.engine.crop import crop_window, paste_fill
from editor.engine.requests import InpaintRequest
from editor.engine.results import PatchResult

# "model": the trained inpainting network; "telea": OpenCV's classical fill (no weights).
ERASE_METHODS = ("model", "telea")
# What Erase (Backspace) and `retouch inpaint` use unless told otherwise: change it only here.
DEFAULT_ERASE_METHOD = "model"


def default_erase_method() -> str:
    """The erase method the editor's Backspace and the CLI's `inpaint` use by default."""
    return DEFAULT_ERASE_METHOD


def telea_fill(crop_rgba: np.ndarray, crop_mask: np.ndarray, radius: int) -> np.ndarray:
    """OpenCV's Telea fast marching fill. RGBA uint8 in and out (alpha filled the same way)."""
    import cv2

    hole = (crop_mask > 127).astype(np.uint8) * 255
    # cv2.inpaint takes 1 or 3 channels; RGB order passes through untouched (no BGR meaning).
    rgb = cv2.inpaint(np.ascontiguousarray(crop_rgba[..., :3]), hole, radius, cv2.INPAINT_TELEA)
    alpha = crop_rgba[..., 3]
    if (alpha < 255).any():
        alpha = cv2.inpaint(np.ascontiguousarray(alpha), hole, radius, cv2.INPAINT_TELEA)
    return rgb_to_rgba(rgb, alpha)


def run_inpaint(request: InpaintRequest, ctx: JobContext) -> PatchResult:
    """Returns the pasted-back crop as a PatchResult; pixels outside the dilated, feathered
    mask equal the input exactly."""
    # The model needs more context than Telea: a wider margin and a minimum crop.
    neural = request.method == "model"
    window = crop_window(
        request.mask, max(request.margin, 48) if neural else request.margin, 128 if neural else 0
    )
    if window is None:
        raise JobError("The mask is empty: paint over what to erase first.")
    ctx.progress(0.05, "Preparing")
    crop = request.image[window.rect.slices()]
    crop_mask = request.mask[window.rect.slices()]
    if request.method == "telea":
        ctx.progress(0.1, "Filling (fast)")
        fill = telea_fill(crop, crop_mask, request.radius)
        title = "Erase (fast)"
    elif request.method == "model":
        from editor.engine.inpaint_model import fill_with_model

        fill = fill_with_model(crop, crop_mask, ctx.part(0.1, 0.8))
        title = "Erase"
    else:
        raise JobError(f"Unknown erase method '{request.method}'.")
    ctx.progress(0.9, "Blending")
    patch = paste_fill(crop, fill, crop_mask)
    ctx.progress(1.0, "Done")
    return PatchResult(rect=window.rect, pixels=patch, title=title, notices=list(ctx.notices))
