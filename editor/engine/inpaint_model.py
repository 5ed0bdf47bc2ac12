"""Erase's default fill (the "model" method): the trained network for a crop within its working
size, PatchMatch lifted to full resolution for a bigger one.

The network is whichever architecture the weight file names (editor/ml/inpaint_nets.py: the
push-pull fill network or the partial-convolution U-Net). The caller (editor/engine/inpaint.py)
cuts the crop with `crop.crop_window` and pastes the result back with `crop.paste_fill`; this
module only computes the fill.

Working size: the network runs with the crop's long side at most `working_size` pixels (in the
weight file's metadata); smaller crops run at their own size. A larger crop means a big hole
(the crop is the hole plus half its size around it), filled on the downscaled crop and
upscaled: the right colours, but a mush where the background has structure. There the hole
takes the photo's own pixels (editor/engine/big_hole.py): in the layout of PatchMatch's
completion of the shrunk crop, matched with the network's colours: on ten whole objects it
carried the structure (a deck, rooftops, a roof line, panels) where the network's own layout
did not on 5, and was no worse on the rest (models/MODELS.md). Where PyPatchMatch's native library
is missing, the network's fill guides a patch synthesis instead (patch_synthesis.synthesize).
Pixels outside the hole are the crop's own. Torch is imported lazily: this module is only
reached from a job.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from editor.core.pixels import check_mask, check_rgba
from editor.engine.context import JobContext, JobError
from editor.engine.crop import continue_alpha

if TYPE_CHECKING:
    from torch import nn

MODEL_NAME = "erase-fill"  # its catalog spec (editor.ml.catalog_inpaint): file and sha256
MODEL_FILE = Path(__file__).resolve().parents[2] / "models" / "erase_fill.safetensors"
MISSING_MESSAGE = (
    "The inpainting model file (models/erase_fill.safetensors) is missing or damaged; "
    "use Erase (fast) instead."
)


def load_model(path: str, device: str, ctx: JobContext) -> tuple[nn.Module, int]:
    """(model in eval mode on `device`, working size) from `path`, kept in the job's model
    cache (the Settings' memory budget) under the file's identity."""
    from editor.ml.inpaint_nets import load_safetensors
    from editor.ml.safetensors_meta import read_safetensors_metadata

    file = Path(path)
    if not file.is_file():
        raise JobError(MISSING_MESSAGE)
    try:
        meta = read_safetensors_metadata(file)
        key = (MODEL_NAME, str(file), file.stat().st_mtime_ns, device)
        model = ctx.runtime.cache.get_or_load(key, lambda: load_safetensors(str(file), device)[0])
    except (ValueError, OSError, RuntimeError) as exc:
        raise JobError(f"{MISSING_MESSAGE} ({exc})") from exc
    return model, int(meta.get("working_size", "256"))


def shipped_model_file(ctx: JobContext) -> Path:
    """The shipped model's file, located by the model manager (which checks its sha256)."""
    from editor.ml.errors import ModelError

    try:
        return ctx.models.manager().ensure(MODEL_NAME, cancelled=ctx.is_cancelled)
    except ModelError as exc:
        raise JobError(MISSING_MESSAGE) from exc



def _resize(image: np.ndarray, width: int, height: int, shrink: bool) -> np.ndarray:
    import cv2

    interp = cv2.INTER_AREA if shrink else cv2.INTER_CUBIC
    return cv2.resize(image, (width, height), interpolation=interp)


def fill_with_model(
    crop_rgba: np.ndarray,
    crop_mask: np.ndarray,
    ctx: JobContext,
    model_path: str | Path | None = None,
    working_size: int | None = None,
    mirror_average: bool = True,
) -> np.ndarray:
    """Fill for `crop_rgba` (HxWx4 uint8 RGBA, straight alpha) where `crop_mask` (HxW uint8,
    255 = hole) is set. Returns HxWx4 uint8 RGBA, same size; the caller pastes it back with
    `paste_fill`. `working_size` overrides the file's and `mirror_average=False` runs one pass
    instead of the mirrored pair (benchmarks: inpaint_nets.predict_mirrored). Raises JobError
    when the model file is missing, JobCancelled on cancel."""
    import torch

    from editor.engine.pass_watch import PassWatch
    from editor.ml.inpaint_nets import predict_mirrored, predict_padded

    check_rgba(crop_rgba)
    check_mask(crop_mask)
    height, width = crop_mask.shape
    hole = crop_mask > 127
    if not hole.any():
        return crop_rgba.copy()
    ctx.progress(0.0, "Loading the inpainting model")
    device = str(ctx.policy().device)  # Settings' device; fp32 always (mask ratios)
    path = model_path or shipped_model_file(ctx)
    model, working = load_model(str(path), device, ctx)
    working = working_size or working
    ctx.progress(0.2, "Filling the hole")

    scale = min(1.0, working / max(height, width))
    small_w, small_h = max(1, round(width * scale)), max(1, round(height * scale))
    rgb = crop_rgba[..., :3]
    if scale < 1.0:
        rgb_small = _resize(rgb, small_w, small_h, shrink=True)
        # A small pixel touched by the hole at all is a hole pixel: no hole colour leaks in.
        hole_small = _resize(hole.astype(np.float32), small_w, small_h, shrink=True) > 0.0
    else:
        rgb_small, hole_small = rgb, hole

    with torch.inference_mode():
        image = torch.from_numpy(np.ascontiguousarray(rgb_small)).to(device)
        image = image.permute(2, 0, 1)[None].float().div_(255.0)
        known = torch.from_numpy(~hole_small).to(device)[None, None].float()
        with (
            torch.autocast(device_type=device, dtype=torch.float16,
                           enabled=device == "cuda" and ctx.half_precision),  # fmt: skip
            PassWatch(model, ctx),  # Cancel is answered within a layer, not after the pass
        ):
            predict = predict_mirrored if mirror_average else predict_padded
            out = predict(model, image * known, known)
        small = (out[0].permute(1, 2, 0).float().clamp(0, 1) * 255.0 + 0.5).byte().cpu().numpy()

    fill = crop_rgba.copy()
    if scale < 1.0:
        from editor.engine import big_hole
        from editor.engine.patch_synthesis import synthesize

        # The hole takes the photo's own pixels: in PatchMatch's layout with the network's
        # colours (big_hole.py), else laid out after the network.
        up = _resize(small, width, height, shrink=False)
        ctx.check_cancelled()
        if big_hole.available():
            filled = big_hole.fill_big_hole(rgb, hole, up, ctx.part(0.4, 0.55))
        else:
            ctx.progress(0.4, "Bringing in texture from around the hole")
            filled = synthesize(rgb, hole, up, ctx.check_cancelled)
        fill[..., :3][hole] = filled[hole]
    else:
        ctx.progress(0.8, "Blending")
        fill[..., :3][hole] = small[hole]
    fill[..., 3] = continue_alpha(crop_rgba[..., 3], hole)
    return fill
