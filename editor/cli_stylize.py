"""Headless style transfer: `retouch stylize IN --style STYLE -o OUT [--iterations N] ...`.

`add_subcommands(subparsers)` registers the command on the main CLI's argparse subparsers
(handler=function(args), errors as JobError / JobCancelled like editor.cli_models); `main()`
runs it standalone. No Qt and no torch at import.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from editor.cli_models import EXIT_CANCELLED, EXIT_ERROR, StderrProgress, _guarded


def _stylize(args: argparse.Namespace) -> None:
    from editor.engine.context import JobContext
    from editor.engine.stylize import StylizeRequest, run_stylize
    from editor.fileio.load import load_image, load_mask
    from editor.fileio.save import format_for, save_image

    dst = Path(args.output)
    format_for(dst)  # refuse an unwritable output format before minutes of work
    image = load_image(args.input)
    style = load_image(args.style)
    mask = load_mask(args.mask) if args.mask else None
    for notice in [*image.notices, *style.notices]:
        print(f"retouch: note: {notice}", file=sys.stderr)
    request = StylizeRequest(
        image=image.pixels,
        style=style.pixels,
        strength=args.strength,
        iterations=args.iterations,
        size=args.size,
        mask=mask,
        features=args.features,
        smoothing=args.smoothing,
        optimizer=args.optimizer,
        preview_every=0,
    )
    from editor.ml.runtime import ModelRuntime

    progress = StderrProgress()
    ctx = JobContext(report=progress)
    result = run_stylize(request, ctx, ModelRuntime())  # one-shot: no process-wide cache
    progress.done()
    for notice in result.notices:
        print(f"retouch: note: {notice}", file=sys.stderr)
    for notice in save_image(dst, result.pixels, image.exif, image.icc_profile):
        print(f"retouch: note: {notice}", file=sys.stderr)
    height, width = result.pixels.shape[:2]
    print(f"wrote {dst} ({width}x{height})", file=sys.stderr)


def add_subcommands(subparsers: Any) -> None:
    """Register `stylize` on an argparse `add_subparsers()` object."""
    from editor.engine.stylize import FEATURE_CHOICES

    stylize = subparsers.add_parser("stylize", help="repaint an image in the style of another")
    stylize.add_argument("input")
    stylize.add_argument("--style", required=True, help="the style image (a painting, ...)")
    stylize.add_argument("-o", "--output", required=True)
    stylize.add_argument("--iterations", type=int, default=300)
    stylize.add_argument("--size", type=int, default=384, help="working long side in pixels")
    stylize.add_argument(
        "--strength", type=float, default=1.0, help="style weight (1 = default, 0 = none)"
    )
    stylize.add_argument("--mask", help="restyle only where this mask is white (or opaque)")
    stylize.add_argument("--features", choices=FEATURE_CHOICES, default="auto")
    stylize.add_argument("--smoothing", choices=("none", "softmax"), default="none")
    stylize.add_argument("--optimizer", choices=("adam", "lbfgs"), default="adam")
    stylize.set_defaults(handler=_guarded(_stylize))


def main(argv: list[str] | None = None) -> int:
    """Standalone entry (python -m editor.cli_stylize ...)."""
    from editor.engine.context import JobCancelled, JobError

    parser = argparse.ArgumentParser(prog="retouch")
    add_subcommands(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    try:
        args.handler(args)
    except JobError as exc:
        print(f"retouch {args.command}: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except (JobCancelled, KeyboardInterrupt):
        print(f"retouch {args.command}: cancelled", file=sys.stderr)
        return EXIT_CANCELLED
    return 0


if __name__ == "__main__":
    sys.exit(main())
