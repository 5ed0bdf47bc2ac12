"""Load any common image file into the canonical RGBA uint8 layer format.

EXIF orientation is applied; alpha is kept; 16-bit, CMYK, palette and grayscale images are
converted and a notice says so; a decompression-bomb limit refuses huge images before their
pixels are decoded; corrupt or non-image files raise ImageFileError with a clear message.
"""

from __future__ import annotations

import os
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from editor.fileio.errors import ImageFileError, opening_error

DEFAULT_MAX_PIXELS = 200_000_000  # 200 MP: larger files are refused unless the setting allows

EXIF_ORIENTATION = 0x0112

READABLE_SUFFIXES = (".png", ".jpg", ".jpeg", ".webp", ".tif", ".tiff", ".bmp")


@dataclass
class LoadedImage:
    """Pixels (HxWx4 RGBA uint8) plus what saving must carry over."""

    pixels: np.ndarray
    format: str
    exif: bytes | None = None
    icc_profile: bytes | None = None
    notices: list[str] = field(default_factory=list)


def _scale_16bit(array: np.ndarray) -> np.ndarray:
    return (array.astype(np.uint32) * 255 + 32767) // 65535


def _to_rgba(image: Image.Image, notices: list[str]) -> np.ndarray:
    mode = image.mode
    if mode in ("I;16", "I;16B", "I;16L", "I", "F"):
        # Single-channel high bit depth: map the 16-bit range (or the data range) to 8 bits.
        notices.append(f"Converted {mode} (high bit depth) grayscale to 8-bit RGBA.")
        array = np.asarray(image)
        if mode == "F" or array.max() > 65535:
            low, high = float(array.min()), float(array.max())
            scale = 255.0 / (high - low) if high > low else 0.0
            gray = ((array - low) * scale + 0.5).astype(np.uint8)
        else:
            gray = _scale_16bit(array).astype(np.uint8)
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


def load_image(path: str | os.PathLike[str], max_pixels: int = DEFAULT_MAX_PIXELS) -> LoadedImage:
    """Read `path` as RGBA uint8. Raises ImageFileError (never anything else) on failure."""
    path = Path(path)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as image:
                width, height = image.size
                if width * height > max_pixels:
                    raise ImageFileError(
                        f"{path.name} is {width}×{height} ({width * height / 1e6:.0f} MP), above "
                        f"the limit of {max_pixels / 1e6:.0f} MP. Raise the limit in Settings "
                        "if you trust this file."
                    )
                image.load()
                exif = image.info.get("exif")
                icc = image.info.get("icc_profile")
                fmt = image.format or path.suffix.lstrip(".").upper()
                notices: list[str] = []
                if image.getexif().get(EXIF_ORIENTATION, 1) != 1:
                    image = ImageOps.exif_transpose(image)
                    notices.append("Applied the EXIF orientation.")
                pixels = _to_rgba(image, notices)
    except ImageFileError:
        raise
    except (FileNotFoundError, IsADirectoryError, PermissionError) as error:
        raise opening_error(path, error) from error
    except UnidentifiedImageError as error:
        raise ImageFileError(f"{path.name} is not an image file Retouch can read.") from error
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise ImageFileError(f"{path.name} is too large to open safely ({error}).") from error
    except MemoryError as error:
        raise ImageFileError(f"Not enough memory to open {path.name}.") from error
    except (OSError, SyntaxError, ValueError, EOFError) as error:
        raise ImageFileError(f"{path.name} is damaged or truncated: {error}") from error
    return LoadedImage(pixels=pixels, format=fmt, exif=exif, icc_profile=icc, notices=notices)


def load_mask(path: str | os.PathLike[str], max_pixels: int = DEFAULT_MAX_PIXELS) -> np.ndarray:
    """Read a mask image: white (or opaque, for images with alpha) = hole. HxW uint8 0/255."""
    rgba = load_image(path, max_pixels).pixels
    has_alpha = bool((rgba[..., 3] < 255).any())
    value = rgba[..., 3] if has_alpha else rgba[..., :3].max(axis=2)
    return np.where(value > 127, 255, 0).astype(np.uint8)
