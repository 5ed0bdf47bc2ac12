"""Resampling layers and masks to a new size (OpenCV, imported on first use)."""

from __future__ import annotations

import numpy as np


def resize_rgba(pixels: np.ndarray, width: int, height: int) -> np.ndarray:
    """RGBA uint8 to (height, width): Lanczos when enlarging, area averaging when reducing.

    Colour is resampled premultiplied by alpha so transparent pixels do not bleed dark fringes.
    """
    import cv2

    enlarging = width * height > pixels.shape[0] * pixels.shape[1]
    method = cv2.INTER_LANCZOS4 if enlarging else cv2.INTER_AREA
    alpha = pixels[..., 3:4].astype(np.float32) / 255.0
    premultiplied = np.concatenate([pixels[..., :3] * alpha, alpha * 255.0], axis=2)
    out = cv2.resize(premultiplied, (width, height), interpolation=method)
    out_alpha = np.clip(out[..., 3:4], 0, 255) / 255.0
    rgb = np.where(out_alpha > 0, out[..., :3] / np.maximum(out_alpha, 1e-6), 0.0)
    result = np.empty((height, width, 4), np.uint8)
    result[..., :3] = np.clip(rgb + 0.5, 0, 255)
    result[..., 3] = np.clip(out_alpha[..., 0] * 255.0 + 0.5, 0, 255)
    return result


def resize_mask(mask: np.ndarray, width: int, height: int) -> np.ndarray:
    """HxW uint8 mask to (height, width), keeping soft edges soft (linear)."""
    import cv2

    return cv2.resize(mask, (width, height), interpolation=cv2.INTER_LINEAR)
