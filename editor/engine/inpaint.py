"""Erase: fill the masked area from its surroundings, on a crop around the mask.

The methods live in one table, ERASE_METHODS (name -> EraseMethod): the trained network
("model") and classical fills (OpenCV's and PyPatchMatch's), which need no weights:
- "telea": Telea's fast marching (cv2.inpaint), the fast one (Shift+Backspace);
- "ns": Navier–Stokes (Bertalmío et al. 2001, cv2.inpaint);
- "shiftmap": shift-map completion with the statistics of patch offsets (He & Sun 2012,
  cv2.xphoto);
- "fsr_fast", "fsr_best": frequency-selective reconstruction (Seiler et al. 2015, Genser et al.
  2018, cv2.xphoto), two quality profiles;
- "patchmatch": multi-scale patch completion with PatchMatch (Barnes et al. 2009) from the
  PyPatchMatch package (C++, 7x7 patches at full resolution, unguided): slow, but it carries
  whole structures (buildings, a bridge deck) into big holes.
DEFAULT_ERASE_METHOD names the one Backspace and `retouch inpaint` use.

OpenCV's two contracts, checked on small images (tests/test_inpaint_methods.py):
- cv2.inpaint: 8-bit 1- or 3-channel, mask non-zero = hole, channels filled independently (no
  colour meaning, so RGB passes through as it is).
- cv2.xphoto.inpaint: mask non-zero = KNOWN, 0 = hole (the opposite). Shift-map takes any type
  and expects a Lab-like image (intensity first): RGB -> Lab -> RGB around it. FSR takes 8-bit
  1- or 3-channel BGR (it converts BGR -> YCrCb itself): RGB -> BGR -> RGB around it; FSR also
  reconstructs wrongly in partial 16-px blocks at the right and bottom edges, so the crop is
  padded (mirrored, hole with it) to whole blocks first.
Colour round trips move known pixels by ±1, so every classical fill returns the input's own
pixels outside the hole. Alpha (when not fully opaque) is continued with Telea, as the model
does.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from editor.core.pixels import mask_bbox, rgb_to_rgba
from editor.engine.context import JobContext, JobError
from editor.engine.crop import continue_alpha, crop_window, paste_fill
from editor.engine.requests import InpaintRequest
from editor.engine.results import PatchResult

# A classical fill: (HxWx3 uint8 RGB, HxW bool hole, radius px) -> HxWx3 uint8 RGB.
ClassicalFill = Callable[[np.ndarray, np.ndarray, int], np.ndarray]
FSR_BLOCK = 16  # FSR's largest block; its FFT window is 32 px
SHIFTMAP_CONTEXT = 0.5  # shift-map copies patches from around the hole: half its size each side
MODEL_CONTEXT = 0.5  # the network reads the whole crop: a big object keeps its surroundings


def _cv_inpaint(flag_name: str) -> ClassicalFill:
    def fill(rgb: np.ndarray, hole: np.ndarray, radius: int) -> np.ndarray:
        import cv2

        hole_u8 = hole.astype(np.uint8) * 255
        return cv2.inpaint(np.ascontiguousarray(rgb), hole_u8, radius, getattr(cv2, flag_name))

    return fill


def _xphoto(flag_name: str, to_code: str, from_code: str, block: int = 1,
            lab_gaps: bool = False) -> ClassicalFill:  # fmt: skip
    """cv2.xphoto.inpaint in the colour space it expects, on a crop padded to whole `block`s.
    `lab_gaps`: shift-map can leave hole pixels unwritten (seen on a 512-px sailboat and on
    holes with a 1-px rim); they keep the output's initial Lab (0, 0, 0), which no RGB colour
    converts to, and are filled with Telea from everything around them."""

    def fill(rgb: np.ndarray, hole: np.ndarray, radius: int) -> np.ndarray:
        import cv2

        height, width = hole.shape
        pad_h = max(2 * block, -(-height // block) * block) - height if block > 1 else 0
        pad_w = max(2 * block, -(-width // block) * block) - width if block > 1 else 0
        pads = ((0, pad_h), (0, pad_w))
        known = np.pad(~hole, pads, mode="symmetric").astype(np.uint8) * 255  # 255 = known
        src = cv2.cvtColor(np.pad(rgb, (*pads, (0, 0)), mode="symmetric"), getattr(cv2, to_code))
        out = np.zeros_like(src)
        cv2.xphoto.inpaint(src, known, out, getattr(cv2.xphoto, flag_name))
        rgb_out = cv2.cvtColor(out, getattr(cv2, from_code))[:height, :width]
        if lab_gaps:
            gaps = hole & ~out[:height, :width].any(axis=2)
            if gaps.any():
                gaps_u8 = gaps.astype(np.uint8) * 255
                rgb_out = cv2.inpaint(rgb_out, gaps_u8, max(radius, 3), cv2.INPAINT_TELEA)
        return rgb_out

    return fill


def _patchmatch(rgb: np.ndarray, hole: np.ndarray, radius: int) -> np.ndarray:
    """PyPatchMatch's inpaint (any 3-channel order, mask non-zero = hole), seeded so the same
    input gives the same fill."""
    import patchmatch

    if not patchmatch.patchmatch_available:
        raise JobError("PatchMatch is not available here: its native library did not load.")
    patchmatch.set_random_seed(0)
    hole_u8 = hole.astype(np.uint8) * 255
    filled: np.ndarray = patchmatch.inpaint(np.ascontiguousarray(rgb), hole_u8, patch_size=3)
    return filled


@dataclass(frozen=True)
class EraseMethod:
    """One way to fill a hole. `fill` is None for the trained model (editor.engine.inpaint_model).
    `margin` / `min_size`: the least context (px) kept around the mask / the least crop side;
    `context`: the least margin as a fraction of the mask's longer side (patch methods copy
    from the crop, so a big hole needs a big neighbourhood)."""

    name: str
    title: str  # the result's name in the editor
    description: str
    fill: ClassicalFill | None
    margin: int = 0
    min_size: int = 0
    context: float = 0.0


_METHODS = (
    EraseMethod("model", "Erase (model)", "the trained inpainting network; PatchMatch lifted "
                "to full resolution for holes bigger than its working size", None, 48, 128,
                context=MODEL_CONTEXT),
    EraseMethod("telea", "Erase (fast)", "OpenCV Telea fast marching (classical)",
                _cv_inpaint("INPAINT_TELEA")),
    EraseMethod("ns", "Erase (Navier–Stokes)", "OpenCV Navier–Stokes (classical)",
                _cv_inpaint("INPAINT_NS")),
    EraseMethod("shiftmap", "Erase (shift-map)", "OpenCV contrib shift-map, patch offsets "
                "(classical)",
                _xphoto("INPAINT_SHIFTMAP", "COLOR_RGB2Lab", "COLOR_Lab2RGB", lab_gaps=True),
                context=SHIFTMAP_CONTEXT),
    EraseMethod("fsr_fast", "Erase (FSR fast)", "OpenCV contrib frequency-selective "
                "reconstruction, fast profile (classical)",
                _xphoto("INPAINT_FSR_FAST", "COLOR_RGB2BGR", "COLOR_BGR2RGB", FSR_BLOCK)),
    EraseMethod("fsr_best", "Erase (FSR best)", "OpenCV contrib frequency-selective "
                "reconstruction, best profile (classical, slow)",
                _xphoto("INPAINT_FSR_BEST", "COLOR_RGB2BGR", "COLOR_BGR2RGB", FSR_BLOCK)),
    EraseMethod("patchmatch", "Erase (PatchMatch)", "PatchMatch patch completion, PyPatchMatch "
                "(classical, slow)", _patchmatch, context=SHIFTMAP_CONTEXT),
)  # fmt: skip
ERASE_METHODS: dict[str, EraseMethod] = {method.name: method for method in _METHODS}
CLASSICAL_METHODS = tuple(name for name, method in ERASE_METHODS.items() if method.fill)
FAST_ERASE_METHOD = "telea"  # Shift+Backspace
# What Erase (Backspace) and `retouch inpaint` use unless told otherwise: change it only here.
# The trained fill network with its mirrored self-ensemble (models/MODELS.md).
# bench/inpaint_quality.py --limit 30 (120 photo/mask pairs, 2 CPU cores): the highest hole
# PSNR (+0.70 to +1.20 dB over Telea, +0.03 to +0.24 over FSR fast) and the lowest deep-feature
# distance and GMSD of the classical fills in every bucket, 0.16 s per photo; FSR fast takes
# 1.2-2.4 s per 160-px photo, 43 s on a 24 MP one; shift-map is last on these scattered masks
# (-4.5 to -5 dB). On crops above the working size the hole takes PatchMatch's layout on the
# shrunk crop with the network's colours, lifted to full resolution (big_hole.py): on 68
# object-sized holes (bench/blob_holes.py) 16.19 dB / 0.792 / 0.228 against PatchMatch's 15.20
# / 0.785 / 0.223 and Telea's 15.35 / 0.866 / 0.262, 1.6 s on the 24 MP case (target 3 s).
# PatchMatch at full resolution still looks better on 4 of 10 whole objects (the default on 1)
# but takes 8 s there: it is a choice, not the default (MODELS.md).
DEFAULT_ERASE_METHOD = "model"
# Holes up to this many pixels are filled in the job's own thread by these methods (a few tens
# of milliseconds, less than starting a child process); anything else runs in a child process.
INLINE_METHODS = ("telea", "ns")
NOTHING_AROUND = "Nothing is left around the mask to fill from: erase a smaller area."
INLINE_HOLE_PIXELS = 16_384


def default_erase_method() -> str:
    """The erase method the editor's Backspace and the CLI's `inpaint` use by default."""
    return DEFAULT_ERASE_METHOD


def erase_method(name: str) -> EraseMethod:
    try:
        return ERASE_METHODS[name]
    except KeyError:
        raise JobError(f"Unknown erase method '{name}'.") from None


def classical_fill(crop_rgba: np.ndarray, crop_mask: np.ndarray, method: str,
                   radius: int = 5) -> np.ndarray:  # fmt: skip
    """Fill the hole (`crop_mask` > 127) of an RGBA uint8 crop with a classical method.

    Returns RGBA uint8 of the same size: the input's own pixels outside the hole, the method's
    fill inside; alpha continued with Telea when the crop is not fully opaque. Raises JobError
    when no known pixel is left to fill from."""
    fill = erase_method(method).fill
    if fill is None:
        raise JobError(f"'{method}' is not a classical erase method.")
    hole = crop_mask > 127
    if not hole.any():
        return crop_rgba.copy()
    if hole.all():
        raise JobError(NOTHING_AROUND)
    rgb = crop_rgba[..., :3].copy()
    rgb[hole] = 0  # no method may see what is under the hole
    rgb = np.where(hole[..., None], fill(rgb, hole, radius), crop_rgba[..., :3])
    return rgb_to_rgba(rgb, continue_alpha(crop_rgba[..., 3], hole, radius))


def telea_fill(crop_rgba: np.ndarray, crop_mask: np.ndarray, radius: int) -> np.ndarray:
    """OpenCV's Telea fast marching fill. RGBA uint8 in and out (alpha filled the same way)."""
    return classical_fill(crop_rgba, crop_mask, "telea", radius)


