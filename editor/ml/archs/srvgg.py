"""SRVGGNetCompact, Real-ESRGAN's small VGG-style upscaler (realesr-animevideov3 & co).

Parameter names follow the published checkpoints: `body` is one Sequential of
conv, PReLU, (conv, PReLU) x num_conv, conv — so `body.0` is the first conv, `body.1` its
PReLU, and the last index is the conv that makes 3 * scale^2 channels for the pixel shuffle.
The network learns a residual over the nearest-neighbour upsampled input.

Input: float NCHW RGB in [0, 1]. Output: NCHW RGB, `scale` times the size (not clamped).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


class SRVGGNetCompact(nn.Module):
    def __init__(
        self,
        num_in_ch: int = 3,
        num_out_ch: int = 3,
        num_feat: int = 64,
        num_conv: int = 16,
        upscale: int = 4,
    ) -> None:
        super().__init__()
        self.scale = upscale
        layers: list[nn.Module] = [nn.Conv2d(num_in_ch, num_feat, 3, 1, 1), nn.PReLU(num_feat)]
        for _ in range(num_conv):
            layers += [nn.Conv2d(num_feat, num_feat, 3, 1, 1), nn.PReLU(num_feat)]
        layers.append(nn.Conv2d(num_feat, num_out_ch * upscale * upscale, 3, 1, 1))
        self.body = nn.Sequential(*layers)
        self.upsampler = nn.PixelShuffle(upscale)
        # Peak live activation elements per input pixel (tiler sizing): two feature maps at
        # the input size plus the shuffled output and the upsampled base.
        self.activation_elems_per_pixel = 2 * num_feat + 3 * num_out_ch * upscale * upscale

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        base = F.interpolate(x, scale_factor=self.scale, mode="nearest")
        out: torch.Tensor = self.upsampler(self.body(x)) + base
        return out


def build_srvgg_animevideov3(upscale: int = 4) -> SRVGGNetCompact:
    """realesr-animevideov3: 16 body convs, 64 features, PReLU."""
    return SRVGGNetCompact(num_feat=64, num_conv=16, upscale=upscale)
