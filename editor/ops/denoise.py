"""Denoise (`retouch denoise`): remove noise of a given strength (sigma, 0-255 units)."""

from __future__ import annotations

from dataclasses import dataclass

from editor.engine.denoise import MAX_STRENGTH, PREFERRED_DENOISE_MODELS, DenoiseRequest
from editor.ops.spec import FileInput, Inputs, Operation, Preview, ResultKind, param


@dataclass(frozen=True)
class DenoiseParams:
    strength: float = param(25.0, label="Noise level (σ)", minimum=0.0, maximum=MAX_STRENGTH,
                            help="noise sigma to remove, 0-75 in 0-255 units (15 light, 25 "
                            "medium, 50 heavy)")  # fmt: skip
    tile: int | None = param(None, type=int, help="tile size in pixels (default: automatic)",
                             minimum=16)  # fmt: skip
    model: str | None = param(None, type=str, choices=PREFERRED_DENOISE_MODELS,
                              help="default: ffdnet-color once fetched (retouch models fetch "
                              "ffdnet-color), else ours")  # fmt: skip


def build(inputs: Inputs, params: DenoiseParams) -> DenoiseRequest:
    return DenoiseRequest(image=inputs.image, strength=params.strength, mask=inputs.files["mask"],
                          tile=params.tile, model=params.model)  # fmt: skip


OPERATION = Operation(
    id="denoise",
    title="Denoise",
    summary="remove noise (Gaussian, sensor grain)",
    run="editor.engine.denoise:run_denoise",
    request="DenoiseRequest",
    params=DenoiseParams,
    build=build,
    files=(FileInput("mask", "denoise only where this mask is white (or opaque)"),),
    models=PREFERRED_DENOISE_MODELS,
    needs=(PREFERRED_DENOISE_MODELS,),
    result=ResultKind.IMAGE,
    batchable=True,
    preview=Preview.REGION,
    dialog="StrengthDialog",
)
