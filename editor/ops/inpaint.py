"""Erase (`retouch inpaint`): fill the masked area from its surroundings."""

from __future__ import annotations

from dataclasses import dataclass

from editor.engine.inpaint import ERASE_METHODS, default_erase_method
from editor.engine.requests import InpaintRequest
from editor.ops.spec import FileInput, Inputs, MenuEntry, Operation, ResultKind, param


def _method_help() -> str:
    methods = "; ".join(f"{m.name}: {m.description}" for m in ERASE_METHODS.values())
    return f"{methods} (default: %(default)s, what the editor's Erase uses)"


@dataclass(frozen=True)
class EraseParams:
    method: str = param(factory=default_erase_method, label="Method", help=_method_help(),
                        choices=lambda: tuple(ERASE_METHODS))  # fmt: skip
    margin: int = param(32, label="Context", help="context pixels around the mask", minimum=0)


def build(inputs: Inputs, params: EraseParams) -> InpaintRequest:
    mask = inputs.files["mask"]
    assert mask is not None  # a required input
    return InpaintRequest(inputs.image, mask, params.method, params.margin)


OPERATION = Operation(
    id="inpaint",
    title="Erase",
    summary="erase the masked area of an image",
    run="editor.engine.inpaint:run_inpaint",
    request="InpaintRequest",
    params=EraseParams,
    build=build,
    files=(FileInput("mask", "white (or opaque) = erase", required=True),),
    models=("erase-fill",),  # the "model" method's
    result=ResultKind.PATCH,
    batchable=True,
    menu=MenuEntry("Filter", "&Erase", "Backspace", "Fill the masked area (the default erase "
                   "method)"),
)  # fmt: skip
