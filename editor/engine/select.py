"""Smart select (GrabCut) as a job: it takes seconds on large photos, so it runs off the UI
thread. Pure: no Qt."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from editor.core.geometry import Rect
from editor.engine.context import JobContext, JobError


@dataclass(frozen=True, eq=False)
class SmartSelectRequest:
    """image: HxWx4 RGBA uint8 copy; rect: the box around the object; hints: HxW uint8
    (> 127 = definitely foreground / background) or None."""

    image: np.ndarray
    rect: Rect
    foreground: np.ndarray | None = None
    background: np.ndarray | None = None


@dataclass(frozen=True, eq=False)
class MaskResult:
    """A new selection, HxW uint8 (255 = selected), to combine with the document's mask."""

    mask: np.ndarray


def run_smart_select(request: SmartSelectRequest, ctx: JobContext) -> MaskResult:
    from editor.core.selection import grabcut_mask
    from editor.engine.child import call_in_child

    ctx.progress(0.1, "Finding the object")

    # GrabCut is one OpenCV call that never looks at Cancel (up to seconds on its 1 MP working
    # size): it runs in a child process that Cancel kills.
    def call(function: Callable[..., np.ndarray], *args: Any) -> np.ndarray:
        return call_in_child(function, *args, ctx=ctx)

    try:
        mask = grabcut_mask(request.image, request.rect, request.foreground, request.background,
                            call=call)  # fmt: skip
    except ValueError as error:
        raise JobError(f"Smart select: {error}") from error
    ctx.progress(1.0, "Done")
    return MaskResult(mask)
