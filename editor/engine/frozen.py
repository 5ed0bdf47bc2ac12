"""Requests own their pixels: a frozen dataclass field set to a read-only private copy."""

from __future__ import annotations

import numpy as np


def freeze_array(request: object, name: str, array: np.ndarray) -> None:
    """Set `request.name` (a frozen dataclass field, from __post_init__) to a read-only copy of
    `array`, so neither the document nor the job can change what the other sees."""
    snapshot = np.array(array, copy=True)
    snapshot.flags.writeable = False
    object.__setattr__(request, name, snapshot)
