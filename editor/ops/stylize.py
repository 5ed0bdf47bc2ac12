"""Style transfer (`retouch stylize`): Gatys et al. 2015, optimising the image."""

from __future__ import annotations

from dataclasses import dataclass

from editor.engine.stylize import DEFAULT_ITERATIONS, FEATURE_CHOICES, StylizeRequest
from editor.ops.spec import FileInput, Inputs, MenuEntry, Operation, Preview, ResultKind, param


@dataclass(frozen=True)
class StylizeParams:
    iterations: int = param(DEFAULT_ITERATIONS, label="Iterations", minimum=1,
                            help="L-BFGS iterations at the full size (coarser levels get "
                            "more)")  # fmt: skip
    size: int | None = param(None, type=int, label="Working size", minimum=16,
                             help="working long side in pixels (default: the photo's own, "
                             "up to 1024 on a CPU, 2048 on a GPU)")  # fmt: skip
    strength: float = param(1.0, label="Strength", minimum=0.0,
                            help="style weight (1 = default, 0 = none)")  # fmt: skip
    features: str = param("auto", help="feature network", choices=FEATURE_CHOICES)
    smoothing: str = param("none", help="activation smoothing", choices=("none", "softmax"))
    optimizer: str = param("lbfgs", help="pixel optimiser", choices=("lbfgs", "adam"))


def build(inputs: Inputs, params: StylizeParams) -> StylizeRequest:
    style = inputs.files["style"]
    assert style is not None  # a required input
    return StylizeRequest(
        image=inputs.image, style=style, strength=params.strength,
        iterations=params.iterations, size=params.size, mask=inputs.files["mask"],
        features=params.features, smoothing=params.smoothing, optimizer=params.optimizer,
        preview_every=0,
    )  # fmt: skip


OPERATION = Operation(
    id="stylize",
    title="Style transfer",
    summary="repaint an image in the style of another",
    run="editor.engine.stylize:run_stylize",
    request="StylizeRequest",
    params=StylizeParams,
    build=build,
    files=(
        FileInput("style", "the style image (a painting, ...)", kind="image", required=True),
        FileInput("mask", "restyle only where this mask is white (or opaque)"),
    ),
    models=("efficientnet-lite0-imagenet", "vgg19-imagenet"),
    needs=(("efficientnet-lite0-imagenet", "vgg19-imagenet"),),  # either feature network
    result=ResultKind.PATCH,
    batchable=True,
    menu=MenuEntry("Filter", "&Style Transfer…", tip="Repaint the image in the style of another"),
    preview=Preview.FORMING,
    dialog="StyleDialog",
)
