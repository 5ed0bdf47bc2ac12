"""What jobs return: plain data applied to the document by the UI thread."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from editor.core.geometry import Rect


@dataclass(frozen=True, eq=False)
class PatchResult:
    """RGBA uint8 pixels to show at `rect` in document coordinates (a pending result)."""

    rect: Rect
    pixels: np.ndarray
    title: str
    notices: list[str] = field(default_factory=list)
