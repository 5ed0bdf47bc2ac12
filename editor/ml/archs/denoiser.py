"""A compact FFDNet-style colour denoiser with a noise-level input.

Like FFDNet (Zhang et al. 2018, arXiv:1710.04026) the image is pixel-unshuffled by 2, so every
convolution runs at a quarter of the pixels (fast on a CPU, 4x the receptive field), and a
noise-level map is concatenated as an extra channel, so one network covers light to heavy noise
and the user's strength slider maps straight onto it. Unlike FFDNet the body is a few residual
blocks without batch norm, and the network predicts a correction added to its input (residual
learning, as DnCNN), which trains much faster from scratch.

The unshuffle makes the network equivariant to even shifts only: tiles must start at even
coordinates to reproduce the whole-image result (editor.engine.denoise sees to it).

Tensors: x float32 (N, 3, H, W) RGB nominally in [0, 1] (noisy values may lie a little outside),
any H, W (odd sizes are padded internally); sigma = noise standard deviation in the same [0, 1]
units (sigma_255 / 255), a float, an (N,) tensor or an (N, 1, H, W) map. Output: same shape as x,
not clamped.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

import torch
import torch.nn.functional as F
from torch import nn

if TYPE_CHECKING:
    from editor.ml.archs.ffdnet import FFDNet

ARCH_NAME = "denoiser-ffd"
ARCH = "editor.ml.archs.denoiser:build_denoiser"
SIGMA_SCALE = 255.0 / 50.0  # noise map value 1.0 = sigma 50/255: keeps the input channel O(1)
MAX_SIGMA_255 = 75.0  # the range the shipped model was trained on


@dataclass(frozen=True)
class DenoiserConfig:
    channels: int = 48
    blocks: int = 4  # residual blocks of two 3x3 convs each

    def to_metadata(self) -> dict[str, str]:
        return {k: str(v) for k, v in asdict(self).items()}

    @classmethod
    def from_metadata(cls, meta: dict[str, str]) -> DenoiserConfig:
        return cls(channels=int(meta["channels"]), blocks=int(meta["blocks"]))


class ResBlock(nn.Module):
    """conv-ReLU-conv plus the identity."""

    def __init__(self, channels: int) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(channels, channels, 3, padding=1)
        self.conv2 = nn.Conv2d(channels, channels, 3, padding=1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out: torch.Tensor = x + self.conv2(F.relu(self.conv1(x), inplace=True))
        return out


class Denoiser(nn.Module):
    """Pixel-unshuffle x2 + noise map -> head conv -> residual blocks -> tail -> shuffle + input."""

    def __init__(self, config: DenoiserConfig | None = None) -> None:
        super().__init__()
        self.config = config or DenoiserConfig()
        c = self.config.channels
        self.head = nn.Conv2d(12 + 1, c, 3, padding=1)
        self.body = nn.Sequential(*[ResBlock(c) for _ in range(self.config.blocks)])
        self.tail = nn.Conv2d(c, 12, 3, padding=1)
        # The correction starts at zero, so an untrained model is the identity (stable start).
        nn.init.zeros_(self.tail.weight)
        assert self.tail.bias is not None  # a Conv2d made with bias=True (the default)
        nn.init.zeros_(self.tail.bias)
        # Peak live activation elements per input pixel: ~3 feature maps of c channels at a
        # quarter of the pixels, plus the input, output and unshuffled copies (choose_tile).
        self.activation_elems_per_pixel = 3 * c // 4 + 16
        # Input pixels on each side that reach an output pixel: head + 2 per block + tail
        # 3x3 convs at half resolution, plus the 2x2 cell.
        self.receptive_radius = 2 * (2 * self.config.blocks + 2) + 1

    def forward(self, x: torch.Tensor, sigma: torch.Tensor | float) -> torch.Tensor:
        n, _, height, width = x.shape
        pad_h, pad_w = height % 2, width % 2
        if pad_h or pad_w:
            mode = "reflect" if min(height, width) > 1 else "replicate"
            x_in = F.pad(x, (0, pad_w, 0, pad_h), mode=mode)
        else:
            x_in = x
        noise = self._noise_map(sigma, n, x_in)
        feats = torch.cat([F.pixel_unshuffle(x_in, 2), noise], dim=1)
        feats = F.relu(self.head(feats), inplace=True)
        feats = self.body(feats)
        out = x_in + F.pixel_shuffle(self.tail(feats), 2)
        return out[:, :, :height, :width]

    @staticmethod
    def _noise_map(sigma: torch.Tensor | float, n: int, x: torch.Tensor) -> torch.Tensor:
        """(N, 1, H/2, W/2) noise-level channel from a scalar, per-sample or full-size sigma."""
        h2, w2 = x.shape[2] // 2, x.shape[3] // 2
        s = torch.as_tensor(sigma, dtype=x.dtype, device=x.device)
        if s.dim() == 4:  # a per-pixel map at full resolution: average over each 2x2 cell
            if s.shape[2] != x.shape[2] or s.shape[3] != x.shape[3]:
                s = F.pad(s, (0, x.shape[3] - s.shape[3], 0, x.shape[2] - s.shape[2]),
                          mode="replicate")  # fmt: skip
            return F.avg_pool2d(s, 2) * SIGMA_SCALE
        return (s.reshape(-1, 1, 1, 1) * SIGMA_SCALE).expand(n, 1, h2, w2)


def build_denoiser(channels: int = 48, blocks: int = 4) -> Denoiser:
    """Registry builder: random weights, the shipped model's shape by default."""
    return Denoiser(DenoiserConfig(channels=channels, blocks=blocks))


class FixedSigma(nn.Module):
    """`model` with its noise level bound, so it is a plain image-to-image module (for tiling)."""

    def __init__(self, model: Denoiser | FFDNet, sigma: float) -> None:
        super().__init__()
        self.model = model
        self.sigma = float(sigma)
        self.activation_elems_per_pixel = model.activation_elems_per_pixel

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out: torch.Tensor = self.model(x, self.sigma)
        return out
