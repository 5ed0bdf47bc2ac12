"""Erase's fill for a hole bigger than the network's working size: PatchMatch completion on the
crop shrunk to a budget, lifted to full resolution with the photo's own pixels.

On whole objects (bench/object_removal.py) the network's fill of a big hole has the right
colours but is a mush where the background has structure (rooftops, a bridge deck, a house
front), and a patch synthesis guided by it follows the mush. PatchMatch completion (Barnes et
al. 2009; PyPatchMatch's multi-scale completion, editor/engine/inpaint.py's "patchmatch")
carries the structure across, but at full resolution it took 8 s on a 24 MP photo's 600x600
hole, and its time grows with the whole crop, not only the hole. So it runs on the crop shrunk
until the hole has HOLE_BUDGET pixels and the crop at most AREA_BUDGET, in a child process that
Cancel kills; `patch_synthesis.lift` then matches its fill (the layout) and the network's
(colours) to known patches and copies the photo's full-resolution pixels from there, so the
hole is sharp at 100 %. Both inputs count: PatchMatch's layout alone scored 1.0 dB lower on
bench/blob_holes.py and pasted clumps of hair on a neck; the network's alone pasted a rock
into a sailboat's sky (models/MODELS.md).
"""

from __future__ import annotations

import numpy as np

from editor.engine.context import JobContext

HOLE_BUDGET = 20_000  # hole pixels PatchMatch works on (as many as the lift matches)
AREA_BUDGET = 250_000  # crop pixels PatchMatch works on: 0.3 s there, 3.4 s at 0.8 MP
PATCHMATCH_RADIUS = 5  # classical_fill's radius argument (PatchMatch's patches are fixed 7x7)


def available() -> bool:
    """Whether PyPatchMatch's native library loads here (else Erase's big holes take the
    network's guided patch synthesis)."""
    try:
        import patchmatch
    except (ImportError, OSError):
        return False
    return bool(patchmatch.patchmatch_available)


def shrink_factor(hole_pixels: int, crop_pixels: int) -> float:
    """Scale (at most 1) at which the hole has HOLE_BUDGET pixels and the crop AREA_BUDGET."""
    return min(1.0, float(np.sqrt(HOLE_BUDGET / max(1, hole_pixels))),
               float(np.sqrt(AREA_BUDGET / max(1, crop_pixels))))  # fmt: skip


def patchmatch_layout(crop_rgb: np.ndarray, hole: np.ndarray,
                      ctx: JobContext) -> np.ndarray | None:  # fmt: skip
    """HxWx3 uint8: PatchMatch's completion of the shrunk crop, upscaled to the crop's size
    (soft; the lift makes it sharp); None when the shrunk crop is all hole. Pixels under the
    hole are never read. Raises JobCancelled on cancel."""
    import cv2

    from editor.engine.child import call_in_child
    from editor.engine.inpaint import classical_fill

    height, width = hole.shape
    scale = shrink_factor(int(np.count_nonzero(hole)), height * width)
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    known = np.where(hole[..., None], 0, crop_rgb).astype(np.uint8)
    small = np.dstack([cv2.resize(known, size, interpolation=cv2.INTER_AREA),
                       np.full(size[::-1], 255, np.uint8)])  # fmt: skip
    # A small pixel touched by the hole at all is a hole pixel: no hole colour leaks in.
    small_hole = cv2.resize(hole.astype(np.uint8) * 255, size, interpolation=cv2.INTER_AREA) > 0
    if small_hole.all():  # a thin rim of known pixels vanishes when shrunk
        return None
    small_mask = small_hole.astype(np.uint8) * 255
    small_fill = call_in_child(classical_fill, small, small_mask, "patchmatch", PATCHMATCH_RADIUS,
                               ctx=ctx)  # fmt: skip
    layout: np.ndarray = cv2.resize(np.ascontiguousarray(small_fill[..., :3]), (width, height),
                                    interpolation=cv2.INTER_CUBIC)  # fmt: skip
    return layout


def fill_big_hole(crop_rgb: np.ndarray, hole: np.ndarray, guide: np.ndarray,
                  ctx: JobContext) -> np.ndarray:  # fmt: skip
    """HxWx3 uint8: `crop_rgb` with its `hole` (HxW bool) filled in PatchMatch's layout with the
    photo's own pixels; `guide` (HxWx3 uint8) is the network's upscaled fill. Raises
    JobCancelled on cancel."""
    from editor.engine.patch_synthesis import lift

    ctx.progress(0.0, "Completing the hole with PatchMatch")
    layout = patchmatch_layout(crop_rgb, hole, ctx)
    if layout is None:  # nothing to complete from at that size: the network's layout
        layout = guide
    ctx.check_cancelled()
    ctx.progress(0.5, "Bringing in full-resolution texture")
    return lift(crop_rgb, hole, layout, guide, ctx.check_cancelled)
