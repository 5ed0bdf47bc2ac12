"""Load any common image file into the canonical RGBA uint8 layer format.

EXIF orientation is applied (and the saved EXIF then says "upright"); alpha is kept; 16-bit,
CMYK, palette and grayscale images are converted and a notice says so; the pixel limit (a
setting) refuses huge images before their pixels are decoded; only regular files in the
formats below are read; corrupt or non-image files raise ImageFileError with a clear message.
"""

from __future__ import annotations

import contextlib
import os
import struct
import threading
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from editor.fileio.errors import ImageFileError
from editor.fileio.exif import with_orientation_reset
from editor.fileio.regular import open_regular

DEFAULT_MAX_PIXELS = 200_000_000  # 200 MP: larger files are refused unless the setting allows

EXIF_ORIENTATION = 0x0112

READABLE_SUFFIXES = (".png", ".jpg", ".jpeg", ".webp", ".tif", ".tiff", ".bmp")
# Pillow decoders Retouch uses (JPEG also opens cameras' MPO files). Any other format
# (ICO, TGA, EPS, which would run Ghostscript, ...) is refused whatever the file is named.
SUPPORTED_FORMATS = ("PNG", "JPEG", "WEBP", "TIFF", "BMP")

_limit_guard = threading.RLock()


@contextlib.contextmanager
def pixel_limit(max_pixels: int) -> Iterator[None]:
    """Make Pillow's own bomb check follow `max_pixels` (the Settings value) while decoding.

    Pillow refuses images above twice its MAX_IMAGE_PIXELS (89 MP by default) whatever the
    setting says; here it refuses above twice `max_pixels`, and the callers' own size check
    (with a plain message) refuses anything above `max_pixels`. MAX_IMAGE_PIXELS is global,
    so decodes that change it take turns.
    """
    with _limit_guard, warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        saved = Image.MAX_IMAGE_PIXELS
        Image.MAX_IMAGE_PIXELS = max(int(max_pixels), 1)
        try:
            yield
        finally:
            Image.MAX_IMAGE_PIXELS = saved


def above_limit(name: str, width: int, height: int, max_pixels: int) -> ImageFileError:
    return ImageFileError(
        f"{name} is {width}×{height} ({width * height / 1e6:.0f} MP), above the limit of "
        f"{max_pixels / 1e6:.0f} MP. Raise the limit in Settings if you trust this file."
    )


@dataclass
class LoadedImage:
    """Pixels (HxWx4 RGBA uint8) plus what saving must carry over."""

    pixels: np.ndarray
    format: str
    exif: bytes | None = None
    icc_profile: bytes | None = None
    notices: list[str] = field(default_factory=list)


