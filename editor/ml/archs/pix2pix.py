"""pix2pix networks (Isola et al. 2017, arXiv:1611.07004): a U-Net generator and a PatchGAN.

Generator contract: `forward(x)` with x N×C_in×H×W float32, H and W multiples of
`2 ** len(widths)` (use `predict_padded` for any size); returns N×C_out×H×W in [-1, 1] (tanh).
What the channels mean is the task's business (editor.training.train_sketch documents its).

Differences from the paper's networks, for a compact model that runs anywhere:
- GroupNorm instead of BatchNorm (batch- and size-independent, the same in train and eval),
- each decoder level upsamples bilinearly and convolves (no transposed-conv checkerboards),
- a configurable, small number of levels and widths.
The discriminator keeps the 70×70 receptive field of the paper's PatchGAN (three stride-2 and
two stride-1 4×4 convolutions); only its widths are configurable.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn


def _norm(channels: int) -> nn.GroupNorm:
    return nn.GroupNorm(min(8, channels // 4), channels)


class ConvBlock(nn.Sequential):
    """3×3 conv → GroupNorm → activation (LeakyReLU 0.2 in the encoder, ReLU in the decoder)."""

    def __init__(self, cin: int, cout: int, leaky: bool) -> None:
        act = nn.LeakyReLU(0.2, inplace=True) if leaky else nn.ReLU(inplace=True)
        super().__init__(nn.Conv2d(cin, cout, 3, 1, 1), _norm(cout), act)


class Down(nn.Sequential):
    """Halve the resolution: 4×4 stride-2 conv (as pix2pix), then one 3×3 conv block."""

    def __init__(self, cin: int, cout: int) -> None:
        super().__init__(
            nn.Conv2d(cin, cout, 4, 2, 1),
            _norm(cout),
            nn.LeakyReLU(0.2, inplace=True),
            ConvBlock(cout, cout, leaky=True),
        )


class Up(nn.Module):
    """Double the resolution, concatenate the encoder's skip, two 3×3 conv blocks."""

    def __init__(self, cin: int, cskip: int, cout: int) -> None:
        super().__init__()
        self.fuse = ConvBlock(cin + cskip, cout, leaky=False)
        self.refine = ConvBlock(cout, cout, leaky=False)

    def forward(self, x: torch.Tensor, skip: torch.Tensor) -> torch.Tensor:
        x = F.interpolate(x, size=skip.shape[-2:], mode="bilinear", align_corners=False)
        return self.refine(self.fuse(torch.cat([x, skip], dim=1)))


@dataclass(frozen=True)
class UNetConfig:
    """in/out channels, the full-resolution stem width and one width per downsampling level."""

    in_channels: int
    out_channels: int
    stem: int = 32
    widths: tuple[int, ...] = (64, 128, 256, 256)

    @property
    def multiple(self) -> int:
        return 2 ** len(self.widths)


class UNetGenerator(nn.Module):
    """Encoder-decoder with skips at every level; tanh output."""

    def __init__(self, config: UNetConfig) -> None:
        super().__init__()
        self.config = config
        self.stem = nn.Sequential(ConvBlock(config.in_channels, config.stem, leaky=True))
        chans = [config.stem, *config.widths]
        self.downs = nn.ModuleList(Down(a, b) for a, b in zip(chans[:-1], chans[1:], strict=True))
        ups = []
        for level in range(len(config.widths), 0, -1):  # deepest first
            ups.append(Up(chans[level], chans[level - 1], chans[level - 1]))
        self.ups = nn.ModuleList(ups)
        self.head = nn.Conv2d(config.stem, config.out_channels, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        skips = [self.stem(x)]
        for down in self.downs:
            skips.append(down(skips[-1]))
        y = skips.pop()
        for up in self.ups:
            y = up(y, skips.pop())
        return torch.tanh(self.head(y))


class PatchDiscriminator(nn.Module):
    """70×70 PatchGAN: one logit per overlapping 70×70 patch of (condition, image)."""

    def __init__(self, in_channels: int, width: int = 64) -> None:
        super().__init__()
        w = width
        self.net = nn.Sequential(
            nn.Conv2d(in_channels, w, 4, 2, 1),
            nn.LeakyReLU(0.2, inplace=True),
            nn.Conv2d(w, 2 * w, 4, 2, 1),
            _norm(2 * w),
            nn.LeakyReLU(0.2, inplace=True),
            nn.Conv2d(2 * w, 4 * w, 4, 2, 1),
            _norm(4 * w),
            nn.LeakyReLU(0.2, inplace=True),
            nn.Conv2d(4 * w, 8 * w, 4, 1, 1),
            _norm(8 * w),
            nn.LeakyReLU(0.2, inplace=True),
            nn.Conv2d(8 * w, 1, 4, 1, 1),
        )

    def forward(self, condition: torch.Tensor, image: torch.Tensor) -> torch.Tensor:
        return self.net(torch.cat([condition, image], dim=1))


def predict_padded(model: UNetGenerator, x: torch.Tensor) -> torch.Tensor:
    """Run `model` on any H×W: reflect-pad to its multiple, crop the output back."""
    height, width = x.shape[-2:]
    m = model.config.multiple
    pad_h, pad_w = (-height) % m, (-width) % m
    if pad_h or pad_w:
        mode = "reflect" if pad_h < height and pad_w < width else "replicate"
        x = F.pad(x, (0, pad_w, 0, pad_h), mode=mode)
    return model(x)[..., :height, :width]


# Shipped configuration (the registry builds it by name; weights must match).
# Sketch: in = sketch; out = RGB.
SKETCH_CONFIG = UNetConfig(in_channels=1, out_channels=3, stem=32, widths=(48, 96, 192, 256))


def build_sketch_generator(**overrides: object) -> UNetGenerator:
    from dataclasses import replace

    return UNetGenerator(replace(SKETCH_CONFIG, **overrides))  # type: ignore[arg-type]
