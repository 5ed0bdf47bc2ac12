"""Conversions between canonical numpy arrays and QImage (the only Qt-aware fileio module)."""

from __future__ import annotations

import numpy as np
from PySide6.QtGui import QImage


def rgba_to_qimage(pixels: np.ndarray) -> QImage:
    """Wrap an HxWx4 RGBA uint8 C-contiguous array without copying.

    The caller keeps `pixels` alive as long as the QImage is used.
    """
    height, width = pixels.shape[:2]
    return QImage(pixels.data, width, height, pixels.strides[0], QImage.Format.Format_RGBA8888)


def qimage_to_rgba(image: QImage) -> np.ndarray:
    """Copy any QImage into a new HxWx4 RGBA uint8 array."""
    converted = image.convertToFormat(QImage.Format.Format_RGBA8888)
    width, height = converted.width(), converted.height()
    view = np.frombuffer(converted.constBits(), np.uint8, converted.sizeInBytes())
    return (
        view.reshape(height, converted.bytesPerLine())[:, : width * 4]
        .reshape(height, width, 4)
        .copy()
    )
