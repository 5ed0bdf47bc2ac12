"""Sketch to photo: render a line drawing, steered by colour scribbles, with a subject's
sketcher (editor.ml.archs.sketcher).

The request part imports neither torch nor Qt; `run_sketch` imports torch lazily. Black and
gray strokes are lines, coloured strokes are scribbles (editor.ml.scribbles). The model runs
with the drawing's long side at its working size (lines made crisp there, as in training) and
the photo is upscaled back to the sketch size.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from editor.core.geometry import Rect
from editor.core.pixels import blend_by_mask, check_mask, check_rgba
from editor.engine.context import JobContext, JobError
from editor.engine.frozen import freeze_array
from editor.engine.results import PatchResult

DEFAULT_SUBJECT = "landscapes"
if TYPE_CHECKING:
    from collections.abc import Callable

    import torch

    from editor.engine.sketch_model import SketchModel

INK_BELOW = 0.85  # a working-size pixel at least 15 % covered by ink counts as a line
MASK_FEATHER = 3  # px of soft edge where a masked result meets the base image


@dataclass(frozen=True, eq=False)
class SketchRequest:
    """Snapshot of what a sketch → photo render needs.

    sketch: HxWx4 RGBA uint8, dark lines on white or on transparency (transparent = paper),
    coloured strokes are scribbles. mask: optional HxW uint8 (255 = render here). base: optional
    HxWx4 RGBA uint8 image the render is placed into (outside the mask it is returned
    unchanged); without a base, pixels outside the mask are transparent. subject: which model
    draws (a key of editor.ml.catalog_sketch.SUBJECTS).
    """

    sketch: np.ndarray
    mask: np.ndarray | None = None
    base: np.ndarray | None = None
    subject: str = DEFAULT_SUBJECT

    def __post_init__(self) -> None:
        if self.subject not in sketch_subjects():
            raise ValueError(
                f"unknown sketch subject {self.subject!r} (one of {list(sketch_subjects())})"
            )
        shape = check_rgba(self.sketch).shape[:2]
        freeze_array(self, "sketch", self.sketch)
        if self.mask is not None:
            if check_mask(self.mask).shape != shape:
                raise ValueError(f"mask {self.mask.shape} does not match sketch {shape}")
            freeze_array(self, "mask", self.mask)
        if self.base is not None:
            if check_rgba(self.base).shape[:2] != shape:
                raise ValueError(f"base {self.base.shape[:2]} does not match sketch {shape}")
            freeze_array(self, "base", self.base)


def sketch_subjects() -> dict[str, str]:
    """Subject key → title, in menu order (read from the model catalog when first asked, so
    starting the editor does not import editor.ml)."""
    from editor.ml.catalog_sketch import SUBJECTS

    return {key: title for key, (title, _sha256) in SUBJECTS.items()}


def working_sketch(sketch: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """h×w float32 binary sketch (1 = paper, 0 = ink) from an H×W float32 one."""
    import cv2

    if sketch.shape != shape:
        sketch = cv2.resize(sketch, (shape[1], shape[0]), interpolation=cv2.INTER_AREA)
    return np.where(sketch < INK_BELOW, 0.0, 1.0).astype(np.float32)


def working_shape(height: int, width: int, working_size: int) -> tuple[int, int]:
    """(h, w) with the long side at most `working_size` (never enlarged), aspect kept."""
    scale = min(1.0, working_size / max(height, width))
    return max(1, round(height * scale)), max(1, round(width * scale))


def model_inputs(
    sketch_rgba: np.ndarray, working_size: int
) -> tuple[torch.Tensor, torch.Tensor, tuple[int, int]]:
    """(1×1×H'×W' drawing, 1×4×H'/4×W'/4 scribbles, (h, w)) float32 tensors for the sketcher:
    the drawing at the working size (h, w), padded with paper to multiples of its stride."""
    import cv2
    import torch

    from editor.ml.archs.decoder_blocks import STRIDE
    from editor.ml.archs.sketcher import SCRIBBLE_STRIDE as SCRIBBLE_CELL
    from editor.ml.scribbles import scribble_channels, split_sketch

    lines, colours, coverage = split_sketch(sketch_rgba)
    h, w = working_shape(lines.shape[0], lines.shape[1], working_size)
    small = working_sketch(lines, (h, w))
    full_h, full_w = -(-h // STRIDE) * STRIDE, -(-w // STRIDE) * STRIDE
    drawing = np.ones((full_h, full_w), np.float32)
    drawing[:h, :w] = small
    scribbles = torch.zeros(1, 4, full_h // SCRIBBLE_CELL, full_w // SCRIBBLE_CELL)
    if coverage.any():
        # An area resize averages like the pooling in scribble_channels, at a fraction of the
        # memory for a large layer.
        weight = cv2.resize(coverage, (w, h), interpolation=cv2.INTER_AREA)
        paint = cv2.resize(colours * coverage[..., None], (w, h), interpolation=cv2.INTER_AREA)
        cells = (-(-h // SCRIBBLE_CELL), -(-w // SCRIBBLE_CELL))
        hints = scribble_channels(torch.from_numpy(paint).permute(2, 0, 1)[None],
                                  torch.from_numpy(weight)[None, None], cells)  # fmt: skip
        scribbles[..., : cells[0], : cells[1]] = hints
    return torch.from_numpy(drawing)[None, None], scribbles, (h, w)


# Scribble spreading: each stroke's colour reaches the paper joined to it without crossing a
# drawn line (a geodesic on the drawing, as colorize spreads hints on L*), fading with distance,
# so a stroke colours the shape it is drawn in and not just the cells under it.
SCRIBBLE_DECAY = 0.99  # weight kept per 1/4-resolution cell stepped
LINE_EDGE = 12.0  # a step onto a line (a jump of 100 in "ink") keeps exp(-100/12) of the weight


def spread_scribbles(
    rgb: torch.Tensor,
    drawing: torch.Tensor,
    scribbles: torch.Tensor,
    check: Callable[[], None] | None = None,
) -> torch.Tensor:
    """1×3×H×W sRGB [0, 1] with each scribble's chroma spread over the region it is drawn in.

    rgb: the sketcher's output; drawing: its 1×1×H×W input (1 = paper); scribbles: its 1×4×
    H/4×W/4 input. Each connected stroke moves the chroma (Lab ab) of the cells reached from it
    toward its colour by the best path weight; lightness stays the model's. `check()` is called
    before each stroke (a job's cancel check: it may raise)."""
    import cv2
    import torch
    import torch.nn.functional as F

    from editor.ml import color
    from editor.ml.archs.sketcher import SCRIBBLE_STRIDE as SCRIBBLE_CELL
    from editor.ml.colorization import path_weights, step_weights

    mask = (scribbles[0, 3] > 0).numpy().astype(np.uint8)
    count, labels = cv2.connectedComponents(mask, connectivity=8)
    if count <= 1:
        return rgb
    lab = color.rgb_to_lab(rgb)
    predicted = F.avg_pool2d(lab[:, 1:], SCRIBBLE_CELL)[0].double()
    wanted = color.rgb_to_lab(scribbles[:, :3])[0, 1:].double()
    ink = F.max_pool2d(1.0 - drawing, SCRIBBLE_CELL)[0, 0].double() * 100.0
    step_x, step_y = step_weights(ink, SCRIBBLE_DECAY, LINE_EDGE)
    correction = torch.zeros_like(predicted)
    total = torch.zeros_like(ink)
    for stroke in range(1, count):
        if check is not None:
            check()
        sources = torch.from_numpy(labels == stroke)
        delta = wanted[:, sources].mean(1) - predicted[:, sources].mean(1)
        weight = path_weights(sources, step_x, step_y, check)
        correction += weight[None] * delta[:, None, None]
        total += weight
    correction = (correction / total.clamp_min(1.0)[None])[None].to(lab.dtype)
    lab[:, 1:] += F.interpolate(correction, size=lab.shape[-2:], mode="bilinear",
                                align_corners=False)  # fmt: skip
    return color.lab_to_rgb(lab).clamp(0.0, 1.0)


def render_rgb(
    sketch_rgba: np.ndarray, model: SketchModel, ctx: JobContext | None = None
) -> np.ndarray:
    """HxWx3 uint8 RGB photo of an HxWx4 RGBA sketch (rendered small, upscaled bicubically).
    With `ctx`, Cancel is answered within a layer of the model."""
    import cv2
    import torch

    from editor.engine.pass_watch import PassWatch
    from editor.ml.self_ensemble import mirrored_mean

    height, width = sketch_rgba.shape[:2]
    drawing, scribbles, (h, w) = model_inputs(sketch_rgba, model.working_size)
    ctx = ctx or JobContext()
    with torch.inference_mode(), PassWatch(model.module, ctx):
        # The mirrored pair (ml.self_ensemble): L1 0.6-2 % lower on every subject's held-out
        # drawings (bench/sketch_quality.py), twice the time.
        photo = mirrored_mean(model.module, drawing.to(model.device), scribbles.to(model.device))
        photo = spread_scribbles(photo.float().cpu(), drawing, scribbles, ctx.check_cancelled)
    rgb = photo[0, :, :h, :w].permute(1, 2, 0).float().cpu().numpy()
    out: np.ndarray = np.clip(rgb * 255.0 + 0.5, 0, 255).astype(np.uint8)
    if out.shape[:2] != (height, width):
        out = cv2.resize(out, (width, height), interpolation=cv2.INTER_CUBIC)
    return out


def _model(model: SketchModel | None, subject: str, ctx: JobContext) -> SketchModel:
    """`model`, else the subject's sketcher on the Settings' device from the job's cache."""
    ctx.progress(0.0, "Loading the sketch model")
    if model is not None:
        return model
    from editor.engine.lite0_decoders import job_load_options
    from editor.engine.sketch_model import load_sketcher

    return load_sketcher(subject, **job_load_options(ctx))


def run_sketch(
    request: SketchRequest, ctx: JobContext, model: SketchModel | None = None
) -> PatchResult:
    """PatchResult with an HxWx4 uint8 RGBA photo at the sketch size.

    With a mask: only inside it (feathered edge); outside is the base image exactly, or
    transparent without a base. `model` overrides the shipped weights (tests).
    """
    from editor.engine.crop import paste_weight

    if not (request.sketch[..., 3] > 0).any() and request.base is None:
        raise JobError("The sketch layer is empty: draw some lines first.")
    model = _model(model, request.subject, ctx)
    ctx.progress(0.2, "Rendering the sketch")
    height, width = request.sketch.shape[:2]
    photo = np.empty((height, width, 4), np.uint8)
    photo[..., :3] = render_rgb(request.sketch, model, ctx)
    photo[..., 3] = 255
    ctx.progress(0.9, "Blending")
    if request.mask is not None:
        weight = paste_weight(request.mask, 0, MASK_FEATHER)
        if request.base is not None:
            photo = blend_by_mask(request.base, photo, weight)
        else:
            photo[..., 3] = np.clip(weight * 255.0 + 0.5, 0, 255).astype(np.uint8)
    ctx.progress(1.0, "Done")
    return PatchResult(Rect(0, 0, width, height), photo, "Sketch to photo", list(ctx.notices))
