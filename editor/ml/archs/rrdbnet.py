"""RRDBNet, the ESRGAN / Real-ESRGAN x4plus generator (Wang et al. 2018, 2021).

Parameter names follow the published Real-ESRGAN checkpoints (`params_ema`): `conv_first`,
`body.N.rdbK.convM`, `conv_body`, `conv_up1`, `conv_up2`, `conv_hr`, `conv_last`, so an official
`RealESRGAN_x4plus.pth` loads with strict key matching.

Input: float32/float16 NCHW RGB in [0, 1]. Output: NCHW RGB, 4x the size, roughly [0, 1]
(not clamped; the engine clamps).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

_SLOPE = 0.2  # leaky-ReLU negative slope used throughout ESRGAN
_RESIDUAL_SCALE = 0.2  # residual scaling of dense blocks (stabilises very deep training)


class ResidualDenseBlock(nn.Module):
    """Five 3x3 convs, each seeing the block input and every earlier output (dense links)."""

    def __init__(self, num_feat: int = 64, num_grow_ch: int = 32) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(num_feat, num_grow_ch, 3, 1, 1)
        self.conv2 = nn.Conv2d(num_feat + num_grow_ch, num_grow_ch, 3, 1, 1)
        self.conv3 = nn.Conv2d(num_feat + 2 * num_grow_ch, num_grow_ch, 3, 1, 1)
        self.conv4 = nn.Conv2d(num_feat + 3 * num_grow_ch, num_grow_ch, 3, 1, 1)
        self.conv5 = nn.Conv2d(num_feat + 4 * num_grow_ch, num_feat, 3, 1, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        features = [x]
        for conv in (self.conv1, self.conv2, self.conv3, self.conv4):
            features.append(F.leaky_relu(conv(torch.cat(features, 1)), _SLOPE))
        out: torch.Tensor = self.conv5(torch.cat(features, 1)) * _RESIDUAL_SCALE + x
        return out


class RRDB(nn.Module):
    """Residual-in-residual: three dense blocks in sequence, with a scaled skip around them."""

    def __init__(self, num_feat: int = 64, num_grow_ch: int = 32) -> None:
        super().__init__()
        self.rdb1 = ResidualDenseBlock(num_feat, num_grow_ch)
        self.rdb2 = ResidualDenseBlock(num_feat, num_grow_ch)
        self.rdb3 = ResidualDenseBlock(num_feat, num_grow_ch)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out: torch.Tensor = self.rdb3(self.rdb2(self.rdb1(x))) * _RESIDUAL_SCALE + x
        return out


class RRDBNet(nn.Module):
    """x4 RRDBNet: conv, `num_block` RRDBs, conv + long skip, two (nearest x2 + conv) stages."""

    scale = 4
    # Peak live activation elements per input pixel at inference (64 features at 16x area,
    # a few buffers) — lets the tiler size tiles from free memory.
    activation_elems_per_pixel = 64 * (3 * 16 + 4)

    def __init__(
        self,
        num_in_ch: int = 3,
        num_out_ch: int = 3,
        num_feat: int = 64,
        num_block: int = 23,
        num_grow_ch: int = 32,
    ) -> None:
        super().__init__()
        self.conv_first = nn.Conv2d(num_in_ch, num_feat, 3, 1, 1)
        self.body = nn.Sequential(*(RRDB(num_feat, num_grow_ch) for _ in range(num_block)))
        self.conv_body = nn.Conv2d(num_feat, num_feat, 3, 1, 1)
        self.conv_up1 = nn.Conv2d(num_feat, num_feat, 3, 1, 1)
        self.conv_up2 = nn.Conv2d(num_feat, num_feat, 3, 1, 1)
        self.conv_hr = nn.Conv2d(num_feat, num_feat, 3, 1, 1)
        self.conv_last = nn.Conv2d(num_feat, num_out_ch, 3, 1, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        feat = self.conv_first(x)
        feat = feat + self.conv_body(self.body(feat))
        for conv in (self.conv_up1, self.conv_up2):
            feat = F.leaky_relu(conv(F.interpolate(feat, scale_factor=2, mode="nearest")), _SLOPE)
        out: torch.Tensor = self.conv_last(F.leaky_relu(self.conv_hr(feat), _SLOPE))
        return out


def build_rrdbnet_x4plus() -> RRDBNet:
    """Real-ESRGAN x4plus: 23 RRDB blocks, 64 features, growth 32 (~16.7 M parameters)."""
    return RRDBNet(num_feat=64, num_block=23, num_grow_ch=32)
