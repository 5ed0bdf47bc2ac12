"""Headless commands on the same engine code as the editor: `retouch inpaint IN --mask M -o OUT`.

No Qt is imported here, so the CLI runs on machines without a display.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from editor.engine.context import JobCancelled, JobContext, JobError
from editor.fileio.errors import ImageFileError

COMMANDS = (
    "inpaint", "upscale", "models", "layers", "export", "stylize", "colorize", "sketch2photo",
    "denoise",
)  # fmt: skip


def is_command(argv: list[str]) -> bool:
    return bool(argv) and argv[0] in COMMANDS


def _inpaint(args: argparse.Namespace) -> None:
    from editor.engine.requests import InpaintRequest
    from editor.engine.run import execute
    from editor.fileio.load import load_image, load_mask
    from editor.fileio.save import save_image

    image = load_image(args.input)
    mask = load_mask(args.mask)
    if mask.shape != image.pixels.shape[:2]:
        raise JobError(
            f"The mask is {mask.shape[1]}×{mask.shape[0]} but the image is "
            f"{image.pixels.shape[1]}×{image.pixels.shape[0]}."
        )
    request = InpaintRequest(image=image.pixels, mask=mask, method=args.method, margin=args.margin)
    from editor.cli_models import StderrProgress

    progress = StderrProgress()
    result = execute(request, JobContext(report=progress))
    progress.done()
    out = image.pixels.copy()
    out[result.rect.slices()] = result.pixels
    saved = save_image(args.output, out, image.exif, image.icc_profile)
    for notice in [*image.notices, *result.notices, *saved]:
        print(notice, file=sys.stderr)


def _layers(args: argparse.Namespace) -> None:
    from editor.fileio.ora import read_ora

    image = read_ora(args.file)
    print(f"{args.file.name}: {image.width}×{image.height}, {len(image.layers)} layers (top first)")
    for layer in reversed(image.layers):
        height, width = layer.pixels.shape[:2]
        flags = [
            flag for flag, on in (("hidden", not layer.visible), ("locked", layer.locked)) if on
        ]
        print(
            f"  {layer.name!r:24} {layer.kind:6} {width}×{height} at ({layer.x}, {layer.y}) "
            f"opacity {layer.opacity:.2f} {layer.blend_mode} {' '.join(flags)}".rstrip()
        )
    for notice in image.notices:
        print(notice, file=sys.stderr)


def _export(args: argparse.Namespace) -> None:
    """Flatten an OpenRaster file, or convert any image Retouch reads, to `args.output`."""
    from editor.cli_models import StderrProgress
    from editor.document.autosave import compose
    from editor.fileio.load import load_image
    from editor.fileio.ora import is_openraster, read_ora
    from editor.fileio.save import format_for, save_image

    format_for(args.output)  # refuse an unwritable output format before reading anything
    progress = StderrProgress()
    progress(0.0, f"Reading {args.file.name}")
    exif = icc = None
    if is_openraster(args.file):
        image = read_ora(args.file)
        count = len(image.layers)
        progress(0.5, f"Compositing {count} layer{'s' if count != 1 else ''}")
        flat, notices = compose(image.width, image.height, image.layers), image.notices
    else:
        loaded = load_image(args.file)
        flat, notices, exif, icc = loaded.pixels, loaded.notices, loaded.exif, loaded.icc_profile
    progress(0.7, f"Writing {args.output.name}")
    notices = [*notices, *save_image(args.output, flat, exif, icc)]
    progress(1.0, "Done")
    progress.done()
    for notice in notices:
        print(notice, file=sys.stderr)
    height, width = flat.shape[:2]
    print(f"wrote {args.output} ({width}x{height})", file=sys.stderr)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="retouch", description="Retouch headless commands")
    commands = parser.add_subparsers(dest="command", required=True)
    inpaint = commands.add_parser("inpaint", help="erase the masked area of an image")
    inpaint.add_argument("input", type=Path)
    inpaint.add_argument("--mask", type=Path, required=True, help="white (or opaque) = erase")
    inpaint.add_argument("-o", "--output", type=Path, required=True)
    from editor.engine.inpaint import ERASE_METHODS, default_erase_method

    inpaint.add_argument(
        "--method",
        choices=tuple(ERASE_METHODS),
        default=default_erase_method(),
        help="; ".join(f"{m.name}: {m.description}" for m in ERASE_METHODS.values())
        + f" (default: {default_erase_method()}, what the editor's Erase uses)",
    )
    inpaint.add_argument("--margin", type=int, default=32, help="context pixels around the mask")
    inpaint.set_defaults(handler=_inpaint)
    layers = commands.add_parser("layers", help="list the layers of an OpenRaster file")
    layers.add_argument("file", type=Path)
    layers.set_defaults(handler=_layers)
    export = commands.add_parser(
        "export", help="flatten an OpenRaster file (or convert any image) to an image"
    )
    export.add_argument("file", type=Path)
    export.add_argument("-o", "--output", type=Path, required=True)
    export.set_defaults(handler=_export)
    from editor.cli_models import add_subcommands as add_model_commands

    add_model_commands(commands)
    from editor.cli_stylize import add_subcommands as add_stylize_commands

    add_stylize_commands(commands)
    from editor.cli_filters import add_subcommands as add_filter_commands

    add_filter_commands(commands)
    from editor.cli_denoise import add_subcommands as add_denoise_commands

    add_denoise_commands(commands)
    return parser


def main(argv: list[str]) -> int:
    args = build_parser().parse_args(argv)
    try:
        args.handler(args)
    except (ImageFileError, JobError) as error:
        print(f"retouch {args.command}: {error}", file=sys.stderr)
        return 1
    except JobCancelled:
        print(f"retouch {args.command}: cancelled", file=sys.stderr)
        return 130
    except KeyboardInterrupt:
        print(f"\nretouch {args.command}: interrupted", file=sys.stderr)
        return 130
    return 0
