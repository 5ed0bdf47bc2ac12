"""Upscale ×2 / ×4 with a super-resolution model (`retouch upscale`)."""

from __future__ import annotations

from dataclasses import dataclass

from editor.engine.upscale import DEFAULT_UPSCALE_MODEL, SCALES, UpscaleRequest
from editor.ops.spec import Inputs, Operation, ResultKind, param


@dataclass(frozen=True)
class UpscaleParams:
    scale: int = param(4, label="Scale", help="how many times larger", choices=SCALES)
    model: str = param(DEFAULT_UPSCALE_MODEL, label="Model", help="see `models list`")
    tile: int | None = param(None, type=int, help="tile size in input pixels (default: from "
                             "free memory)", minimum=8)  # fmt: skip


def build(inputs: Inputs, params: UpscaleParams) -> UpscaleRequest:
    return UpscaleRequest(inputs.image, params.scale, params.model, params.tile)


OPERATION = Operation(
    id="upscale",
    title="Upscale",
    summary="upscale an image x2 or x4",
    run="editor.engine.upscale:run_upscale",
    request="UpscaleRequest",
    params=UpscaleParams,
    build=build,
    models=("photo-fast", "realesrgan-x4plus", "realesr-animevideov3"),
    needs=(("photo-fast", "realesrgan-x4plus", "realesr-animevideov3"),),
    result=ResultKind.RESAMPLE,
    batchable=True,
)
