"""The user cache's record of the weight files Retouch itself wrote there (converted from a
pinned source, or imported by the user), with each file's sha256.

A cached file is used only when its bytes still hash to what was recorded when it was written:
a corrupted (bit-flipped) or swapped file is refused, however plausible its metadata looks.
The record is `sha256.json` in the cache's models folder, replaced atomically.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from pathlib import Path

from editor.ml.hashing import sha256_cached

RECORD_NAME = "sha256.json"


def _record_path(folder: Path) -> Path:
    return folder / RECORD_NAME


def read_record(folder: Path) -> dict[str, str]:
    """file name -> sha256 of the files written into `folder` (empty when none or damaged)."""
    try:
        data = json.loads(_record_path(folder).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {name: digest for name, digest in data.items() if isinstance(digest, str)}


def record_written(path: Path) -> str:
    """Remember `path`'s sha256 as the one Retouch wrote; returns it."""
    path = Path(path)
    digest = sha256_cached(path)
    record = read_record(path.parent)
    record[path.name] = digest
    handle, temp = tempfile.mkstemp(prefix=f".{RECORD_NAME}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            json.dump(record, stream, indent=1, sort_keys=True)
        os.replace(temp, _record_path(path.parent))
    finally:
        with contextlib.suppress(OSError):
            os.unlink(temp)
    return digest


def is_as_written(path: Path) -> bool:
    """True when `path` hashes to the sha256 recorded when Retouch wrote it."""
    path = Path(path)
    expected = read_record(path.parent).get(path.name)
    return expected is not None and sha256_cached(path) == expected
