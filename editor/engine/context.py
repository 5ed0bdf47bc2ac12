"""What a running job may do besides compute: report progress, preview, notice cancel.

Pure Python (no Qt, no torch) so run functions are testable on their own.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from editor.engine.devices import DevicePolicy
    from editor.ml.manager import ModelManager
    from editor.ml.runtime import ModelRuntime


class JobCancelled(Exception):
    """Raised inside a job when the user cancelled it; not an error."""


class JobError(Exception):
    """A failure with a message meant for the user (no traceback shown)."""


def _ignore_progress(fraction: float, text: str) -> None:
    pass


def _ignore_preview(image: np.ndarray) -> None:
    pass


def _never_cancelled() -> bool:
    return False


DEFAULT_MODEL_MEMORY = 1 << 30  # bytes of loaded models kept (Settings: model memory)


class Models:
    """The model manager (weights on disk) and runtime (loaded models, an LRU cache bounded by
    `memory_bytes`) that jobs load through, each made on first use: torch is imported only
    when a job asks for the runtime. One lives as long as its owner: the engine's worker for
    the editor, one command for the CLI; a bare JobContext gets its own."""

    def __init__(self, memory_bytes: int = DEFAULT_MODEL_MEMORY) -> None:
        self.memory_bytes = memory_bytes
        self._manager: ModelManager | None = None
        self._runtime: ModelRuntime | None = None

    def manager(self) -> ModelManager:
        """The editor.ml.manager.ModelManager."""
        if self._manager is None:
            from editor.ml.manager import ModelManager

            self._manager = ModelManager()
        return self._manager

    def runtime(self) -> ModelRuntime:
        """The editor.ml.runtime.ModelRuntime over `manager()`."""
        if self._runtime is None:
            from editor.ml.loading import ModelCache
            from editor.ml.runtime import ModelRuntime

            self._runtime = ModelRuntime(self.manager(), ModelCache(self.memory_bytes))
        return self._runtime

    def set_memory(self, memory_bytes: int) -> None:
        """A new budget for loaded models; the cache shrinks at its next load."""
        self.memory_bytes = memory_bytes
        if self._runtime is not None:
            self._runtime.cache.budget_bytes = memory_bytes


@dataclass
class JobContext:
    """Callbacks a run function uses. Defaults make a context usable in tests and the CLI."""

    report: Callable[[float, str], None] = _ignore_progress
    show_preview: Callable[[np.ndarray], None] = _ignore_preview
    is_cancelled: Callable[[], bool] = _never_cancelled
    notices: list[str] = field(default_factory=list)
    models: Models = field(default_factory=Models)
    device: str = "auto"  # Settings: "auto" (CUDA, else MPS, else CPU; $RETOUCH_DEVICE), "cpu"…
    half_precision: bool = True  # Settings: fp16 on CUDA

    @property
    def runtime(self) -> ModelRuntime:
        """The ModelRuntime models load through (editor.ml.runtime)."""
        return self.models.runtime()

    def policy(self) -> DevicePolicy:
        """The editor.engine.devices.DevicePolicy the settings ask for (imports torch)."""
        from editor.engine.devices import pick_policy

        return pick_policy(None if self.device == "auto" else self.device, self.half_precision)

    def progress(self, fraction: float, text: str = "") -> None:
        """Report progress in [0, 1] and stop here if the job was cancelled."""
        self.check_cancelled()
        self.report(min(max(fraction, 0.0), 1.0), text)

    def check_cancelled(self) -> None:
        if self.is_cancelled():
            raise JobCancelled()

    def preview(self, image: np.ndarray) -> None:
        self.show_preview(image)

    def part(self, start: float, span: float) -> JobContext:
        """A context for one step of the job: its progress 0..1 maps onto [start, start + span]
        of this one's, so a step that counts from 0 never sends the bar backwards."""
        return JobContext(
            report=lambda fraction, text: self.report(start + span * fraction, text),
            show_preview=self.show_preview,
            is_cancelled=self.is_cancelled,
            notices=self.notices,
            models=self.models,
            device=self.device,
            half_precision=self.half_precision,
        )

    def notice(self, text: str) -> None:
        """Something the user should be told with the result (e.g. 'fell back to the CPU')."""
        self.notices.append(text)
