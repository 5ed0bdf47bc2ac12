"""Colorize a black-and-white photo (`retouch colorize`), with optional colour hints."""

from __future__ import annotations

import argparse
from dataclasses import dataclass

from editor.engine.colorize import DEFAULT_VIBRANCE, ColorizeRequest
from editor.ops.spec import FileInput, Inputs, MenuEntry, Operation, Preview, ResultKind, param

Hint = tuple[int, int, tuple[int, int, int]]


def parse_hint(text: str) -> Hint:
    """'X,Y,#RRGGBB' (or 'X,Y,R,G,B') → (x, y, (r, g, b))."""
    parts = text.split(",")
    try:
        if len(parts) == 3 and parts[2].startswith("#") and len(parts[2]) == 7:
            value = parts[2][1:]
            rgb = tuple(int(value[i : i + 2], 16) for i in (0, 2, 4))
        elif len(parts) == 5:
            rgb = tuple(int(p) for p in parts[2:])
        else:
            raise ValueError
        x, y = int(parts[0]), int(parts[1])
    except ValueError:
        raise argparse.ArgumentTypeError(f"hint {text!r} is not X,Y,#RRGGBB") from None
    if not all(0 <= c <= 255 for c in rgb):
        raise argparse.ArgumentTypeError(f"hint {text!r}: colour values must be 0-255")
    return x, y, (rgb[0], rgb[1], rgb[2])


@dataclass(frozen=True)
class ColorizeParams:
    strength: float = param(1.0, label="Strength", help="0 (none) .. 1 (full)", minimum=0.0,
                            maximum=1.0)  # fmt: skip
    vibrance: float = param(DEFAULT_VIBRANCE, label="Vibrance", minimum=0.0, maximum=1.0,
                            help=f"0 (muted) .. 1 (vivid); default {DEFAULT_VIBRANCE}")  # fmt: skip
    hints: tuple[Hint, ...] = param((), type=parse_hint, repeat=True, flag="--hint",
                                    help="a colour point X,Y,#RRGGBB (repeatable)")  # fmt: skip


def build(inputs: Inputs, params: ColorizeParams) -> ColorizeRequest:
    return ColorizeRequest(inputs.image, params.hints, params.strength, inputs.files["mask"],
                           params.vibrance)  # fmt: skip


OPERATION = Operation(
    id="colorize",
    title="Colorize",
    summary="colorize a black-and-white photo",
    run="editor.engine.colorize:run_colorize",
    request="ColorizeRequest",
    params=ColorizeParams,
    build=build,
    files=(FileInput("mask", "colorize only where this mask is white"),),
    models=("colorize", "efficientnet-lite0-imagenet"),
    result=ResultKind.PATCH,
    batchable=True,
    menu=MenuEntry(
        "Filter",
        "&Colorize…",
        "Ctrl+Shift+C",
        "Colour a black-and-white photo; place hints with the hint tool (H)",
    ),
    preview=Preview.REGION,
    dialog="ColorizeDialog",
)
