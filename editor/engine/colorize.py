"""Colorize: predict chroma at the model's working size, keep the full-resolution lightness.

The request part imports neither torch nor Qt (requests.py may re-export it at application
start); the run functions import torch lazily. The network (editor.ml.archs.colorizer, tensor
contract in editor.ml.colorization) predicts a distribution over ab bins at 1/4 of the working
size; this module does the pixel plumbing: working size, user colour hints, Vibrance (the
annealed-mean temperature), the chroma merge, strength, alpha and mask, and the most likely
colours at a point (the hint tool's suggestions).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from editor.core.geometry import Rect
from editor.core.pixels import blend_by_mask, check_mask, check_rgba
from editor.engine.context import JobContext
from editor.engine.frozen import freeze_array
from editor.engine.results import PatchResult

if TYPE_CHECKING:
    from collections.abc import Iterable

    import torch

    from editor.engine.colorize_model import ColorizeModel

Hint = tuple[int, int, tuple[int, int, int]]  # (x, y, (r, g, b)) in image pixels, RGB uint8
SUGGESTIONS = 6  # colours the hint tool offers at a point
# Vibrance (0 muted .. 1 vivid) maps to the annealed-mean temperature (editor.ml.colorization);
# the default was chosen on held-out photos by bench/colorize_quality.py (models/MODELS.md).
DEFAULT_VIBRANCE = 0.65
GUIDE_EPS = 1e-3  # guided filter regularisation (lightness in [0, 1]): edges of ~3 L* and up
# The full-resolution merge runs in bands of about this many pixels, Cancel checked between
# them (a 24 MP merge is one long pass otherwise): the merge costs about 1.5-3 us a pixel on
# one CPU core, so a band stays near 0.1-0.2 s.
BAND_PIXELS = 1 << 16


@dataclass(frozen=True, eq=False)
class ColorizeRequest:
    """Snapshot of what a colorization needs.

    image: HxWx4 RGBA uint8 (straight alpha), copied read-only. hints: user colour points
    (x, y, (r, g, b)) in image pixels; only their chroma is used. strength: 0 keeps the
    image's own chroma, 1 uses the predicted chroma only (values between mix the two).
    vibrance: 0 (safe, muted) .. 1 (most vivid).
    mask: optional HxW uint8 (255 = colorize here; soft values blend).
    region: only this part is merged and returned (a live preview of the visible part); the
    colours are still predicted from the whole image, so they match the full result.
    """

    image: np.ndarray
    hints: tuple[Hint, ...] = ()
    strength: float = 1.0
    mask: np.ndarray | None = None
    vibrance: float = DEFAULT_VIBRANCE
    region: Rect | None = None

    def __post_init__(self) -> None:
        if not 0.0 <= self.strength <= 1.0:
            raise ValueError(f"strength must be in [0, 1], got {self.strength}")
        if not 0.0 <= self.vibrance <= 1.0:
            raise ValueError(f"vibrance must be in [0, 1], got {self.vibrance}")
        height, width = check_rgba(self.image).shape[:2]
        freeze_array(self, "image", self.image)
        if self.mask is not None:
            if check_mask(self.mask).shape != (height, width):
                raise ValueError(f"mask {self.mask.shape} does not match image {(height, width)}")
            freeze_array(self, "mask", self.mask)
        object.__setattr__(self, "hints", _checked_hints(self.hints, width, height))
        full = Rect(0, 0, width, height)
        region = full if self.region is None else self.region.intersected(full)
        if region.is_empty():
            raise ValueError(f"region {self.region} lies outside the {width}x{height} image")
        object.__setattr__(self, "region", region)


@dataclass(frozen=True, eq=False)
class ColorSuggestRequest:
    """The model's most likely colours at image point (x, y) given the other hints.

    image: HxWx4 RGBA uint8 (copied read-only). Returns a tuple of ((r, g, b), probability),
    most probable first, shown at the clicked pixel's lightness kept within a readable range
    (a hint uses only the chroma).
    """

    image: np.ndarray
    x: int
    y: int
    hints: tuple[Hint, ...] = ()
    count: int = SUGGESTIONS

    def __post_init__(self) -> None:
        height, width = check_rgba(self.image).shape[:2]
        freeze_array(self, "image", self.image)
        if not (0 <= self.x < width and 0 <= self.y < height):
            raise ValueError(f"point ({self.x}, {self.y}) lies outside the {width}x{height} image")
        object.__setattr__(self, "hints", _checked_hints(self.hints, width, height))


def _checked_hints(hints: Iterable[Hint], width: int, height: int) -> tuple[Hint, ...]:
    out = []
    for x, y, rgb in hints:
        if not (0 <= x < width and 0 <= y < height):
            raise ValueError(f"hint ({x}, {y}) lies outside the {width}x{height} image")
        out.append((int(x), int(y), (int(rgb[0]), int(rgb[1]), int(rgb[2]))))
    return tuple(out)


def _lab(rgb: np.ndarray) -> torch.Tensor:
    """1×3×H×W float32 Lab tensor of an HxWx3 uint8 RGB array."""
    import torch

    from editor.ml.color import rgb_to_lab

    tensor = torch.from_numpy(np.array(rgb, np.float32)).permute(2, 0, 1)[None] / 255.0
    return rgb_to_lab(tensor)


def merge_chroma(original_rgba: np.ndarray, ab_small: np.ndarray, strength: float,
                 lab: torch.Tensor | None = None) -> np.ndarray:  # fmt: skip
    """Put upsampled chroma on the full-resolution lightness of `original_rgba`.

    original_rgba: HxWx4 uint8 RGBA. ab_small: hxwx2 float32 Lab a, b (any size; resized
    bilinearly to HxW). strength in [0, 1] mixes the original chroma (0) with ab_small (1).
    Returns HxWx4 uint8 RGBA with the input's alpha. Each pixel keeps its own L* exactly up to
    uint8 rounding: chroma that would leave the sRGB gamut is shortened (same hue) instead of
    clipping RGB, which would change the lightness. strength 0 returns an exact copy.
    `lab`: the input's 1×3×H×W Lab when the caller has it already.
    """
    import torch
    import torch.nn.functional as F

    from editor.ml.color import fit_chroma_in_gamut, lab_to_rgb

    check_rgba(original_rgba)
    if strength <= 0.0:
        return original_rgba.copy()
    height, width = original_rgba.shape[:2]
    lab = _lab(original_rgba[..., :3]) if lab is None else lab
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


def at_pixels(small: torch.Tensor, full_shape: tuple[int, int], region: Rect) -> torch.Tensor:
    """1×C×h×w float32: `small` (1×C×rows×cols, covering the whole full_shape image) resampled
    bilinearly at the pixel centres of `region` (the same as resizing it to the full size and
    cropping, without the full-size array)."""
    import torch
    import torch.nn.functional as F

    height, width = full_shape
    xs = (torch.arange(region.x, region.right, dtype=torch.float32) + 0.5) / width * 2 - 1
    ys = (torch.arange(region.y, region.bottom, dtype=torch.float32) + 0.5) / height * 2 - 1
    grid = torch.stack(torch.meshgrid(xs, ys, indexing="xy"), -1)[None]
    return F.grid_sample(small.float(), grid, mode="bilinear", padding_mode="border",
                         align_corners=False)  # fmt: skip


def chroma_for_region(
    ab_small: np.ndarray, full_shape: tuple[int, int], region: Rect
) -> torch.Tensor:
    """1×2×h×w float32 tensor: ab_small (rows×cols×2, covering the whole full_shape image)
    resampled bilinearly at the pixel centres of `region`."""
    import torch

    small = torch.from_numpy(np.ascontiguousarray(ab_small, np.float32)).permute(2, 0, 1)[None]
    return at_pixels(small, full_shape, region)


def guided_coefficients(
    image_rgba: np.ndarray, ab_small: np.ndarray, radius: int
) -> torch.Tensor:
    """The linear coefficients of a guided filter (He et al. 2010) that snaps upsampled chroma
    to the edges of the lightness, computed on the image subsampled by about radius / 4 (the
    fast guided filter, He & Sun 2015): 1×4×h×w float32 (a of a*, a of b*, b of a*, b of b*)
    covering the whole image. Chroma at a pixel is then a · L*/100 + b with the coefficients
    resampled there (`refined_chroma`), so any part of the image is coloured on its own, in
    bands, exactly as in the whole image."""
    import cv2
    import torch
    import torch.nn.functional as F

    height, width = image_rgba.shape[:2]
    step = max(1, radius // 4)
    size = max(1, round(height / step)), max(1, round(width / step))
    rgb = np.ascontiguousarray(image_rgba[..., :3])
    if size != (height, width):
        rgb = cv2.resize(rgb, (size[1], size[0]), interpolation=cv2.INTER_AREA)
    guide = (_lab(rgb)[0, 0].numpy() / 100.0).astype(np.float32)
    small = torch.from_numpy(np.ascontiguousarray(ab_small, np.float32)).permute(2, 0, 1)[None]
    source = F.interpolate(small, size=size, mode="bilinear", align_corners=False)[0].numpy()
    side = 2 * max(1, round(radius / step)) + 1

    def box(values: np.ndarray) -> np.ndarray:
        return cv2.boxFilter(values, -1, (side, side))

    mean_i = box(guide)
    var_i = box(guide * guide) - mean_i * mean_i
    slopes, offsets = [], []
    for channel in source:
        mean_p = box(channel)
        a = (box(guide * channel) - mean_i * mean_p) / (var_i + GUIDE_EPS)
        slopes.append(box(a))
        offsets.append(box(mean_p - a * mean_i))
    return torch.from_numpy(np.stack(slopes + offsets))[None]


def refined_chroma(
    coefficients: torch.Tensor, lab: torch.Tensor, full_shape: tuple[int, int], region: Rect
) -> torch.Tensor:
    """1×2×h×w chroma of `region` from guided_coefficients and the region's Lab (1×3×h×w)."""
    k = at_pixels(coefficients, full_shape, region)
    return k[:, :2] * (lab[:, :1] / 100.0) + k[:, 2:]


