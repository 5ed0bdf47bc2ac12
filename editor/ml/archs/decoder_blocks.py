"""Building blocks shared by the decoders that sit on frozen EfficientNet-Lite0 features
(colorizer, sketcher): conv + batch norm + ReLU, upsampling to a skip's size, and pooling
user hints (colour × mask channels, then the mask) to a coarser level."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

FEATURE_BLOCKS = (2, 4, 10, 15)  # Lite0 block outputs at strides 4, 8, 16, 32
FEATURE_CHANNELS = (24, 40, 112, 320)
STRIDE = 32  # input sides must be multiples of this


def conv_bn_relu(cin: int, cout: int, kernel: int = 3) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(cin, cout, kernel, padding=kernel // 2, bias=False),
        nn.BatchNorm2d(cout),
        nn.ReLU(inplace=True),
    )


def upsample_to(x: torch.Tensor, like: torch.Tensor) -> torch.Tensor:
    return F.interpolate(x, size=like.shape[-2:], mode="bilinear", align_corners=False)


def pool_hints_to(hints: torch.Tensor, like: torch.Tensor) -> torch.Tensor:
    """Hints (colour·mask channels, then the mask) at a coarser level: the mean hinted colour of
    each region and whether it has one.

    Averaging the masked channels alone would dilute one hint among a region's cells (1/64 of
    its value at 1/32 scale), too weak a signal to colour the region it falls in."""
    pooled = F.adaptive_avg_pool2d(hints, (like.shape[-2], like.shape[-1]))
    present = pooled[:, -1:]
    colour = pooled[:, :-1] / present.clamp_min(1e-6)
    return torch.cat([colour, (present > 0).to(pooled.dtype)], 1).to(like.dtype)
