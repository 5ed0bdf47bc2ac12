"""Errors whose message is shown to the user as is."""

from __future__ import annotations

from pathlib import Path


class ImageFileError(Exception):
    """An image could not be read or written; the message says why in plain words."""


def opening_error(path: Path, error: OSError) -> ImageFileError:
    """The plain-words version of an OSError met while opening `path` for reading."""
    if isinstance(error, FileNotFoundError):
        return ImageFileError(f"{path.name} does not exist.")
    if isinstance(error, IsADirectoryError):
        return ImageFileError(f"{path.name} is a folder, not an image.")
    if isinstance(error, PermissionError):
        return ImageFileError(f"Permission denied reading {path.name}.")
    return ImageFileError(f"Could not read {path.name}: {error.strerror or error}")
