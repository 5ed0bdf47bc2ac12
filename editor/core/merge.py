"""The one merge rule for an operation's result, used by the document's accept and the CLI.

A result replaces the pixels under it, alpha included: it is never composited over them, so
a pixel the operation left as it was (same RGBA) stays exactly as it was, on semi-transparent
layers too.
"""

from __future__ import annotations

import numpy as np

from editor.core.pixels import check_rgba


def merge_patch(base: np.ndarray, patch: np.ndarray, x: int, y: int) -> np.ndarray:
    """A copy of `base` (HxWx4 RGBA uint8) with `patch` (RGBA uint8) placed at (x, y); the
    part of the patch outside `base` is dropped."""
    out = np.array(check_rgba(base), copy=True)
    height, width = out.shape[:2]
    ph, pw = check_rgba(patch).shape[:2]
    x0, y0 = max(x, 0), max(y, 0)
    x1, y1 = min(x + pw, width), min(y + ph, height)
    if x1 > x0 and y1 > y0:
        out[y0:y1, x0:x1] = patch[y0 - y : y1 - y, x0 - x : x1 - x]
    return out