def _classical_fill_job(crop_rgba: np.ndarray, crop_mask: np.ndarray, method: str, radius: int,
                        ctx: JobContext) -> np.ndarray:  # fmt: skip
    """classical_fill, stoppable: each method is one OpenCV call that never looks at Cancel
    (Telea took 0.66 s on a 6 MP photo's 330k-pixel hole, FSR 43 s on a 600x600 one), so all
    but a small Telea or Navier–Stokes fill run in a child process that Cancel kills."""
    hole_pixels = int(np.count_nonzero(crop_mask > 127))
    if method in INLINE_METHODS and hole_pixels <= INLINE_HOLE_PIXELS:
        return classical_fill(crop_rgba, crop_mask, method, radius)
    from editor.engine.child import call_in_child

    return call_in_child(classical_fill, crop_rgba, crop_mask, method, radius, ctx=ctx)


def run_inpaint(request: InpaintRequest, ctx: JobContext) -> PatchResult:
    """Returns the pasted-back crop as a PatchResult; pixels outside the dilated, feathered
    mask equal the input exactly."""
    method = erase_method(request.method)
    hole = mask_bbox(request.mask)
    if hole is None:
        raise JobError("The mask is empty: paint over what to erase first.")
    margin = max(request.margin, method.margin, round(method.context * max(hole.w, hole.h)))
    window = crop_window(request.mask, margin, method.min_size)
    assert window is not None
    ctx.progress(0.05, "Preparing")
    crop = request.image[window.rect.slices()]
    crop_mask = request.mask[window.rect.slices()]
    if (crop_mask > 127).all():
        raise JobError(NOTHING_AROUND)
    if method.fill is None:
        from editor.engine.inpaint_model import fill_with_model

        fill = fill_with_model(crop, crop_mask, ctx.part(0.1, 0.8))
    else:
        ctx.progress(0.1, f"Filling ({method.description})")
        fill = _classical_fill_job(crop, crop_mask, method.name, request.radius, ctx)
    ctx.progress(0.9, "Blending")
    ctx.check_cancelled()
    patch = paste_fill(crop, fill, crop_mask)
    ctx.progress(1.0, "Done")
    title = "Erase" if method.name == default_erase_method() else method.title
    return PatchResult(rect=window.rect, pixels=patch, title=title, notices=list(ctx.notices))