def _working_rgb(image_rgba: np.ndarray, working_size: int) -> torch.Tensor:
    """1×3×h×w float32 RGB [0, 1] of the image resized so its long side is ≤ working_size."""
    import cv2
    import torch

    height, width = image_rgba.shape[:2]
    scale = min(1.0, working_size / max(height, width))
    small = max(1, round(height * scale)), max(1, round(width * scale))
    rgb = np.ascontiguousarray(image_rgba[..., :3])
    if small != (height, width):
        rgb = cv2.resize(rgb, (small[1], small[0]), interpolation=cv2.INTER_AREA)
    return torch.from_numpy(rgb).permute(2, 0, 1)[None].float() / 255.0


def _cell(x: int, y: int, image_shape: tuple[int, ...], grid: tuple[int, ...]) -> tuple[int, int]:
    """The (row, column) of the 1/4-resolution cell holding image pixel (x, y)."""
    rows, cols = grid
    return (min(rows - 1, int((y + 0.5) * rows / image_shape[0])),
            min(cols - 1, int((x + 0.5) * cols / image_shape[1])))  # fmt: skip


def _hint_input(
    hints: tuple[Hint, ...], image_shape: tuple[int, ...], grid: tuple[int, int]
) -> torch.Tensor:
    """1×3×rows×cols decoder hint channels: each hint sets the chroma of its cell."""
    import torch

    from editor.ml.colorization import hint_channels

    ab = torch.zeros(1, 2, *grid)
    mask = torch.zeros(1, 1, *grid)
    for x, y, rgb in hints:
        row, col = _cell(x, y, image_shape, grid)
        ab[0, :, row, col] = _lab(np.array([[rgb]], np.uint8))[0, 1:, 0, 0]
        mask[0, 0, row, col] = 1.0
    return hint_channels(ab, mask)


