"""Atomic file replacement: write a temporary file beside the target, then rename it over.

A failed or interrupted write (full disk, read-only folder, a crash, an exception from the
encoder) never damages the file that was there before: the rename happens only after the
new content is complete and flushed to disk.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from editor.fileio.errors import ImageFileError


def _sync_folder(folder: Path) -> None:
    """Flush the folder entry so the rename itself survives a power cut (POSIX only)."""
    if os.name != "posix":
        return
    with contextlib.suppress(OSError):
        descriptor = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)


@contextlib.contextmanager
def atomic_write(path: str | os.PathLike[str]) -> Iterator[BinaryIO]:
    """Yield a binary, seekable stream; on a clean exit its content replaces `path` at once.

    On any exception the temporary file is removed, `path` is left as it was, and the
    exception propagates (OSError is turned into ImageFileError with a plain message).
    """
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    temp_name: str | None = None
    try:
        handle, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
        with os.fdopen(handle, "w+b") as stream:
            yield stream
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temp_name, path)
        temp_name = None
        _sync_folder(folder)
    except OSError as error:
        raise ImageFileError(f"Could not save {path.name}: {error.strerror or error}") from error
    finally:
        if temp_name is not None:
            with contextlib.suppress(OSError):
                os.unlink(temp_name)


def write_bytes_atomic(path: str | os.PathLike[str], data: bytes) -> None:
    """Replace `path` with `data` atomically (see atomic_write)."""
    with atomic_write(path) as stream:
        stream.write(data)
