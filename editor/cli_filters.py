"""Headless filters: `retouch colorize IN -o OUT [--strength S] [--vibrance V]
[--hint X,Y,#RRGGBB ...]`
and `retouch sketch2photo SKETCH -o OUT [--mask M --base B]`.

`add_subcommands(subparsers)` registers them on the main CLI's argparse subparsers
(handler=function(args); failures raise JobError with a one-line message, like
editor.cli_models). No Qt and no torch at import.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from editor.cli_models import StderrProgress, _guarded
from editor.engine.colorize import DEFAULT_VIBRANCE


def parse_hint(text: str) -> tuple[int, int, tuple[int, int, int]]:
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


def _unit_interval(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number from 0 to 1")
    return value


def _report(dst: Path, pixels, notices: list[str]) -> None:
    for notice in notices:
        print(f"retouch: note: {notice}", file=sys.stderr)
    height, width = pixels.shape[:2]
    print(f"wrote {dst} ({width}x{height})", file=sys.stderr)


def _colorize(args: argparse.Namespace) -> None:
    from editor.engine.colorize import ColorizeRequest, run_colorize
    from editor.engine.context import JobContext
    from editor.fileio.load import load_image, load_mask
    from editor.fileio.save import format_for, save_image

    dst = Path(args.output)
    format_for(dst)  # refuse an unwritable output format before the work
    image = load_image(args.input)
    mask = load_mask(args.mask) if args.mask else None
    request = ColorizeRequest(image.pixels, tuple(args.hint), args.strength, mask, args.vibrance)
    progress = StderrProgress()
    result = run_colorize(request, JobContext(report=progress))
    progress.done()
    saved = save_image(dst, result.pixels, image.exif, image.icc_profile)
    _report(dst, result.pixels, [*image.notices, *result.notices, *saved])


def _sketch2photo(args: argparse.Namespace) -> None:
    from editor.engine.context import JobContext
    from editor.engine.sketch import SketchRequest, run_sketch
    from editor.fileio.load import load_image, load_mask
    from editor.fileio.save import format_for, save_image

    dst = Path(args.output)
    format_for(dst)
    sketch = load_image(args.sketch)
    mask = load_mask(args.mask) if args.mask else None
    base = load_image(args.base).pixels if args.base else None
    progress = StderrProgress()
    result = run_sketch(SketchRequest(sketch.pixels, mask, base), JobContext(report=progress))
    progress.done()
    save_image(dst, result.pixels)
    _report(dst, result.pixels, [*sketch.notices, *result.notices])


def add_subcommands(subparsers: Any) -> None:
    """Register `colorize` and `sketch2photo` on an argparse `add_subparsers()` object."""
    colorize = subparsers.add_parser("colorize", help="colorize a black-and-white photo")
    colorize.add_argument("input")
    colorize.add_argument("-o", "--output", required=True)
    colorize.add_argument("--strength", type=float, default=1.0, help="0 (none) .. 1 (full)")
    colorize.add_argument("--vibrance", type=_unit_interval, default=DEFAULT_VIBRANCE,
                          help=f"0 (muted) .. 1 (vivid); default {DEFAULT_VIBRANCE}")  # fmt: skip
    colorize.add_argument("--hint", type=parse_hint, action="append", default=[],
                          help="a colour point X,Y,#RRGGBB (repeatable)")  # fmt: skip
    colorize.add_argument("--mask", help="colorize only where this mask is white")
    colorize.set_defaults(handler=_guarded(_colorize))

    sketch = subparsers.add_parser("sketch2photo", help="render a line drawing as a photo")
    sketch.add_argument("sketch", help="dark lines on white or on transparency")
    sketch.add_argument("-o", "--output", required=True)
    sketch.add_argument("--mask", help="render only where this mask is white")
    sketch.add_argument("--base", help="image to render into (outside the mask it is kept)")
    sketch.set_defaults(handler=_guarded(_sketch2photo))


def main(argv: list[str] | None = None) -> int:
    """Standalone entry (python -m editor.cli_filters ...)."""
    from editor.engine.context import JobCancelled, JobError

    parser = argparse.ArgumentParser(prog="retouch")
    add_subcommands(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    try:
        args.handler(args)
    except JobError as error:
        print(f"retouch {args.command}: {error}", file=sys.stderr)
        return 1
    except JobCancelled:
        print(f"retouch {args.command}: cancelled", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
