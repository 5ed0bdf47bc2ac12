"""Write a flattened image atomically so a failed save never damages the previous file."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
from PIL import Image

from editor.core.pixels import flatten_on
from editor.fileio.atomic import atomic_write
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

    Written atomically (editor.fileio.atomic): a failed save leaves the old file intact.
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
    with atomic_write(path) as stream:
        image.save(stream, format=fmt, **options)
