"""The pixels the canvas shows: the composite with the mask drawn as a translucent overlay.

Kept as one RGBA buffer that is updated only inside changed rectangles.
"""

from __future__ import annotations

import numpy as np

from editor.core.geometry import Rect

MASK_OVERLAY_RGB = np.array([255, 40, 60], np.float32)
MASK_OVERLAY_OPACITY = 0.5


def overlay_mask(composite: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Tint `composite` (RGBA uint8) towards the overlay colour where `mask` is set."""
    if not mask.any():
        return composite
    weight = mask.astype(np.float32)[..., None] * (MASK_OVERLAY_OPACITY / 255.0)
    out = composite.copy()
    rgb = composite[..., :3] * (1.0 - weight) + MASK_OVERLAY_RGB * weight
    out[..., :3] = (rgb + 0.5).astype(np.uint8)
    # A hole over transparent pixels must still be visible.
    out[..., 3] = np.maximum(composite[..., 3], (weight[..., 0] * 255.0 + 0.5).astype(np.uint8))
    return out


class DisplayBuffer:
    """The canvas's RGBA uint8 buffer for a document of a given size."""

    def __init__(self, document) -> None:
        self.document = document
        self.pixels = np.zeros((0, 0, 4), np.uint8)

    def rebuild(self) -> None:
        doc = self.document
        self.pixels = np.zeros((doc.height, doc.width, 4), np.uint8)
        self.refresh(doc.full_rect())

    def refresh(self, rect: Rect) -> Rect:
        """Recompute the buffer inside `rect`; returns the clipped rectangle."""
        doc = self.document
        rect = rect.clamped(doc.width, doc.height)
        if rect.is_empty() or self.pixels.shape[:2] != (doc.height, doc.width):
            return rect
        composite = doc.composite(rect)
        # While a result is pending the overlay would hide it, so the mask is not drawn.
        show_mask = doc.mask.visible and doc.preview is None
        mask = doc.mask.pixels[rect.slices()] if show_mask else None
        self.pixels[rect.slices()] = composite if mask is None else overlay_mask(composite, mask)
        return rect
