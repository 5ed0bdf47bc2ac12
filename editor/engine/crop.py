"""Crop around a mask and paste a fill back only inside it.

Shared by every inpainting method (classical Telea and the trained model): the method
sees a crop with context around the hole, and the result is blended back only inside
a slightly dilated, feathered copy of the mask so pixels away from the hole stay
bit-for-bit identical.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from editor.core.geometry import Rect
from editor.core.pixels import blend_by_mask, mask_bbox


@dataclass(frozen=True)
class CropWindow:
    """Where the method works: a rectangle of the image around the mask's bounding box."""

    rect: Rect
    hole: Rect  # the mask's bounding box, inside `rect`


def crop_window(mask: np.ndarray, margin: int, min_size: int = 0) -> CropWindow | None:
    """Rectangle holding the hole plus `margin` pixels of context, at least `min_size` wide
    and high where the image allows, clipped to the image. None for an empty mask."""
    height, width = mask.shape
    hole = mask_bbox(mask)
    if hole is None:
        return None
    rect = hole.adjusted(margin)
    grow_x = max(0, min_size - rect.w)
    grow_y = max(0, min_size - rect.h)
    rect = Rect(rect.x - grow_x // 2, rect.y - grow_y // 2, rect.w + grow_x, rect.h + grow_y)
    # Shift a window that sticks out of the image back inside before clipping, so holes
    # at the border still get `min_size` of context when the image is big enough.
    dx = max(0, -rect.x) - max(0, rect.right - width)
    dy = max(0, -rect.y) - max(0, rect.bottom - height)
    rect = Rect(rect.x + dx, rect.y + dy, rect.w, rect.h).clamped(width, height)
    return CropWindow(rect=rect, hole=hole)


def paste_weight(mask: np.ndarray, dilate: int, feather: int) -> np.ndarray:
    """HxW float32 weight in [0, 1]: 1 on the (dilated) hole, falling to 0 over `feather` px.

    Zero everywhere more than dilate + feather pixels from the hole.
    """
    import cv2  # imported here: OpenCV is not needed at application start

    hole: np.ndarray = (mask > 127).astype(np.uint8)
    if dilate > 0:
        kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * dilate + 1, 2 * dilate + 1))
        hole = cv2.dilate(hole, kernel)
    if feather <= 0:
        return hole.astype(np.float32)
    # Distance (in px) from each outside pixel to the hole; linear ramp over `feather`.
    distance = cv2.distanceTransform(1 - hole, cv2.DIST_L2, 5)
    weight: np.ndarray = np.clip(1.0 - distance / float(feather + 1), 0.0, 1.0).astype(np.float32)
    return weight


def paste_fill(
    original: np.ndarray, fill: np.ndarray, mask: np.ndarray, dilate: int = 2, feather: int = 3
) -> np.ndarray:
    """Blend `fill` into `original` (same-size RGBA crops) only near `mask`.

    The alpha channel of `original` is kept except inside the hole, where the fill's is used.
    """
    weight = paste_weight(mask, dilate, feather)
    return blend_by_mask(original, fill, weight)


def continue_alpha(alpha: np.ndarray, hole: np.ndarray, radius: int = 3) -> np.ndarray:
    """HxW uint8: `alpha` with the hole (HxW bool) continued from around it with Telea (one
    channel, classical): transparent areas stay transparent, opaque ones opaque. An opaque crop
    is returned as it is."""
    import cv2

    if alpha.min() == 255:
        return alpha
    filled = cv2.inpaint(np.ascontiguousarray(alpha), hole.astype(np.uint8) * 255, radius,
                         cv2.INPAINT_TELEA)  # fmt: skip
    out: np.ndarray = np.where(hole, filled, alpha)
    return out