def _scale_to_8bit(array: np.ndarray, top: int) -> np.ndarray:
    return (array.astype(np.uint32) * 255 + top // 2) // top


def _container_top(array: np.ndarray) -> int:
    """The white level of integer data in a 16-bit container: cameras and scanners store
    10-, 12- and 14-bit samples there, which would show almost black scaled from 65535.
    The smallest of those depths that holds the data is taken; below 256 nothing is guessed."""
    peak = int(array.max()) if array.size else 0
    if peak < 256:
        return 65535
    bits = next(bits for bits in (10, 12, 14, 16) if peak < 1 << bits)
    return (1 << bits) - 1


def _to_rgba(image: Image.Image, notices: list[str]) -> np.ndarray:
    mode = image.mode
    if mode in ("I;16", "I;16B", "I;16L", "I", "F"):
        # Single-channel high bit depth: map the 16-bit range (or the data range) to 8 bits.
        notices.append(f"Converted {mode} (high bit depth) grayscale to 8-bit RGBA.")
        array = np.asarray(image)
        finite = np.isfinite(array) if mode == "F" else None
        if mode == "F" or array.min() < 0 or array.max() > 65535:
            values = array[finite] if finite is not None else array
            low = float(values.min()) if values.size else 0.0
            high = float(values.max()) if values.size else 0.0
            scale = 255.0 / (high - low) if high > low else 0.0
            clean = np.where(finite, array, low) if finite is not None else array
            gray = np.clip((clean - low) * scale + 0.5, 0, 255).astype(np.uint8)
        else:
            top = _container_top(array)
            if top != 65535:
                bits = top.bit_length()
                notices.append(f"The data uses {bits} of 16 bits; scaled to the full range.")
            gray = _scale_to_8bit(array, top).astype(np.uint8)
        image = Image.fromarray(gray, "L")
        mode = "L"
    if mode == "CMYK":
        notices.append("Converted CMYK to RGB (no colour management).")
    elif mode in ("P", "PA"):
        notices.append("Converted palette image to RGBA.")
    elif mode in ("L", "LA", "1"):
        notices.append("Converted grayscale image to RGBA.")
    elif mode not in ("RGB", "RGBA"):
        notices.append(f"Converted {mode} image to RGBA.")
    if image.mode != "RGBA":
        image = image.convert("RGBA")
    return np.array(image, dtype=np.uint8)


# What Pillow's decoders raise on damaged or hostile data, beyond OSError: shown to the user
# as "damaged", never as a traceback.
DECODE_ERRORS = (
    OSError,
    SyntaxError,
    ValueError,
    EOFError,
    struct.error,
    IndexError,
    KeyError,
    TypeError,
    ZeroDivisionError,
    OverflowError,
    RecursionError,
    RuntimeError,
    NotImplementedError,
)


def open_image(stream: BinaryIO, name: str, max_pixels: int) -> Image.Image:
    """Pillow's image on `stream` (call inside pixel_limit): supported formats only, size
    checked before any pixel is decoded. Raises UnidentifiedImageError for other formats."""
    Image.init()  # registers every plugin (WebP, TIFF, ...) before `formats` names them
    image = Image.open(stream, formats=SUPPORTED_FORMATS)
    width, height = image.size
    if width * height > max_pixels:
        image.close()
        raise above_limit(name, width, height, max_pixels)
    return image


def load_image(path: str | os.PathLike[str], max_pixels: int = DEFAULT_MAX_PIXELS) -> LoadedImage:
    """Read `path` as RGBA uint8. Raises ImageFileError (never anything else) on failure."""
    path = Path(path)
    try:
        with (
            open_regular(path) as stream,
            pixel_limit(max_pixels),
            open_image(stream, path.name, max_pixels) as image,
        ):
            image.load()
            exif = image.info.get("exif")
            icc = image.info.get("icc_profile")
            fmt = image.format or path.suffix.lstrip(".").upper()
            notices: list[str] = []
            if image.getexif().get(EXIF_ORIENTATION, 1) != 1:
                image = ImageOps.exif_transpose(image)
                if exif:  # the pixels are upright now: the saved file must not turn them again
                    exif = with_orientation_reset(exif)
                notices.append("Applied the EXIF orientation.")
            pixels = _to_rgba(image, notices)
    except ImageFileError:
        raise
    except UnidentifiedImageError as error:
        raise ImageFileError(
            f"{path.name} is not an image file Retouch can read (PNG, JPEG, WebP, TIFF or BMP)."
        ) from error
    except Image.DecompressionBombError as error:
        raise ImageFileError(
            f"{path.name} is too large to open safely ({error}). Raise the limit in Settings "
            "if you trust this file."
        ) from error
    except MemoryError as error:
        raise ImageFileError(f"Not enough memory to open {path.name}.") from error
    except DECODE_ERRORS as error:
        raise ImageFileError(f"{path.name} is damaged or truncated: {error}") from error
    return LoadedImage(pixels=pixels, format=fmt, exif=exif, icc_profile=icc, notices=notices)


def load_mask(path: str | os.PathLike[str], max_pixels: int = DEFAULT_MAX_PIXELS) -> np.ndarray:
    """Read a mask image: white (or opaque, for images with alpha) = hole. HxW uint8 0/255."""
    rgba = load_image(path, max_pixels).pixels
    has_alpha = bool((rgba[..., 3] < 255).any())
    value = rgba[..., 3] if has_alpha else rgba[..., :3].max(axis=2)
    return np.where(value > 127, 255, 0).astype(np.uint8)
