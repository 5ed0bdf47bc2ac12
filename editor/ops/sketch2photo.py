"""Sketch → photo (`retouch sketch2photo`): render a line drawing as a photo."""

from __future__ import annotations

from dataclasses import dataclass

from editor.engine.sketch import DEFAULT_SUBJECT, SketchRequest, sketch_subjects
from editor.ops.spec import FileInput, Inputs, MenuEntry, Operation, ResultKind, param


@dataclass(frozen=True)
class SketchParams:
    subject: str = param(DEFAULT_SUBJECT, label="Subject",
                         choices=lambda: tuple(sketch_subjects()),
                         help="which subject's model draws")  # fmt: skip


def build(inputs: Inputs, params: SketchParams) -> SketchRequest:
    return SketchRequest(inputs.image, inputs.files["mask"], inputs.files["base"],
                         params.subject)  # fmt: skip


OPERATION = Operation(
    id="sketch2photo",
    title="Sketch to photo",
    summary="render a line drawing as a photo",
    run="editor.engine.sketch:run_sketch",
    request="SketchRequest",
    params=SketchParams,
    build=build,
    source=("sketch", "dark lines on white or on transparency; coloured strokes are scribbles"),
    files=(
        FileInput("mask", "render only where this mask is white"),
        FileInput("base", "image to render into (outside the mask it is kept)", kind="image"),
    ),
    models=("sketch-landscapes", "sketch-people", "sketch-animals", "efficientnet-lite0-imagenet"),
    needs=(("sketch-landscapes", "sketch-people", "sketch-animals"),
           ("efficientnet-lite0-imagenet",)),  # fmt: skip
    result=ResultKind.PATCH,
    batchable=True,
    menu=MenuEntry(
        "Filter",
        "S&ketch to Photo",
        "Ctrl+Shift+K",
        "Render the sketch layer as a photo (inside the mask if there is one)",
    ),
)
