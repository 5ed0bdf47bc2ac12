"""Two image-quality measures that PSNR misses, for judging fills (bench/inpaint_quality.py):

- `deep_distance`: the uncalibrated deep-feature distance of Zhang et al. 2018 ("The Unreasonable
  Effectiveness of Deep Features as a Perceptual Metric", the baseline without learned linear
  weights), on ImageNet EfficientNet-Lite0 activations: for each of PERCEPTUAL_BLOCKS, unit-
  normalise every position's feature vector along channels, take the squared Euclidean distance
  per position, average it spatially, then average over the blocks. 0 for identical images;
  about 0.1–0.4 for clearly different photos.
- `gmsd`: gradient magnitude similarity deviation (Xue, Zhang, Mou & Bovik 2014, IEEE TIP 23(2)):
  luminance (0.299 R + 0.587 G + 0.114 B, 0–255), 2×2 average and downsampling by 2, Prewitt
  gradients (kernels [1 0 -1]/3), gradient magnitude similarity
  GMS = (2 m_r m_d + c) / (m_r² + m_d² + c) with c = 170, and the score is the standard
  deviation of the GMS map. 0 for identical images, larger is worse (GMS lies in (0, 1]); no
  training loss of the project uses it. Two departures from the authors' MATLAB code, both
  negligible away from the borders: the border is replicated, not zero-padded (a box cut from
  a photo has no black frame; zero padding would score a brightness change at the box edge as
  broken structure), and the std is the population one (MATLAB's std2 divides by N-1).

Images: HxWx3 uint8 RGB. `box` arguments crop both images first (the hole's bounding box).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from editor.ml.archs.efficientnet_lite import EfficientNetLite0

# Block outputs of EfficientNet-Lite0 compared: strides 2, 4, 8, 16, 16 (16, 24, 40, 80, 112
# channels), the counterpart of the five conv layers the paper reads from AlexNet / VGG.
PERCEPTUAL_BLOCKS = (0, 2, 4, 7, 10)
MIN_SIDE = 32  # boxes smaller than this grow (inside the image) so block 10 keeps 2×2 positions
GMSD_C = 170.0  # for 0–255 luminance and Prewitt kernels scaled by 1/3 (the paper's value)
LUMA = (0.299, 0.587, 0.114)


def grow_box(box: tuple[int, int, int, int], height: int, width: int,
             min_side: int = MIN_SIDE) -> tuple[int, int, int, int]:  # fmt: skip
    """(y0, y1, x0, x1) widened around its centre to at least `min_side` where the image allows."""
    y0, y1, x0, x1 = box

    def grow(lo: int, hi: int, size: int) -> tuple[int, int]:
        side = min(size, max(min_side, hi - lo))
        lo = max(0, min(lo - (side - (hi - lo)) // 2, size - side))
        return lo, lo + side

    y0, y1 = grow(y0, y1, height)
    x0, x1 = grow(x0, x1, width)
    return y0, y1, x0, x1


def hole_box(mask: np.ndarray, min_side: int = MIN_SIDE) -> tuple[int, int, int, int] | None:
    """Bounding box (y0, y1, x0, x1) of mask > 127, grown to `min_side`; None when empty."""
    ys, xs = np.nonzero(mask > 127)
    if ys.size == 0:
        return None
    box = (int(ys.min()), int(ys.max()) + 1, int(xs.min()), int(xs.max()) + 1)
    height, width = mask.shape[:2]
    return grow_box(box, height, width, min_side=min_side)


def _crop(image: np.ndarray, box: tuple[int, int, int, int] | None) -> np.ndarray:
    if box is None:
        return image
    y0, y1, x0, x1 = box
    return image[y0:y1, x0:x1]


def gmsd(reference: np.ndarray, distorted: np.ndarray,
         box: tuple[int, int, int, int] | None = None) -> float:  # fmt: skip
    """GMSD of `distorted` against `reference` (HxWx3 uint8 RGB or HxW uint8 gray)."""
    import cv2

    maps = []
    for image in (_crop(reference, box), _crop(distorted, box)):
        image = image.astype(np.float64)
        luma = image @ np.asarray(LUMA) if image.ndim == 3 else image
        h, w = luma.shape[0] // 2 * 2, luma.shape[1] // 2 * 2
        if h == 0 or w == 0:
            raise ValueError(f"GMSD needs at least 2×2 pixels, got {luma.shape}")
        small = luma[:h, :w].reshape(h // 2, 2, w // 2, 2).mean(axis=(1, 3))
        prewitt = np.array([[1.0, 0.0, -1.0]] * 3) / 3.0
        gx = cv2.filter2D(small, -1, prewitt, borderType=cv2.BORDER_REPLICATE)
        gy = cv2.filter2D(small, -1, prewitt.T, borderType=cv2.BORDER_REPLICATE)
        maps.append(np.hypot(gx, gy))
    m_r, m_d = maps
    gms = (2.0 * m_r * m_d + GMSD_C) / (m_r**2 + m_d**2 + GMSD_C)
    return float(gms.std())


def load_lite0(weights: str | Path) -> EfficientNetLite0:
    """ImageNet EfficientNet-Lite0 in eval mode, from a safetensors file or the published
    state dict (torch.load with weights_only=True)."""
    from editor.ml.archs.efficientnet_lite import EfficientNetLite0
    from editor.ml.loading import load_state_dict_file, load_strict

    net = EfficientNetLite0()
    load_strict(net, load_state_dict_file(weights), "EfficientNet-Lite0")
    return net.eval()


def deep_distance(net: EfficientNetLite0, reference: np.ndarray, distorted: np.ndarray,
                  box: tuple[int, int, int, int] | None = None,
                  blocks: tuple[int, ...] = PERCEPTUAL_BLOCKS) -> float:  # fmt: skip
    """Zhang et al.'s uncalibrated deep-feature distance of two HxWx3 uint8 RGB images (the
    same size), on `net`'s block outputs. Runs on the device `net` lives on."""
    import torch

    device = next(net.parameters()).device
    pair = np.stack([_crop(reference, box), _crop(distorted, box)])
    with torch.inference_mode():
        images = torch.from_numpy(np.ascontiguousarray(pair)).to(device)
        images = images.permute(0, 3, 1, 2).float().div_(255.0)
        total = 0.0
        for features in net.forward_features(images, blocks):
            features = features.float()
            unit = features / (features.pow(2).sum(dim=1, keepdim=True).sqrt() + 1e-10)
            total += float((unit[0] - unit[1]).pow(2).sum(dim=0).mean())
    return total / len(blocks)
