"""Write a flattened image atomically so a failed save never damages the previous file."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

import numpy as np
from PIL import Image

from editor.core.pixels import flatten_on
from editor.fileio.errors import ImageFileError

# Pillow format name for each extension we write, and whether it keeps alpha.
WRITABLE = {
    ".png": ("PNG", True),
    ".jpg": ("JPEG", False),
    ".jpeg": ("JPEG", False),
    ".webp": ("WEBP", True),
    ".tif": ("TIFF", True),
    ".tiff": ("TIFF", True),
}


def format_for(path: Path) -> tuple[str, bool]:
    try:
        return WRITABLE[path.suffix.lower()]
    except KeyError:
        names = ", ".join(sorted({s.lstrip(".").upper() for s in WRITABLE}))
        raise ImageFileError(f"Cannot save as '{path.suffix}'. Choose one of: {names}.") from None


def save_image(
    path: str | os.PathLike[str],
    pixels: np.ndarray,
    exif: bytes | None = None,
    icc_profile: bytes | None = None,
    quality: int = 95,
) -> None:
    """Write RGBA uint8 `pixels` to `path` (format from the extension), keeping EXIF and ICC.

    Written to a temporary file in the same folder, flushed, then renamed over the target.
    """
    path = Path(path)
    fmt, keeps_alpha = format_for(path)
    if keeps_alpha:
        opaque = bool((pixels[..., 3] == 255).all())
        image = Image.fromarray(pixels[..., :3] if opaque else pixels, "RGB" if opaque else "RGBA")
    else:
        image = Image.fromarray(flatten_on(pixels), "RGB")
    options: dict[str, object] = {}
    if exif:
        options["exif"] = exif
    if icc_profile:
        options["icc_profile"] = icc_profile
    if fmt in ("JPEG", "WEBP"):
        options["quality"] = quality
    folder = path.parent if str(path.parent) else Path(".")
    temp_name = None
    try:
        handle, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
        with os.fdopen(handle, "wb") as stream:
            image.save(stream, format=fmt, **options)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temp_name, path)
        temp_name = None
    except OSError as error:
        raise ImageFileError(f"Could not save {path.name}: {error.strerror or error}") from error
    finally:
        if temp_name is not None:
            with contextlib.suppress(OSError):
                os.unlink(temp_name)
