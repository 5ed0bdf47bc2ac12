"""Full-resolution detail for a fill computed at a lower working size: contextual residual
aggregation (Yi et al. 2020, HiFill).

A model that fills a 1,800-px crop at 256 px returns a soft patch once upscaled. The photo's own
fine texture is put back: the high-frequency residual of the known pixels (photo − its low-pass
at the working size) is cut into blocks; each block that touches the hole takes a mix of the
known blocks whose low-resolution content (taken from the filled image) looks most like its
own, weighted by a sharp softmax over cosine similarity; the mix is added to the upscaled fill
inside the hole. Pixels under the hole are never read: they are replaced by the upscaled fill
before the residual is taken.
"""

from __future__ import annotations

import numpy as np

GRID = 32  # blocks along the crop's longer side (HiFill's 32x32 attention map)
CELL = 4  # low-resolution pixels per block side in the similarity features
TOP_K = 3  # known blocks mixed into each hole block
SHARPNESS = 30.0  # softmax scale on cosine similarity (few, close matches dominate)


def _blocks(image: np.ndarray, block: int, rows: int, cols: int) -> np.ndarray:
    """rows x cols x block x block x C view-copy of `image` padded (reflect) to the grid."""
    height, width = image.shape[:2]
    pads = ((0, rows * block - height), (0, cols * block - width)) + ((0, 0),) * (image.ndim - 2)
    padded = np.pad(image, pads, mode="reflect" if min(height, width) > 1 else "edge")
    shape = (rows, block, cols, block, *image.shape[2:])
    return padded.reshape(shape).swapaxes(1, 2)


def add_residual_detail(crop_rgb: np.ndarray, hole: np.ndarray, upscaled_fill: np.ndarray,
                        working_scale: float) -> np.ndarray:  # fmt: skip
    """HxWx3 uint8: `upscaled_fill` (the model's fill at `working_scale` < 1, resized back to
    the crop) with the photo's high frequencies aggregated into the hole. Outside `hole` (HxW
    bool) it equals `crop_rgb`."""
    import cv2

    height, width = hole.shape
    base = np.where(hole[..., None], upscaled_fill, crop_rgb).astype(np.float32)
    small = (max(1, round(width * working_scale)), max(1, round(height * working_scale)))
    low = cv2.resize(cv2.resize(base, small, interpolation=cv2.INTER_AREA), (width, height),
                     interpolation=cv2.INTER_CUBIC)  # fmt: skip
    residual = base - low
    # A known block must be clear of the hole's low-pass footprint too.
    reach = max(1, round(2.0 / working_scale))
    near = cv2.dilate(hole.astype(np.uint8), np.ones((2 * reach + 1,) * 2, np.uint8)) > 0

    block = max(2, -(-max(height, width) // GRID))
    # Four grids offset by half a block, blended with raised-cosine windows: every pixel is
    # near the middle of some grid's block, so block edges leave no seams. Dividing by the
    # root of the summed squared weights keeps the texture's contrast where grids mix
    # (independent textures averaged would fade; Heitz and Neyret 2018's variance-preserving
    # blend).
    half = block // 2
    detail = np.zeros((height, width, 3), np.float32)
    total = np.zeros((height, width, 1), np.float32)
    found = False
    for dy in (0, half):
        for dx in (0, half):
            shifted_base, shifted_residual, shifted_hole, shifted_near = (
                _shift(a, dy, dx) for a in (base, residual, hole, near)
            )
            part = _aggregate(shifted_base, shifted_residual, shifted_hole, shifted_near, block)
            if part is None:
                continue
            found = True
            weight = _window(height, dy, block)[:, None] * _window(width, dx, block)[None, :]
            detail += part[dy : dy + height, dx : dx + width] * weight[..., None]
            total += weight[..., None] ** 2
    if not found:
        return np.where(hole[..., None], upscaled_fill, crop_rgb)
    detail /= np.sqrt(np.maximum(total, 1e-12))
    filled = np.clip(upscaled_fill.astype(np.float32) + detail + 0.5, 0, 255).astype(np.uint8)
    return np.where(hole[..., None], filled, crop_rgb)


def _shift(image: np.ndarray, dy: int, dx: int) -> np.ndarray:
    """`image` with `dy` rows and `dx` columns mirrored in at the top and left (a grid offset)."""
    if not (dy or dx):
        return image
    pads = ((dy, 0), (dx, 0)) + ((0, 0),) * (image.ndim - 2)
    return np.pad(image, pads, mode="symmetric")


def _window(length: int, offset: int, block: int) -> np.ndarray:
    """Raised-cosine weight of each of `length` pixels within its block of a grid that starts
    `offset` pixels early: 1 in a block's middle, near 0 at its edges (sums to ~1 over the two
    offsets 0 and block // 2)."""
    phase = (np.arange(length, dtype=np.float32) + offset + 0.5) / block
    return np.sin(np.pi * phase) ** 2 + 1e-3


def _aggregate(base: np.ndarray, residual: np.ndarray, hole: np.ndarray, near: np.ndarray,
               block: int) -> np.ndarray | None:  # fmt: skip
    """HxWx3 float32 detail for the hole blocks of one grid (zero elsewhere): each hole block
    gets a softmax mix of the residuals of the known blocks most like it. None when the grid has
    no hole block or no known block."""
    import cv2

    height, width = hole.shape
    rows, cols = -(-height // block), -(-width // block)
    in_hole = _blocks(hole, block, rows, cols).reshape(rows * cols, -1).any(axis=1)
    known = ~_blocks(near, block, rows, cols).reshape(rows * cols, -1).any(axis=1)
    if not in_hole.any() or not known.any():
        return None

    features = cv2.resize(base, (cols * CELL, rows * CELL), interpolation=cv2.INTER_AREA)
    features = features.reshape(rows, CELL, cols, CELL, 3).swapaxes(1, 2).reshape(rows * cols, -1)
    features = features - features.mean(axis=0)  # against the crop's average block
    features /= np.linalg.norm(features, axis=1, keepdims=True) + 1e-6
    similarity = features[in_hole] @ features[known].T  # hole blocks x known blocks
    k = min(TOP_K, similarity.shape[1])
    top = np.argpartition(-similarity, k - 1, axis=1)[:, :k]
    scores = np.take_along_axis(similarity, top, axis=1) * SHARPNESS
    weights = np.exp(scores - scores.max(axis=1, keepdims=True))
    weights /= weights.sum(axis=1, keepdims=True)

    known_residual = _blocks(residual, block, rows, cols).reshape(rows * cols, -1)[known]
    mixed = np.einsum("hk,hkp->hp", weights, known_residual[top])
    detail = np.zeros((rows * cols, block * block * 3), np.float32)
    detail[in_hole] = mixed
    detail = detail.reshape(rows, cols, block, block, 3).swapaxes(1, 2)
    out: np.ndarray = detail.reshape(rows * block, cols * block, 3)[:height, :width]
    return out
