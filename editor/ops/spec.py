"""The Operation spec: what generic code (engine, CLI, batch, menus, dialogs) knows of one
operation. Pure data; no Qt, no torch.

A `Params` class is a frozen dataclass whose fields are made with `param(...)`: the field's
metadata (label, help, range, choices, parser) builds the CLI's options (`add_arguments`),
reads them back (`params_from_args`) and can build a dialog form.
"""

from __future__ import annotations

import argparse
import dataclasses
import enum
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np


class ResultKind(enum.Enum):
    """How a run's result applies to the image it was given (see editor.core.merge)."""

    PATCH = "patch"  # a PatchResult: RGBA pixels that replace the image's at result.rect
    IMAGE = "image"  # an HxWx4 RGBA array the size of the input: replaces it
    RESAMPLE = "resample"  # an HxWx4 RGBA array `scale` times the input: every layer follows
    MASK = "mask"  # a MaskResult: a selection combined with the document's mask
    DATA = "data"  # no pixels (colour suggestions, model status)


class Preview(enum.Enum):
    NONE = "none"
    REGION = "region"  # a quick run on the visible part while the dialog is open
    FORMING = "forming"  # the run shows its result forming (ctx.preview)


@dataclass(frozen=True)
class FileInput:
    """An image file the operation reads besides its main input: `--NAME FILE` in the CLI.
    kind "mask" loads an HxW uint8 mask (white or opaque = 255), "image" an RGBA image."""

    name: str
    help: str
    kind: str = "mask"
    required: bool = False


@dataclass(frozen=True)
class MenuEntry:
    menu: str  # "Filter", "Image", ...
    text: str  # with its & mnemonic
    shortcut: str = ""
    tip: str = ""


@dataclass(frozen=True)
class Inputs:
    """What a request is built from: the main RGBA image and the FileInputs' arrays (None
    where an optional one was not given)."""

    image: np.ndarray
    files: Mapping[str, np.ndarray | None] = field(default_factory=dict)


def param(default: Any = dataclasses.MISSING, *, help: str,
          factory: Callable[[], Any] | None = None, label: str = "",
          type: Callable[[str], Any] | None = None,
          minimum: float | None = None, maximum: float | None = None,
          choices: tuple[Any, ...] | Callable[[], tuple[Any, ...]] | None = None,
          repeat: bool = False, flag: str = "", cli: bool = True) -> Any:  # fmt: skip
    """A Params field. `factory` instead of `default`: a default looked up each time (a
    setting that may change). `type` parses one CLI value (default: the default's type); `choices`
    may be a function (computed when the parser is built); `repeat`: the option may be given
    several times and the field holds a tuple; `flag`: the CLI option when not --FIELD-NAME;
    `cli=False`: the field is not a CLI option (dialog only)."""
    metadata = {"help": help, "label": label, "type": type, "minimum": minimum,
                "maximum": maximum, "choices": choices, "repeat": repeat, "flag": flag,
                "cli": cli}  # fmt: skip
    if factory is not None:
        return field(default_factory=factory, metadata=metadata)
    return field(default=default, metadata=metadata)


def default_of(item: dataclasses.Field[Any]) -> Any:
    """A Params field's default value now."""
    if item.default_factory is not dataclasses.MISSING:
        return item.default_factory()
    return item.default


def field_choices(item: dataclasses.Field[Any]) -> tuple[Any, ...] | None:
    """A Params field's choices now (None: any value of its type)."""
    choices = item.metadata["choices"]
    return tuple(choices()) if callable(choices) else choices


def _cli_fields(params: type) -> list[dataclasses.Field[Any]]:
    return [f for f in dataclasses.fields(params) if f.metadata.get("cli", False)]


def _flag(item: dataclasses.Field[Any]) -> str:
    return item.metadata["flag"] or "--" + item.name.replace("_", "-")


