"""Run any request: pure dispatch, no Qt. The worker thread, the CLI and batch call `execute`.

The operation that runs a request comes from the registry (editor.ops.registry); its run
function is imported on first use so that torch (and OpenCV) load with the first job, not at
application start.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from editor.engine.context import JobContext
from editor.ops.registry import for_request, run_function


def runner_for(request: object) -> Callable[..., Any]:
    """The run function of the operation that runs `request` (TypeError if none does)."""
    return run_function(for_request(request))


def execute(request: object, ctx: JobContext | None = None) -> Any:
    return runner_for(request)(request, ctx or JobContext())
