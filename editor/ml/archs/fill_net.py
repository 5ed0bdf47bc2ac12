"""Erase's network: a push-pull coarse fill refined by a small wide-receptive-field CNN.

1. Push-pull (Gortler et al. 1996, "pull-push"): the known pixels are averaged down a pyramid
   (weighted by how much of each cell is known), then every level's holes take the upsampled
   coarser level. A smooth fill with the right colours, from known pixels only, in fp32.
2. The network reads the composite (known pixels + coarse fill) and the known mask. It works at
   1/4 resolution with residual blocks that add a dilated 3×3 convolution (local) to a Fourier
   unit (LaMa's fast Fourier convolution, Suvorov et al. 2021: a 1×1 convolution on the real
   FFT, which sees the whole crop), and decodes with skips at 1/2 and full resolution a residual
   that is added to the coarse fill.

Pixels under the hole never enter: the input is known·image + (1 − known)·coarse, and the coarse
fill reads only known pixels. The model contract is the partial-convolution U-Net's
(editor/ml/archs/pconv_unet.py): `forward(image, known)`, image N×3×H×W RGB in [0, 1], known
N×1×H×W (1 = known); H and W multiples of `multiple`; returns the raw prediction (not clamped).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

ARCH_NAME = "fill_net"


@dataclass(frozen=True)
class FillConfig:
    stem: int = 16  # channels at full resolution
    half: int = 32  # channels at 1/2
    body: int = 48  # channels of the residual blocks at 1/4
    dilations: tuple[int, ...] = (1, 2, 4, 8)  # one block each

    def to_metadata(self) -> dict[str, str]:
        return {"stem": str(self.stem), "half": str(self.half), "body": str(self.body),
                "dilations": ",".join(str(d) for d in self.dilations)}  # fmt: skip

    @staticmethod
    def from_metadata(meta: dict[str, str]) -> FillConfig:
        return FillConfig(int(meta["stem"]), int(meta["half"]), int(meta["body"]),
                          tuple(int(d) for d in meta["dilations"].split(",")))  # fmt: skip


def push_pull(image: torch.Tensor, known: torch.Tensor) -> torch.Tensor:
    """N×3×H×W smooth fill of the whole image from its known pixels (fp32).

    Pull: each coarser level is the known-weighted mean of 2×2 cells. Push: from the coarsest
    level down, each level keeps its own mean where its cell is fully known and blends towards
    the upsampled coarser level as its known fraction falls."""
    with torch.autocast(device_type=image.device.type, enabled=False):
        weight = known.float()
        total = image.float() * weight
        levels = []
        while True:
            levels.append((total, weight))
            if min(total.shape[-2:]) <= 1:
                break
            total = F.avg_pool2d(total, 2, ceil_mode=True)
            weight = F.avg_pool2d(weight, 2, ceil_mode=True)
        total, weight = levels.pop()
        fill = total / weight.clamp_min(1e-6)
        fill = torch.where(weight > 0, fill, fill.mean(dim=(-2, -1), keepdim=True))
        while levels:
            total, weight = levels.pop()
            coarse = F.interpolate(fill, size=total.shape[-2:], mode="bilinear",
                                   align_corners=False)  # fmt: skip
            own = total / weight.clamp_min(1e-6)
            fill = weight * own + (1.0 - weight) * coarse
        return fill


def _conv(cin: int, cout: int, kernel: int = 3, stride: int = 1, dilation: int = 1) -> nn.Conv2d:
    return nn.Conv2d(cin, cout, kernel, stride, dilation * (kernel // 2), dilation)


class FourierUnit(nn.Module):
    """1×1 convolution, batch norm and ReLU on the real FFT of the features (global field)."""

    def __init__(self, channels: int):
        super().__init__()
        self.conv = nn.Conv2d(2 * channels, 2 * channels, 1, bias=False)
        self.norm = nn.BatchNorm2d(2 * channels)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        height, width = x.shape[-2:]
        with torch.autocast(device_type=x.device.type, enabled=False):  # FFTs want fp32
            spectrum = torch.fft.rfft2(x.float(), norm="ortho")
            y = torch.cat([spectrum.real, spectrum.imag], dim=1)
            y = F.relu(self.norm(self.conv(y)))
            real, imag = y.chunk(2, dim=1)
            out: torch.Tensor = torch.fft.irfft2(
                torch.complex(real, imag), s=(height, width), norm="ortho"
            )
        return out.to(x.dtype)


class FillBlock(nn.Module):
    """x + 1×1(GELU(BN(dilated 3×3(x) + Fourier(x))))."""

    def __init__(self, channels: int, dilation: int):
        super().__init__()
        self.local = _conv(channels, channels, dilation=dilation)
        self.spectral = FourierUnit(channels)
        self.norm = nn.BatchNorm2d(channels)
        self.mix = nn.Conv2d(channels, channels, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out: torch.Tensor = x + self.mix(F.gelu(self.norm(self.local(x) + self.spectral(x))))
        return out


class FillNet(nn.Module):
    """Push-pull coarse fill + residual refinement; see the module docstring."""

    multiple = 4

    def __init__(self, config: FillConfig | None = None):
        super().__init__()
        self.config = cfg = config or FillConfig()
        self.stem = _conv(4, cfg.stem)
        self.down1 = _conv(cfg.stem, cfg.half, stride=2)
        self.down2 = _conv(cfg.half, cfg.body, stride=2)
        self.blocks = nn.Sequential(*(FillBlock(cfg.body, d) for d in cfg.dilations))
        self.lift1 = nn.Conv2d(cfg.body, cfg.half, 1)
        self.up1 = _conv(cfg.half, cfg.half)
        self.lift0 = nn.Conv2d(cfg.half, cfg.stem, 1)
        self.up0 = _conv(cfg.stem, cfg.stem)
        self.out = _conv(cfg.stem, 3)

    def forward(self, image: torch.Tensor, known: torch.Tensor) -> torch.Tensor:
        known = known.to(image.dtype)
        coarse = push_pull(image * known, known).to(image.dtype)
        start = image * known + coarse * (1.0 - known)
        x0 = F.gelu(self.stem(torch.cat([(start - 0.5) * 2.0, known], dim=1)))
        x1 = F.gelu(self.down1(x0))
        x = self.blocks(F.gelu(self.down2(x1)))
        x = F.interpolate(self.lift1(x), size=x1.shape[-2:], mode="bilinear", align_corners=False)
        x = F.gelu(self.up1(x + x1))
        x = F.interpolate(self.lift0(x), size=x0.shape[-2:], mode="bilinear", align_corners=False)
        x = F.gelu(self.up0(x + x0))
        out: torch.Tensor = start + self.out(x) * 0.5
        return out
