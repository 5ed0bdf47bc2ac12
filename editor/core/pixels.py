"""The canonical pixel contract and the compositing arithmetic built on it.

- Layers are HxWx4 RGBA uint8 arrays, straight (not premultiplied) alpha, sRGB.
- Masks are HxW uint8 arrays, 255 = hole / selected, 0 = keep.
- Inside `editor.ml`, images are float32 [0, 1] NCHW RGB tensors (see `ml`).
Channel order is always RGB(A); never BGR.
"""

from __future__ import annotations

import numpy as np

from editor.core.blend import blend
from editor.core.geometry import Rect

RGBA_CHANNELS = 4


def check_rgba(pixels: np.ndarray) -> np.ndarray:
    """Return `pixels` if it follows the layer contract, else raise ValueError."""
    if pixels.dtype != np.uint8 or pixels.ndim != 3 or pixels.shape[2] != RGBA_CHANNELS:
        raise ValueError(f"expected HxWx4 uint8 RGBA, got {pixels.dtype} {pixels.shape}")
    return pixels


def check_mask(mask: np.ndarray) -> np.ndarray:
    """Return `mask` if it follows the mask contract, else raise ValueError."""
    if mask.dtype != np.uint8 or mask.ndim != 2:
        raise ValueError(f"expected HxW uint8 mask, got {mask.dtype} {mask.shape}")
    return mask


def blank_rgba(
    width: int, height: int, color: tuple[int, int, int, int] = (0, 0, 0, 0)
) -> np.ndarray:
    pixels = np.empty((height, width, RGBA_CHANNELS), np.uint8)
    pixels[...] = color
    return pixels


def rgb_to_rgba(rgb: np.ndarray, alpha: np.ndarray | None = None) -> np.ndarray:
    """Attach an alpha channel (opaque when `alpha` is None) to an HxWx3 uint8 array."""
    height, width = rgb.shape[:2]
    out = np.empty((height, width, RGBA_CHANNELS), np.uint8)
    out[..., :3] = rgb
    out[..., 3] = 255 if alpha is None else alpha
    return out


def over(
    dst: np.ndarray, src: np.ndarray, opacity: float = 1.0, mode: str = "normal"
) -> np.ndarray:
    """Composite `src` onto `dst` (both RGBA uint8, same shape), straight alpha.

    `mode` blends the colours where both are present (W3C: Cs' = (1 - ab)·Cs + ab·B(Cb, Cs)),
    then Porter-Duff source-over. Returns a new array; arithmetic in float32.
    """
    src_a = src[..., 3:4].astype(np.float32) * (opacity / 255.0)
    dst_a = dst[..., 3:4].astype(np.float32) / 255.0
    src_rgb = src[..., :3].astype(np.float32)
    if mode != "normal":
        cs, cb = src_rgb / 255.0, dst[..., :3].astype(np.float32) / 255.0
        src_rgb = ((1.0 - dst_a) * cs + dst_a * blend(mode, cb, cs)) * 255.0
    out_a = src_a + dst_a * (1.0 - src_a)
    safe_a = np.where(out_a > 0, out_a, 1.0)
    rgb = (src_rgb * src_a + dst[..., :3] * dst_a * (1.0 - src_a)) / safe_a
    out = np.empty_like(dst)
    out[..., :3] = np.clip(rgb + 0.5, 0, 255)
    out[..., 3:4] = np.clip(out_a * 255.0 + 0.5, 0, 255)
    return out


def flatten_on(
    pixels: np.ndarray, background: tuple[int, int, int] = (255, 255, 255)
) -> np.ndarray:
    """Composite RGBA onto an opaque colour: HxWx3 uint8 (for formats without alpha)."""
    alpha = pixels[..., 3:4].astype(np.float32) / 255.0
    rgb = pixels[..., :3] * alpha + np.asarray(background, np.float32) * (1.0 - alpha)
    flat: np.ndarray = np.clip(rgb + 0.5, 0, 255).astype(np.uint8)
    return flat


def blend_by_mask(base: np.ndarray, fill: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """base * (1 - weight) + fill * weight, per pixel; `weight` is HxW float32 in [0, 1].

    Where weight is exactly 0 the base pixel is returned bit-for-bit unchanged.
    """
    at = np.flatnonzero(weight > 0)
    if 2 * len(at) < weight.size:  # a paste's band around a wire: only there (4.6 s -> 0.02 s)
        channels = base.shape[-1]
        w = weight.reshape(-1)[at][:, None]
        mixed = base.reshape(-1, channels)[at] * (1.0 - w) + fill.reshape(-1, channels)[at] * w
        out = base.copy()
        out.reshape(-1, channels)[at] = np.clip(mixed + 0.5, 0, 255).astype(np.uint8)
        return out
    w = weight[..., None]
    mixed = base.astype(np.float32) * (1.0 - w) + fill.astype(np.float32) * w
    blended: np.ndarray = np.clip(mixed + 0.5, 0, 255).astype(np.uint8)
    keep = weight <= 0
    blended[keep] = base[keep]
    return blended


def mask_bbox(mask: np.ndarray, threshold: int = 0) -> Rect | None:
    """Bounding box of the mask pixels above `threshold`, or None when there are none."""
    rows = np.flatnonzero((mask > threshold).any(axis=1))
    if rows.size == 0:
        return None
    cols = np.flatnonzero((mask[rows[0] : rows[-1] + 1] > threshold).any(axis=0))
    return Rect.from_edges(int(cols[0]), int(rows[0]), int(cols[-1]) + 1, int(rows[-1]) + 1)


def is_grayscale(pixels: np.ndarray, tolerance: float = 2.0) -> bool:
    """True when R, G and B agree to within `tolerance` on average (a B&W photo)."""
    rgb = pixels[..., :3].astype(np.int16)
    spread = np.abs(rgb[..., 0] - rgb[..., 1]) + np.abs(rgb[..., 1] - rgb[..., 2])
    return float(spread.mean()) <= tolerance


# A black-and-white photo spans much of the gray scale in many levels; a blank canvas, a
# flat fill, line art or text on paper do not.
PHOTO_MIN_TONAL_SPAN = 64  # gray levels between the 2nd and 98th percentiles
PHOTO_MIN_GRAY_LEVELS = 32  # distinct gray levels in use


def looks_like_bw_photo(pixels: np.ndarray) -> bool:
    """True for a grayscale image with real tonal range (worth offering Colorize to)."""
    if not is_grayscale(pixels):
        return False
    step = max(1, int(max(pixels.shape[:2]) // 512))  # a sample is plenty for a histogram
    gray = pixels[::step, ::step, :3].mean(axis=2).astype(np.uint8)
    counts = np.bincount(gray.ravel(), minlength=256)
    cumulative = np.cumsum(counts) / counts.sum()
    low, high = np.searchsorted(cumulative, 0.02), np.searchsorted(cumulative, 0.98)
    return bool(high - low >= PHOTO_MIN_TONAL_SPAN and (counts > 0).sum() >= PHOTO_MIN_GRAY_LEVELS)
