"""Atomic file replacement: write a temporary file beside the target, then rename it over.

A failed or interrupted write (full disk, read-only folder, a crash, an exception from the
encoder) never damages the file that was there before: the rename happens only after the
new content is complete and flushed to disk. The new file keeps the old one's permissions
(or gets a new file's usual ones), and temporaries left by a killed save are cleaned later.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
import time
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


def _umask() -> int:
    """The process umask, read without changing it where the OS allows (Linux)."""
    with contextlib.suppress(OSError, ValueError), open("/proc/self/status") as status:
        for line in status:
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    current = os.umask(0o022)  # elsewhere: swap and restore (brief, and only here)
    os.umask(current)
    return current


def target_mode(path: Path) -> int:
    """Permission bits the saved file should have: the replaced file's, else what a plain
    open() would give a new file (0o666 less the umask), never mkstemp's private 0o600."""
    try:
        return stat.S_IMODE(os.stat(path).st_mode)
    except OSError:
        return 0o666 & ~_umask()


TEMP_SUFFIX = ".tmp"
STALE_AFTER_SECONDS = 120.0  # a save in progress is younger than this


def temporary_names(path: Path) -> list[Path]:
    """Temporaries that atomic_write may have left beside `path` (killed during a save)."""
    folder = path.parent if str(path.parent) else Path(".")
    prefix = f".{path.name}."
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return []
    return [
        Path(entry.path)
        for entry in entries
        if entry.name.startswith(prefix) and entry.name.endswith(TEMP_SUFFIX)
    ]


def remove_stale_temporaries(
    path: str | os.PathLike[str], older_than: float = STALE_AFTER_SECONDS
) -> list[Path]:
    """Delete `.NAME.*.tmp` files beside `path` older than `older_than` seconds (left by a
    process killed while saving; a younger one may be another instance's save in progress).
    Returns what was removed."""
    removed = []
    now = time.time()
    for temp in temporary_names(Path(path)):
        with contextlib.suppress(OSError):
            info = temp.lstat()
            if stat.S_ISREG(info.st_mode) and now - info.st_mtime > older_than:
                temp.unlink()
                removed.append(temp)
    return removed


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
        mode = target_mode(path)
        handle, temp_name = tempfile.mkstemp(
            prefix=f".{path.name}.", suffix=TEMP_SUFFIX, dir=folder
        )
        if hasattr(os, "fchmod"):
            os.fchmod(handle, mode)
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
