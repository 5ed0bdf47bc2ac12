"""Colorize: predict chroma at the model's working size, keep the full-resolution lightness.

The request part imports neither torch nor Qt (requests.py may re-export it at application
start); `run_colorize` imports torch lazily. The network is the pix2pix colorizer
(editor.training.train_colorize documents its tensors); this module does the pixel plumbing:
working size, user colour hints, the chroma merge, strength, alpha and mask.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from editor.core.geometry import Rect
from editor.core.pixels import blend_by_mask, check_mask, check_rgba
from editor.engine.context import JobContext
from editor.engine.results import PatchResult

if TYPE_CHECKING:
    from editor.engine.pix2pix_model import Generator

Hint = tuple[int, int, tuple[int, int, int]]  # (x, y, (r, g, b)) in image pixels, RGB uint8
HINT_SIDE = 3  # side (working-size pixels) of the square each hint colours (trained 1-5)


@dataclass(frozen=True, eq=False)
class ColorizeRequest:
    """Snapshot of what a colorization needs.

    image: HxWx4 RGBA uint8 (straight alpha), copied read-only. hints: user colour points
    (x, y, (r, g, b)) in image pixels; only their chroma is used. strength: 0 keeps the
    image's own chroma, 1 uses the predicted chroma only (values between mix the two).
    mask: optional HxW uint8 (255 = colorize here; soft values blend).
    """

    image: np.ndarray
    hints: tuple[Hint, ...] = ()
    strength: float = 1.0
    mask: np.ndarray | None = None

    def __post_init__(self) -> None:
        if not 0.0 <= self.strength <= 1.0:
            raise ValueError(f"strength must be in [0, 1], got {self.strength}")
        height, width = check_rgba(self.image).shape[:2]
        _freeze(self, "image", self.image)
        if self.mask is not None:
            if check_mask(self.mask).shape != (height, width):
                raise ValueError(f"mask {self.mask.shape} does not match image {(height, width)}")
            _freeze(self, "mask", self.mask)
        hints = []
        for x, y, rgb in self.hints:
            if not (0 <= x < width and 0 <= y < height):
                raise ValueError(f"hint ({x}, {y}) lies outside the {width}x{height} image")
            hints.append((int(x), int(y), (int(rgb[0]), int(rgb[1]), int(rgb[2]))))
        object.__setattr__(self, "hints", tuple(hints))


def _freeze(request: ColorizeRequest, name: str, array: np.ndarray) -> None:
    snapshot = np.array(array, copy=True)
    snapshot.flags.writeable = False
    object.__setattr__(request, name, snapshot)


def _lab(rgb: np.ndarray):
    """1×3×H×W float32 Lab tensor of an HxWx3 uint8 RGB array."""
    import torch

    from editor.training.color import rgb_to_lab

    tensor = torch.from_numpy(np.ascontiguousarray(rgb)).permute(2, 0, 1)[None].float() / 255.0
    return rgb_to_lab(tensor)


def merge_chroma(original_rgba: np.ndarray, ab_small: np.ndarray, strength: float) -> np.ndarray:
    """Put upsampled chroma on the full-resolution lightness of `original_rgba`.

    original_rgba: HxWx4 uint8 RGBA. ab_small: hxwx2 float32 Lab a, b (any size; resized
    bilinearly to HxW). strength in [0, 1] mixes the original chroma (0) with ab_small (1).
    Returns HxWx4 uint8 RGBA with the input's alpha. Each pixel keeps its own L* exactly up to
    uint8 rounding: chroma that would leave the sRGB gamut is shortened (same hue) instead of
    clipping RGB, which would change the lightness. strength 0 returns an exact copy.
    """
    import torch
    import torch.nn.functional as F

    from editor.training.color import fit_chroma_in_gamut, lab_to_rgb

    check_rgba(original_rgba)
    if strength <= 0.0:
        return original_rgba.copy()
    height, width = original_rgba.shape[:2]
    lab = _lab(original_rgba[..., :3])
    ab = torch.from_numpy(np.ascontiguousarray(ab_small, np.float32)).permute(2, 0, 1)[None]
    if ab.shape[-2:] != (height, width):
        ab = F.interpolate(ab, size=(height, width), mode="bilinear", align_corners=False)
    ab = strength * ab + (1.0 - strength) * lab[:, 1:]
    l_star = lab[:, :1]
    ab = fit_chroma_in_gamut(l_star, ab)
    rgb = lab_to_rgb(torch.cat([l_star, ab], dim=1))[0].permute(1, 2, 0).numpy()
    out = original_rgba.copy()
    out[..., :3] = np.clip(rgb * 255.0 + 0.5, 0, 255).astype(np.uint8)
    return out


def _hint_maps(hints: tuple[Hint, ...], height: int, width: int, small: tuple[int, int]):
    """(hint ab 1×2×h×w in Lab units, mask 1×1×h×w) at the working size."""
    import torch

    h, w = small
    ab = torch.zeros(1, 2, h, w)
    mask = torch.zeros(1, 1, h, w)
    for x, y, rgb in hints:
        colour = _lab(np.array([[rgb]], np.uint8))[0, 1:, 0, 0]
        sx = min(w - 1, int((x + 0.5) * w / width))
        sy = min(h - 1, int((y + 0.5) * h / height))
        x0, y0 = max(0, sx - HINT_SIDE // 2), max(0, sy - HINT_SIDE // 2)
        ab[0, :, y0 : y0 + HINT_SIDE, x0 : x0 + HINT_SIDE] = colour[:, None, None]
        mask[0, :, y0 : y0 + HINT_SIDE, x0 : x0 + HINT_SIDE] = 1.0
    return ab, mask


def predict_chroma(image_rgba: np.ndarray, hints: tuple[Hint, ...], model: Generator):
    """hxwx2 float32 Lab ab predicted at the working size (long side ≤ model.working_size)."""
    import cv2
    import torch

    from editor.engine.pix2pix_model import working_shape
    from editor.training.train_colorize import colorize_lab

    height, width = image_rgba.shape[:2]
    small = working_shape(height, width, model.working_size)
    rgb = np.ascontiguousarray(image_rgba[..., :3])
    if small != (height, width):
        rgb = cv2.resize(rgb, (small[1], small[0]), interpolation=cv2.INTER_AREA)
    l_star = _lab(rgb)[:, :1]
    hint_ab, hint_mask = _hint_maps(hints, height, width, small)
    with torch.inference_mode():
        ab = colorize_lab(model.module, l_star.to(model.device), hint_ab.to(model.device),
                          hint_mask.to(model.device))  # fmt: skip
    return ab[0].permute(1, 2, 0).float().cpu().numpy()


def run_colorize(
    request: ColorizeRequest, ctx: JobContext, model: Generator | None = None
) -> PatchResult:
    """Colorized copy of the whole layer as a PatchResult (HxWx4 uint8 RGBA, alpha kept).

    Outside the mask (when given) pixels equal the input exactly. `model` overrides the
    shipped weights (tests); without it a missing model raises JobError saying how to get it.
    """
    ctx.progress(0.0, "Loading the colorize model")
    if model is None:
        from editor.engine.pix2pix_model import load_generator

        model = load_generator("colorize")
    ctx.progress(0.2, "Predicting colours")
    ab_small = predict_chroma(request.image, request.hints, model)
    ctx.progress(0.7, "Merging colours onto the full-resolution image")
    merged = merge_chroma(request.image, ab_small, request.strength)
    if request.mask is not None:
        merged = blend_by_mask(request.image, merged, request.mask.astype(np.float32) / 255.0)
    height, width = merged.shape[:2]
    ctx.progress(1.0, "Done")
    return PatchResult(Rect(0, 0, width, height), merged, "Colorize", list(ctx.notices))
