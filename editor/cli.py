"""Headless commands on the same engine code as the editor: `retouch inpaint IN --mask M -o OUT`.

Every operation of editor.ops.registry that is a command becomes a subcommand, its options
made from the operation's Params (add_operation); `models`, `layers` and `export` are the
tool commands. No Qt is imported here, so the CLI runs on machines without a display.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from editor.engine.context import JobCancelled, JobContext, JobError
from editor.fileio.errors import ImageFileError

if TYPE_CHECKING:
    import numpy as np

    from editor.fileio.load import LoadedImage
    from editor.ops.spec import Inputs, Operation

# Commands that are not operations on an image (the operations' come from editor.ops).
TOOL_COMMANDS = {
    "models": "list, fetch or import model weights",
    "layers": "list the layers of an OpenRaster file",
    "export": "flatten an OpenRaster file (or convert any image) to an image",
    "batch": "run an operation over many files (folders, globs); resumable",
}


def command_lines() -> list[tuple[str, str]]:
    """(name, one-line summary) of every subcommand, in `retouch --help` order."""
    from editor.ops.registry import commands

    return [(op.id, op.summary) for op in commands()] + list(TOOL_COMMANDS.items())


def is_command(argv: list[str]) -> bool:
    return bool(argv) and argv[0] in dict(command_lines())


def _load_inputs(op: Operation, args: argparse.Namespace) -> tuple[LoadedImage, Inputs]:
    """The operation's main image and its other files, read as the CLI arguments name them;
    a mask of another size than the image is refused."""
    from editor.fileio.load import load_image, load_mask
    from editor.ops.spec import Inputs

    image = load_image(Path(getattr(args, op.source[0])))
    height, width = image.pixels.shape[:2]
    files: dict[str, np.ndarray | None] = {}
    for item in op.files:
        path = getattr(args, item.name)
        if path is None:
            files[item.name] = None
            continue
        pixels = load_mask(Path(path)) if item.kind == "mask" else load_image(Path(path)).pixels
        if item.kind == "mask" and pixels.shape != (height, width):
            raise JobError(
                f"The mask is {pixels.shape[1]}×{pixels.shape[0]} but the image is "
                f"{width}×{height}."
            )
        files[item.name] = pixels
    return image, Inputs(image.pixels, files)


def _run_operation(op: Operation, args: argparse.Namespace) -> None:
    """Read the inputs, run the operation on the engine code, merge and write the result."""
    from editor.cli_models import StderrProgress
    from editor.engine.run import execute
    from editor.fileio.save import format_for, save_image
    from editor.ops.spec import merge_result, params_from_args

    dst = Path(args.output)
    format_for(dst)  # refuse an unwritable output format before the work
    params = params_from_args(op.params, args)
    image, inputs = _load_inputs(op, args)
    assert op.build is not None  # every command has one
    request = op.build(inputs, params)
    for notice in image.notices:
        print(f"retouch: note: {notice}", file=sys.stderr)
    progress = StderrProgress()
    ctx = JobContext(report=progress)  # its own models: loaded for this command only
    result = execute(request, ctx)
    progress.done()
    out = merge_result(op.result, image.pixels, result)
    for notice in [*ctx.notices, *save_image(dst, out, image.exif, image.icc_profile)]:
        print(f"retouch: note: {notice}", file=sys.stderr)
    height, width = out.shape[:2]
    print(f"wrote {dst} ({width}x{height})", file=sys.stderr)


def add_operation(subparsers: Any, op: Operation) -> argparse.ArgumentParser:
    """`retouch ID SOURCE [--FILE F ...] -o OUT [--PARAM V ...]`, from the operation's spec."""
    from editor.cli_models import _guarded
    from editor.ops.spec import add_arguments

    parser: argparse.ArgumentParser = subparsers.add_parser(
        op.id, help=op.summary, description=op.summary
    )
    parser.add_argument(op.source[0], help=op.source[1])
    for item in op.files:
        parser.add_argument(f"--{item.name}", required=item.required, help=item.help)
    parser.add_argument("-o", "--output", required=True, help="the image to write")
    add_arguments(parser, op.params)
    parser.set_defaults(handler=_guarded(lambda args: _run_operation(op, args)))
    return parser


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
    from editor.cli_models import add_subcommands as add_model_commands
    from editor.ops.registry import commands

    parser = argparse.ArgumentParser(prog="retouch", description="Retouch headless commands")
    subparsers = parser.add_subparsers(dest="command", required=True)
    for op in commands():
        add_operation(subparsers, op)
    add_model_commands(subparsers, TOOL_COMMANDS["models"])
    layers = subparsers.add_parser("layers", help=TOOL_COMMANDS["layers"])
    layers.add_argument("file", type=Path)
    layers.set_defaults(handler=_layers)
    export = subparsers.add_parser("export", help=TOOL_COMMANDS["export"])
    export.add_argument("file", type=Path)
    export.add_argument("-o", "--output", type=Path, required=True)
    export.set_defaults(handler=_export)
    from editor.cli_batch import add_subcommands as add_batch_commands

    add_batch_commands(subparsers, TOOL_COMMANDS["batch"])
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
