"""Write a flattened image atomically so a failed save never damages the previous file."""

from __future__ import annotations

import os
import struct
from pathlib import Path
from typing import BinaryIO

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
) -> list[str]:
    """Write RGBA uint8 `pixels` to `path` (format from the extension), keeping EXIF and ICC.

    Written atomically (editor.fileio.atomic): a failed save leaves the old file intact. When
    the encoder refuses the metadata (EXIF too long for a JPEG, ...), the image is saved
    without it; the returned notices say so.
    """
    path = Path(path)
    fmt, keeps_alpha = format_for(path)
    if keeps_alpha:
        opaque = bool((pixels[..., 3] == 255).all())
        image = Image.fromarray(pixels[..., :3] if opaque else pixels, "RGB" if opaque else "RGBA")
    else:
        image = Image.fromarray(flatten_on(pixels), "RGB")
    options: dict[str, object] = {}
    if fmt in ("JPEG", "WEBP"):
        options["quality"] = quality
    # Dropped in this order when the encoder refuses them, so the pixels are never lost.
    kept = {name: value for name, value in (("exif", exif), ("icc_profile", icc_profile)) if value}
    notices: list[str] = []
    with atomic_write(path) as stream:
        while True:
            try:
                _encode(stream, image, fmt, {**options, **kept})
                break
            except ENCODER_ERRORS as error:
                if not kept:
                    raise ImageFileError(f"Could not save {path.name}: {error}") from error
                name = next(iter(kept))
                del kept[name]
                notices.append(f"Saved without its {_LABEL[name]}, which {fmt} refused: {error}.")
    return notices


# What Pillow's encoders raise for metadata they cannot store (e.g. "EXIF data is too long").
ENCODER_ERRORS = (ValueError, TypeError, struct.error, OverflowError)
_LABEL = {"exif": "EXIF data", "icc_profile": "colour profile"}


def _encode(stream: BinaryIO, image: Image.Image, fmt: str, options: dict[str, object]) -> None:
    """Encode into `stream` from its start, replacing whatever an earlier attempt wrote."""
    stream.seek(0)
    stream.truncate()
    image.save(stream, format=fmt, **options)
