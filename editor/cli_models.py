"""Headless `models list|fetch NAME|import PATH`, and what every command shares: progress on
stderr (StderrProgress) and one-line failures (_guarded).

`add_subcommands(subparsers, help)` registers `models` on the main CLI's argparse subparsers;
each parser gets `handler=function(args)`. Handlers print progress to stderr and raise JobError
(one-line message for the user) or JobCancelled on failure, so editor.cli.main's error handling
applies.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import Any


class StderrProgress:
    """A headless command's progress on stderr: on a terminal a tqdm bar (the library
    `retouch batch` uses too) with the step's text, elapsed and remaining time; in logs one
    `[ 42.0%] text` line per new message. The figure only moves forward, even when a step of
    the job reports its own 0..1."""

    def __init__(self) -> None:
        self.tty = sys.stderr.isatty()
        self.last = ""
        self.fraction = 0.0
        self.bar: Any = None

    def __call__(self, fraction: float, text: str) -> None:
        self.fraction = max(self.fraction, min(fraction, 1.0))
        line = f"[{self.fraction * 100:5.1f}%] {text}"
        if self.tty:
            if self.bar is None:
                from tqdm import tqdm

                self.bar = tqdm(total=1000, desc=text, file=sys.stderr, dynamic_ncols=True,
                                bar_format="{desc} {percentage:3.0f}%|{bar}| "
                                "{elapsed}<{remaining}")  # fmt: skip
            self.bar.set_description_str(text, refresh=False)
            self.bar.update(round(self.fraction * 1000) - self.bar.n)
        elif text != self.last.partition("] ")[2]:  # in logs, one line per new message
            print(line, file=sys.stderr, flush=True)
        self.last = line

    def done(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


def _guarded(run: Callable[[argparse.Namespace], None]) -> Callable[[argparse.Namespace], None]:
    """Re-raise expected failures as JobError / JobCancelled (one line, no traceback)."""

    def handler(args: argparse.Namespace) -> None:
        from editor.engine.context import JobCancelled, JobError
        from editor.fileio.errors import ImageFileError
        from editor.ml.errors import FetchCancelled, ModelError

        try:
            run(args)
        except FetchCancelled as exc:
            raise JobCancelled() from exc
        except (ModelError, ImageFileError, OSError, ValueError) as exc:
            raise JobError(str(exc) or type(exc).__name__) from exc

    return handler


def _models_list(args: argparse.Namespace) -> None:
    from editor.ml.manager import ModelManager

    manager = ModelManager()
    print(f"cache: {manager.cache_models_dir}")
    for spec, path in manager.describe():
        state = f"available ({path})" if path else "not downloaded"
        print(f"{spec.name:24} x{spec.scale}  {spec.task:8} {spec.title} — {state}")
        if args.verbose:
            print(f"    licence: {spec.licence}")
            for source in spec.sources:
                print(f"    source: {source.fingerprint[:100]}")
            if spec.quality:
                print(f"    quality: {spec.quality}")


def _models_fetch(args: argparse.Namespace) -> None:
    from editor.ml.manager import ModelManager

    progress = StderrProgress()
    path = ModelManager().ensure(args.name, progress=progress)
    progress.done()
    print(path)


def _models_import(args: argparse.Namespace) -> None:
    from editor.ml.manager import ModelManager

    manager = ModelManager()
    name = manager.import_checkpoint(args.path)
    print(f"imported {args.path} as {name} ({manager.locate(name)})")


def add_subcommands(subparsers: Any, help: str) -> None:
    """Register `models list|fetch|import` on an argparse `add_subparsers()` object."""
    models = subparsers.add_parser("models", help=help)
    actions = models.add_subparsers(dest="models_command", required=True)
    listing = actions.add_parser("list", help="show known models and whether weights are present")
    listing.add_argument("-v", "--verbose", action="store_true", help="also sources and licence")
    listing.set_defaults(handler=_guarded(_models_list))
    fetch = actions.add_parser("fetch", help="download and convert a model's weights")
    fetch.add_argument("name")
    fetch.set_defaults(handler=_guarded(_models_fetch))
    imports = actions.add_parser("import", help="import a checkpoint (.pth or .safetensors)")
    imports.add_argument("path")
    imports.set_defaults(handler=_guarded(_models_import))
