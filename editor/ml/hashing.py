"""sha256 of files, streamed so large weight files never sit in memory at once."""

from __future__ import annotations

import hashlib
import threading
from pathlib import Path

_CHUNK = 1 << 20


def sha256_file(path: str | Path) -> str:
    """Hex sha256 digest of the file at `path`."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


_memo: dict[tuple[str, int, int], str] = {}
_memo_guard = threading.Lock()


def sha256_cached(path: str | Path) -> str:
    """sha256_file, computed once per file per process: the digest is remembered under the
    file's path, size and modification time, so a changed file is hashed again."""
    path = Path(path)
    info = path.stat()
    key = (str(path.resolve()), info.st_size, info.st_mtime_ns)
    with _memo_guard:
        known = _memo.get(key)
    if known is None:
        known = sha256_file(path)  # outside the lock: other files may be hashed meanwhile
        with _memo_guard:
            _memo[key] = known
    return known
