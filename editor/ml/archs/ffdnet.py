"""FFDNet, the colour model (Zhang, Zuo and Zhang 2018, arXiv:1710.04026), laid out so KAIR's
published `ffdnet_color.pth` state dict loads as it is (keys `model.0` ... `model.22`).

The image is pixel-unshuffled by 2 (RGB -> 12 channels at a quarter of the pixels) and a
one-channel noise-level map is appended; 12 plain 3x3 convolutions (96 channels, ReLU between,
batch norm already folded into them in the published weights) predict the clean unshuffled
image, which is shuffled back. The network outputs the image itself, not a residual.

Tensors: x float32 (N, 3, H, W) RGB nominally in [0, 1], any H, W (odd sizes are padded by
replication, as the reference code does); sigma = noise standard deviation in the same [0, 1]
units (sigma_255 / 255), a float, an (N,) tensor or an (N, 1, H, W) map. Output: same shape as
x, not clamped. Like editor.ml.archs.denoiser it is equivariant to even shifts only, so tiles
must start at even coordinates (editor.engine.denoise sees to it).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

ARCH = "editor.ml.archs.ffdnet:build_ffdnet_color"
CHANNELS = 96
CONVS = 12


class FFDNet(nn.Module):
    def __init__(self, channels: int = CHANNELS, convs: int = CONVS) -> None:
        super().__init__()
        layers: list[nn.Module] = [nn.Conv2d(4 * 3 + 1, channels, 3, padding=1)]
        for _ in range(convs - 2):
            layers += [nn.ReLU(inplace=True), nn.Conv2d(channels, channels, 3, padding=1)]
        layers += [nn.ReLU(inplace=True), nn.Conv2d(channels, 4 * 3, 3, padding=1)]
        self.model = nn.Sequential(*layers)
        # What editor.engine.tiling needs to size tiles and overlaps: ~3 live feature maps of
        # `channels` at a quarter of the pixels plus the input and output copies per pixel; and
        # the input pixels on each side that reach an output pixel (convs at half resolution).
        self.activation_elems_per_pixel = 3 * channels // 4 + 16
        self.receptive_radius = 2 * convs + 1

    def forward(self, x: torch.Tensor, sigma: torch.Tensor | float) -> torch.Tensor:
        n, _, height, width = x.shape
        x_in = F.pad(x, (0, width % 2, 0, height % 2), mode="replicate") if (
            height % 2 or width % 2) else x  # fmt: skip
        noise = _noise_map(sigma, n, x_in)
        out = self.model(torch.cat([F.pixel_unshuffle(x_in, 2), noise], dim=1))
        return F.pixel_shuffle(out, 2)[:, :, :height, :width]


def _noise_map(sigma: torch.Tensor | float, n: int, x: torch.Tensor) -> torch.Tensor:
    """(N, 1, H/2, W/2) noise level in [0, 1] units, from a scalar, per-sample or full map."""
    h2, w2 = x.shape[2] // 2, x.shape[3] // 2
    s = torch.as_tensor(sigma, dtype=x.dtype, device=x.device)
    if s.dim() == 4:  # per pixel at full resolution: the mean of each 2x2 cell
        s = F.pad(s, (0, x.shape[3] - s.shape[3], 0, x.shape[2] - s.shape[2]), mode="replicate")
        return F.avg_pool2d(s, 2)
    return s.reshape(-1, 1, 1, 1).expand(n, 1, h2, w2)


def build_ffdnet_color() -> FFDNet:
    """Registry builder: random weights in the published colour model's shape."""
    return FFDNet()
