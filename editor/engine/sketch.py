"""Sketch to photo: render a line drawing into a photo with the pix2pix sketch model.

The request part imports neither torch nor Qt; `run_sketch` imports torch lazily. The model
runs with the sketch's long side at its working size (lines are first made crisp there, as in
training), and the result is upscaled back to the sketch size.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from editor.core.geometry import Rect
from editor.core.pixels import blend_by_mask, check_mask, check_rgba
from editor.engine.context import JobContext, JobError
from editor.engine.results import PatchResult

if TYPE_CHECKING:
    from editor.engine.pix2pix_model import Generator

INK_BELOW = 0.85  # a working-size pixel at least 15 % covered by ink counts as a line
MASK_FEATHER = 3  # px of soft edge where a masked result meets the base image


@dataclass(frozen=True, eq=False)
class SketchRequest:
    """Snapshot of what a sketch → photo render needs.

    sketch: HxWx4 RGBA uint8, dark lines on white or on transparency (transparent = paper).
    mask: optional HxW uint8 (255 = render here). base: optional HxWx4 RGBA uint8 image the
    render is placed into (outside the mask it is returned unchanged); without a base, pixels
    outside the mask are transparent.
    """

    sketch: np.ndarray
    mask: np.ndarray | None = None
    base: np.ndarray | None = None

    def __post_init__(self) -> None:
        shape = check_rgba(self.sketch).shape[:2]
        _freeze(self, "sketch", self.sketch)
        if self.mask is not None:
            if check_mask(self.mask).shape != shape:
                raise ValueError(f"mask {self.mask.shape} does not match sketch {shape}")
            _freeze(self, "mask", self.mask)
        if self.base is not None:
            if check_rgba(self.base).shape[:2] != shape:
                raise ValueError(f"base {self.base.shape[:2]} does not match sketch {shape}")
            _freeze(self, "base", self.base)


def _freeze(request: SketchRequest, name: str, array: np.ndarray) -> None:
    snapshot = np.array(array, copy=True)
    snapshot.flags.writeable = False
    object.__setattr__(request, name, snapshot)


def working_sketch(sketch: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """h×w float32 binary sketch (1 = paper, 0 = ink) from an H×W float32 one."""
    import cv2

    if sketch.shape != shape:
        sketch = cv2.resize(sketch, (shape[1], shape[0]), interpolation=cv2.INTER_AREA)
    return np.where(sketch < INK_BELOW, 0.0, 1.0).astype(np.float32)


def render_rgb(
    sketch_rgba: np.ndarray, model: Generator, ctx: JobContext | None = None
) -> np.ndarray:
    """HxWx3 uint8 RGB photo of an HxWx4 RGBA sketch (rendered small, upscaled bicubically).
    With `ctx`, Cancel is answered within a layer of the model."""
    import cv2
    import torch

    from editor.engine.pass_watch import PassWatch
    from editor.engine.pix2pix_model import working_shape
    from editor.training.edges import sketch_from_rgba
    from editor.training.train_sketch import render

    height, width = sketch_rgba.shape[:2]
    small = working_sketch(
        sketch_from_rgba(sketch_rgba), working_shape(height, width, model.working_size)
    )
    with torch.inference_mode(), PassWatch(model.module, ctx or JobContext()):
        tensor = torch.from_numpy(small)[None, None].to(model.device)
        rgb = render(model.module, tensor)[0].permute(1, 2, 0).float().cpu().numpy()
    out = np.clip(rgb * 255.0 + 0.5, 0, 255).astype(np.uint8)
    if out.shape[:2] != (height, width):
        out = cv2.resize(out, (width, height), interpolation=cv2.INTER_CUBIC)
    return out


def run_sketch(request: SketchRequest, ctx: JobContext, model: Generator | None = None):
    """PatchResult with an HxWx4 uint8 RGBA photo at the sketch size.

    With a mask: only inside it (feathered edge); outside is the base image exactly, or
    transparent without a base. `model` overrides the shipped weights (tests).
    """
    from editor.engine.crop import paste_weight

    if not (request.sketch[..., 3] > 0).any() and request.base is None:
        raise JobError("The sketch layer is empty: draw some lines first.")
    ctx.progress(0.0, "Loading the sketch model")
    if model is None:
        from editor.engine.pix2pix_model import load_generator

        model = load_generator("sketch2photo")
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
