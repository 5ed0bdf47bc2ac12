"""Read a safetensors file's header metadata without torch (cheap availability checks)."""

from __future__ import annotations

import json
import struct
from pathlib import Path

from editor.ml.errors import ModelLoadError

_MAX_HEADER = 100_000_000


def read_safetensors_metadata(path: str | Path) -> dict[str, str]:
    """The `__metadata__` of a safetensors file, read from its header only (no torch needed)."""
    with open(path, "rb") as handle:
        head = handle.read(8)
        if len(head) != 8:
            raise ModelLoadError(f"{Path(path).name} is not a safetensors file (too short)")
        (size,) = struct.unpack("<Q", head)
        if size > _MAX_HEADER:
            raise ModelLoadError(f"{Path(path).name} is not a safetensors file (bad header)")
        try:
            header = json.loads(handle.read(size))
        except ValueError as exc:
            raise ModelLoadError(f"{Path(path).name} has a corrupt safetensors header") from exc
    return dict(header.get("__metadata__") or {})
