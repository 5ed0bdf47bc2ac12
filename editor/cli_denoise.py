"""Headless denoise: `retouch denoise IN -o OUT --strength S [--mask M] [--tile N]`.

`add_subcommands(subparsers)` registers the command on the main CLI's argparse subparsers
(handler=function(args), failures raised as JobError / JobCancelled like editor.cli_models).
No Qt and no torch at import.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from editor.cli_models import StderrProgress, _guarded


def _denoise(args: argparse.Namespace) -> None:
    from pathlib import Path

    from editor.engine.context import JobContext, JobError
    from editor.engine.denoise import MAX_STRENGTH, DenoiseRequest, run_denoise
    from editor.fileio.load import load_image, load_mask
    from editor.fileio.save import format_for, save_image

    if not 0 <= args.strength <= MAX_STRENGTH:
        raise JobError(f"--strength must be between 0 and {MAX_STRENGTH:g} (noise sigma, 0-255)")
    dst = Path(args.output)
    format_for(dst)  # refuse an unwritable output format before the work
    image = load_image(args.input)
    mask = load_mask(args.mask) if args.mask else None
    if mask is not None and mask.shape != image.pixels.shape[:2]:
        raise JobError(
            f"The mask is {mask.shape[1]}×{mask.shape[0]} but the image is "
            f"{image.pixels.shape[1]}×{image.pixels.shape[0]}."
        )
    for notice in image.notices:
        print(f"retouch: note: {notice}", file=sys.stderr)
    request = DenoiseRequest(image=image.pixels, strength=args.strength, mask=mask,
                             tile=args.tile, model=args.model)  # fmt: skip
    from editor.ml.runtime import ModelRuntime

    progress = StderrProgress()
    ctx = JobContext(report=progress)
    result = run_denoise(request, ctx, ModelRuntime())  # one-shot: no process-wide cache
    progress.done()
    for notice in ctx.notices:
        print(f"retouch: note: {notice}", file=sys.stderr)
    save_image(dst, result, image.exif, image.icc_profile)
    height, width = result.shape[:2]
    print(f"wrote {dst} ({width}x{height})", file=sys.stderr)


def add_subcommands(subparsers: Any) -> None:
    """Register `denoise` on an argparse `add_subparsers()` object."""
    from editor.engine.denoise import PREFERRED_DENOISE_MODELS

    denoise = subparsers.add_parser("denoise", help="remove noise (Gaussian, sensor grain)")
    denoise.add_argument("input")
    denoise.add_argument("-o", "--output", required=True)
    denoise.add_argument(
        "--strength", type=float, default=25.0,
        help="noise sigma to remove, 0-75 in 0-255 units (15 light, 25 medium, 50 heavy)",
    )  # fmt: skip
    denoise.add_argument("--mask", help="denoise only where this mask is white (or opaque)")
    denoise.add_argument("--tile", type=int, help="tile size in pixels (default: automatic)")
    denoise.add_argument(
        "--model", choices=PREFERRED_DENOISE_MODELS,
        help="default: ffdnet-color once fetched (retouch models fetch ffdnet-color), else ours",
    )  # fmt: skip
    denoise.set_defaults(handler=_guarded(_denoise))
