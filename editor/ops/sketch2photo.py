"""Sketch → photo (`retouch sketch2photo`): render a line drawing as a photo."""

from __future__ import annotations

from editor.engine.sketch import SketchRequest
from editor.ops.spec import FileInput, Inputs, MenuEntry, NoParams, Operation, ResultKind


def build(inputs: Inputs, params: NoParams) -> SketchRequest:
    return SketchRequest(inputs.image, inputs.files["mask"], inputs.files["base"])


OPERATION = Operation(
    id="sketch2photo",
    title="Sketch to photo",
    summary="render a line drawing as a photo",
    run="editor.engine.sketch:run_sketch",
    request="SketchRequest",
    build=build,
    source=("sketch", "dark lines on white or on transparency"),
    files=(
        FileInput("mask", "render only where this mask is white"),
        FileInput("base", "image to render into (outside the mask it is kept)", kind="image"),
    ),
    models=("sketch2photo",),
    result=ResultKind.PATCH,
    menu=MenuEntry(
        "Filter",
        "S&ketch to Photo",
        "Ctrl+Shift+K",
        "Render the sketch layer as a photo (inside the mask if there is one)",
    ),
)
