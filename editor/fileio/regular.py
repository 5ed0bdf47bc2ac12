"""Open a path for reading only when it is a regular file.

A FIFO named `photo.png` would block the reader forever, and a symlink to /dev/zero or
/dev/urandom never ends; both are refused before a byte is read. The check is made on the
opened descriptor (fstat), so a file swapped for a device between check and read is caught too.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import BinaryIO

from editor.fileio.errors import ImageFileError, opening_error


def open_regular(path: str | os.PathLike[str]) -> BinaryIO:
    """A binary read stream on `path`, or ImageFileError when it is not a regular file."""
    path = Path(path)
    # O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer.
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        descriptor = os.open(path, flags)
    except OSError as error:
        raise opening_error(path, error) from error
    try:
        kind = os.fstat(descriptor).st_mode
        if stat.S_ISDIR(kind):
            raise ImageFileError(f"{path.name} is a folder, not an image.")
        if not stat.S_ISREG(kind):
            raise ImageFileError(
                f"{path.name} is not a regular file (a device, pipe or socket); "
                "Retouch opens only files."
            )
        return os.fdopen(descriptor, "rb")
    except BaseException:
        os.close(descriptor)
        raise