def add_arguments(parser: argparse.ArgumentParser, params: type) -> None:
    """One `--option` per CLI field of the Params dataclass `params`."""
    for item in _cli_fields(params):
        meta = item.metadata
        default = default_of(item)
        kind = meta["type"] or (type(default) if default is not None else str)
        options: dict[str, Any] = {"type": kind, "help": meta["help"], "dest": item.name}
        choices = field_choices(item)
        if choices is not None:
            options["choices"] = choices
        if meta["repeat"]:
            options.update(action="append", default=[])
        else:
            options["default"] = default
        parser.add_argument(_flag(item), **options)


def _check_range(item: dataclasses.Field[Any], value: float) -> None:
    low, high = item.metadata["minimum"], item.metadata["maximum"]
    if (low is None or value >= low) and (high is None or value <= high):
        return
    if low is not None and high is not None:
        allowed = f"between {low:g} and {high:g}"
    else:
        allowed = f"at least {low:g}" if low is not None else f"at most {high:g}"
    raise ValueError(f"{_flag(item)} must be {allowed} ({item.metadata['help']})")


def params_from_args(params: type, args: argparse.Namespace) -> Any:
    """The Params instance the parsed CLI options describe. A value outside its field's range
    raises ValueError naming the option."""
    values = {}
    for item in _cli_fields(params):
        value = getattr(args, item.name)
        if item.metadata["repeat"]:
            value = tuple(value)
        elif value is not None:
            _check_range(item, value)
        values[item.name] = value
    return params(**values)


@dataclass(frozen=True)
class NoParams:
    """For operations without options."""


@dataclass(frozen=True)
class Operation:
    """One operation.

    id: its name everywhere (CLI subcommand, batch step, job). title: the result's name.
    summary: one line for `retouch --help`, the README and menus' tips.
    run: "module:function", called as function(request, ctx) on the engine thread (or by the
    CLI / batch) with an editor.engine.context.JobContext; imported on first use.
    request: the name of the request class it runs (the engine finds the operation by it).
    params: the Params dataclass; build(inputs, params) makes the request (CLI and batch).
    source: the CLI's positional argument (the main image) and its help; files: the other
    images it reads. models: catalog names it may load. needs: what it cannot run without, as
    groups of catalog names of which one each must be on disk or downloadable (default: every
    one of `models`; see `requirements`). result: how the result applies.
    batchable: `retouch batch` may run it. command: it is a `retouch` subcommand.
    """

    id: str
    title: str
    summary: str
    run: str
    request: str
    params: type = NoParams
    build: Callable[[Inputs, Any], object] | None = None
    source: tuple[str, str] = ("input", "the image to process")
    files: tuple[FileInput, ...] = ()
    models: tuple[str, ...] = ()
    needs: tuple[tuple[str, ...], ...] | None = None
    result: ResultKind = ResultKind.PATCH
    batchable: bool = False
    command: bool = True
    menu: MenuEntry | None = None
    preview: Preview = Preview.NONE
    dialog: str | None = None

    def __post_init__(self) -> None:
        if self.command and self.build is None:
            raise ValueError(f"operation {self.id!r} is a command but has no build function")
        if ":" not in self.run:
            raise ValueError(f"operation {self.id!r}: run must be 'module:function'")
        if self.needs is not None and not {m for g in self.needs for m in g} <= set(self.models):
            raise ValueError(f"operation {self.id!r}: needs names a model not in its models")

    @property
    def requirements(self) -> tuple[tuple[str, ...], ...]:
        """Groups of catalog names; the operation can run when one of each group can load."""
        return self.needs if self.needs is not None else tuple((m,) for m in self.models)


def merge_result(kind: ResultKind, image: np.ndarray, result: Any) -> np.ndarray:
    """The image an operation's `result` makes of the HxWx4 RGBA `image` it ran on, by the
    one merge rule (editor.core.merge): a PATCH replaces the pixels at its rect, an IMAGE or
    RESAMPLE array is the new image."""
    from editor.core.merge import merge_patch

    if kind is ResultKind.PATCH:
        return merge_patch(image, result.pixels, result.rect.x, result.rect.y)
    if kind in (ResultKind.IMAGE, ResultKind.RESAMPLE):
        return np.asarray(result)
    raise ValueError(f"a {kind.value} result is not an image")
