"""The batchable operations, as the batch code sees them: the one adapter between editor.batch
and the operation registry (editor.ops.registry).

Every operation the registry marks `batchable` is a batch operation, with the single-image
command's options (made by editor.ops.spec.add_arguments from its Params, never written again)
and the same run: `op.build(inputs, params)`, the op's run function, `merge_result`. The
FileInputs (`--mask`, `--style`, sketch2photo's `--base`) take, in a batch, a folder holding
files with the inputs' relative names (any image suffix), or one file used for every image.

Options travel as a plain dict (Params field names and FileInput names -> values) so that the
manifest stores them as JSON and the GUI can build them from widgets. No Qt; torch only in
run_operation (through the engine's run functions).
"""

from __future__ import annotations

import argparse
import dataclasses
import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from editor.engine.context import JobContext, JobError
from editor.fileio.load import LoadedImage
from editor.ops.registry import batchable, operation
from editor.ops.spec import Operation


def operations() -> dict[str, Operation]:
    """The batchable operations by id, in the registry's order."""
    return {op.id: op for op in batchable()}


def batch_operation(op_id: str) -> Operation:
    found = operations().get(op_id)
    if found is None:
        raise JobError(f"'{op_id}' cannot run as a batch; batchable: "
                       f"{', '.join(operations())}")  # fmt: skip
    return found


def per_image(op_id: str) -> tuple[str, ...]:
    """Option names that hold a file per image (a folder) or one file for all."""
    return tuple(item.name for item in operation(op_id).files)


def add_options(parser: argparse.ArgumentParser, op: Operation) -> None:
    """The operation's options: its Params' (as the single-image command has them) and one
    `--NAME FOLDER|FILE` per FileInput."""
    from editor.ops.spec import add_arguments

    for item in op.files:
        need = "required; " if item.required else ""
        parser.add_argument(f"--{item.name}", required=item.required, metavar="FOLDER|FILE",
                            help=f"{need}{item.help}: a folder of files named like the inputs "
                            "(any image suffix), or one file for all")  # fmt: skip
    add_arguments(parser, op.params)


def options_from(args: argparse.Namespace, op: Operation) -> dict[str, Any]:
    """The options dict of parsed arguments (range errors raise ValueError naming the flag)."""
    params = params_of(op, vars(args))
    files = {item.name: getattr(args, item.name) for item in op.files}
    return {**dataclasses.asdict(params), **files}


def default_options(op: Operation) -> dict[str, Any]:
    """The options dict with every default (what the GUI dialog starts from)."""
    parser = argparse.ArgumentParser(add_help=False)
    from editor.ops.spec import add_arguments

    add_arguments(parser, op.params)
    values = vars(parser.parse_args([]))
    return {**dataclasses.asdict(params_of(op, values)), **{item.name: None for item in op.files}}


def params_of(op: Operation, options: dict[str, Any]) -> Any:
    """The operation's Params from an options dict, checked like the CLI checks them."""
    from editor.ops.spec import params_from_args

    names = {item.name for item in dataclasses.fields(op.params)}
    known = {key: value for key, value in options.items() if key in names}
    try:
        return params_from_args(op.params, argparse.Namespace(**known))
    except AttributeError as exc:  # a field left out of the dict: its default
        raise JobError(f"{op.id}: missing option ({exc})") from exc


# ---- one image ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Work:
    """What one image's run gets: the loaded image, the per-image files (option name -> path
    or None), the options dict, and a context (cancel is checked between tiles)."""

    image: LoadedImage
    side: dict[str, str | None]
    options: dict[str, Any]
    ctx: JobContext


@functools.lru_cache(maxsize=4)
def _shared_image(path: str, _mtime_ns: int) -> np.ndarray:
    """An image every task uses (a style): read once per worker."""
    from editor.fileio.load import load_image

    pixels = load_image(path).pixels
    pixels.flags.writeable = False
    return pixels


def _load_files(op: Operation, work: Work) -> dict[str, np.ndarray | None]:
    from editor.fileio.load import load_mask

    height, width = work.image.pixels.shape[:2]
    files: dict[str, np.ndarray | None] = {}
    for item in op.files:
        path = work.side.get(item.name)
        if path is None:
            if item.required:
                raise JobError(f"No --{item.name} file for this image (a file with the same "
                               f"name in the {item.name} folder).")  # fmt: skip
            files[item.name] = None
        elif item.kind == "mask":
            mask = load_mask(path)
            if mask.shape != (height, width):
                raise JobError(f"The mask is {mask.shape[1]}×{mask.shape[0]} but the image is "
                               f"{width}×{height}.")  # fmt: skip
            files[item.name] = mask
        else:
            files[item.name] = _shared_image(path, Path(path).stat().st_mtime_ns)
    return files


def run_operation(op_id: str, work: Work) -> tuple[np.ndarray, list[str]]:
    """The HxWx4 RGBA uint8 image the operation makes of `work.image` (exactly what the
    single-image command writes), and the result's notices."""
    from editor.ops.registry import run_function
    from editor.ops.spec import Inputs, merge_result

    op = operation(op_id)
    inputs = Inputs(work.image.pixels, _load_files(op, work))
    request = op.build(inputs, params_of(op, work.options))  # type: ignore[misc]
    # Models come from the process's runtime (ctx.runtime None): loaded once per worker.
    result = run_function(op)(request, work.ctx)
    return merge_result(op.result, work.image.pixels, result), list(
        getattr(result, "notices", ()) or ()
    )


# ---- the weights each run uses (for the manifest) ---------------------------------------------


def model_digest(op_id: str, options: dict[str, Any]) -> str:
    """"name=sha256,..." of the operation's weight files on disk now (a model fetched later,
    which the operation would then prefer, changes it) and of the images every task shares
    (a style): the manifest's model field."""
    from editor.ml.hashing import sha256_cached
    from editor.ml.manager import ModelManager

    op = operation(op_id)
    manager = ModelManager()  # where the workers' models come from ($RETOUCH_CACHE_DIR)
    parts = []
    for name in op.models:
        path = manager.locate(name) if name in manager.registry else None
        if path is not None:
            parts.append(f"{name}={sha256_cached(path)}")
    for item in op.files:
        value = options.get(item.name)
        if value and Path(value).is_file():
            parts.append(f"{item.name}={sha256_cached(value)}")
    return ",".join(parts)