def colour_logits(
    image_rgba: np.ndarray,
    hints: tuple[Hint, ...],
    model: ColorizeModel,
    ctx: JobContext | None = None,
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """(1×Q×rows×cols ab-bin logits, the decoder's hint input, the working-size RGB) for the
    image resized to the model's working size. With `ctx`, Cancel is answered inside the
    encoder and the decoder (every layer checks it, editor.engine.pass_watch)."""
    from editor.engine.pass_watch import PassWatch
    from editor.ml.archs.colorizer import OUTPUT_STRIDE
    from editor.ml.colorization import predict_logits

    rgb = _working_rgb(image_rgba, model.working_size)
    grid = (-(-rgb.shape[2] // OUTPUT_STRIDE), -(-rgb.shape[3] // OUTPUT_STRIDE))
    hint_input = _hint_input(hints, image_rgba.shape, grid)
    with PassWatch(model.module, ctx or JobContext()):
        logits = predict_logits(model.module, rgb.to(model.device), hint_input.to(model.device))
    return logits, hint_input, rgb


def predict_chroma(image_rgba: np.ndarray, hints: tuple[Hint, ...], model: ColorizeModel,
                   vibrance: float, ctx: JobContext | None = None) -> np.ndarray:  # fmt: skip
    """rows×cols×2 float32 Lab ab decoded at `vibrance`, with each hint's colour spread over
    its region. `ctx`: Cancel is checked in every layer and while spreading the hints."""
    from editor.ml.colorization import cell_lightness, decode_ab, spread_hints

    ctx = ctx or JobContext()
    logits, hint_input, rgb = colour_logits(image_rgba, hints, model, ctx)
    ab = decode_ab(logits, model.module.decoder, vibrance).float().cpu()
    ab = spread_hints(ab, cell_lightness(rgb), hint_input, check=ctx.check_cancelled)
    return ab[0].permute(1, 2, 0).numpy()


def _model(model: ColorizeModel | None, ctx: JobContext) -> ColorizeModel:
    ctx.progress(0.0, "Loading the colorize model")
    if model is not None:
        return model
    from editor.engine.colorize_model import load_colorizer
    from editor.engine.lite0_decoders import job_load_options

    return load_colorizer(**job_load_options(ctx))


def run_colorize(
    request: ColorizeRequest, ctx: JobContext, model: ColorizeModel | None = None
) -> PatchResult:
    """Colorized copy of the whole layer as a PatchResult (HxWx4 uint8 RGBA, alpha kept).

    Outside the mask (when given) pixels equal the input exactly. `model` overrides the
    shipped weights (tests); without it a missing model raises JobError saying how to get it.
    """
    model = _model(model, ctx)
    ctx.progress(0.2, "Predicting colours")
    ab_small = predict_chroma(request.image, request.hints, model, request.vibrance, ctx)
    region = request.region
    assert region is not None  # set by the request
    shape = request.image.shape[:2]
    radius = round(max(shape) / max(ab_small.shape[:2]))  # about one prediction cell
    # Below 2 px the prediction is already at (about) full resolution: nothing to snap.
    coefficients = guided_coefficients(request.image, ab_small, radius) if radius >= 2 else None
    out = np.empty((region.h, region.w, 4), np.uint8)
    rows = max(1, BAND_PIXELS // region.w)
    for top in range(region.y, region.bottom, rows):
        ctx.progress(0.5 + 0.5 * (top - region.y) / region.h,
                     "Merging colours onto the full-resolution image")  # fmt: skip
        band = Rect(region.x, top, region.w, min(rows, region.bottom - top))
        out[top - region.y : band.bottom - region.y] = _merge_band(request, ab_small,
                                                                   coefficients, band)  # fmt: skip
    ctx.progress(1.0, "Done")
    return PatchResult(region, out, "Colorize", list(ctx.notices))


def _merge_band(
    request: ColorizeRequest, ab_small: np.ndarray, coefficients: torch.Tensor | None, band: Rect
) -> np.ndarray:
    """The colorized pixels of `band` (HxWx4 uint8): the predicted chroma there, snapped to
    the lightness edges, on the band's own lightness, blended by the mask."""
    pixels = request.image[band.slices()]
    shape = request.image.shape[:2]
    lab = _lab(pixels[..., :3])
    if coefficients is None:
        ab = chroma_for_region(ab_small, shape, band)
    else:
        ab = refined_chroma(coefficients, lab, shape, band)
    merged = merge_chroma(pixels, ab[0].permute(1, 2, 0).numpy(), request.strength, lab)
    if request.mask is not None:
        weight = request.mask[band.slices()].astype(np.float32) / 255.0
        merged = blend_by_mask(pixels, merged, weight)
    return merged


def run_color_suggestions(
    request: ColorSuggestRequest, ctx: JobContext, model: ColorizeModel | None = None
) -> tuple[tuple[tuple[int, int, int], float], ...]:
    """The model's `count` most likely colours at the point, as sRGB with the pixel's L*."""
    import torch

    from editor.ml.ab_bins import top_colours
    from editor.ml.color import fit_chroma_in_gamut, lab_to_rgb

    model = _model(model, ctx)
    logits = colour_logits(request.image, request.hints, model, ctx)[0]
    row, col = _cell(request.x, request.y, request.image.shape, logits.shape[-2:])
    pixel = request.image[request.y : request.y + 1, request.x : request.x + 1, :3]
    l_star = _lab(pixel)[:, :1]
    # A mid lightness keeps very dark or light pixels' swatches readable as colours.
    l_star = l_star.clamp(35.0, 85.0)
    decoder = model.module.decoder
    # The plain posterior (the rebalancing tilt removed): how likely each colour really is.
    posterior = logits[0, :, row, col] - decoder.log_weight
    out = []
    for a, b, probability in top_colours(posterior, decoder.bin_ab, request.count):
        ab = fit_chroma_in_gamut(l_star, torch.tensor([[[[a]], [[b]]]]))
        rgb = lab_to_rgb(torch.cat([l_star, ab], 1))[0, :, 0, 0]
        red, green, blue = (int(round(float(v) * 255)) for v in rgb)
        out.append(((red, green, blue), probability))
    ctx.progress(1.0, "Done")
    return tuple(out)
