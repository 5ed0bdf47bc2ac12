"""What a running job may do besides compute: report progress, preview, notice cancel.

Pure Python (no Qt, no torch) so run functions are testable on their own.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np


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


@dataclass
class JobContext:
    """Callbacks a run function uses. Defaults make a context usable in tests and the CLI."""

    report: Callable[[float, str], None] = _ignore_progress
    show_preview: Callable[[np.ndarray], None] = _ignore_preview
    is_cancelled: Callable[[], bool] = _never_cancelled
    notices: list[str] = field(default_factory=list)
    # The editor.ml.runtime.ModelRuntime that jobs load models through (None: the process's
    # shared one). Typed Any so this module imports no torch.
    runtime: Any = None

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
            runtime=self.runtime,
        )

    def notice(self, text: str) -> None:
        """Something the user should be told with the result (e.g. 'fell back to the CPU')."""
        self.notices.append(text)
