"""Colorizer: a frozen EfficientNet-Lite0 encoder and a small decoder predicting ab-bin logits.

Zhang et al. 2016 ("Colorful Image Colorization") recipe: the decoder classifies each cell of a
1/4-resolution grid into quantised Lab ab bins; colours come from the annealed mean of that
distribution (editor.ml.ab_bins). User hints (Zhang et al. 2017) enter every decoder level as
three extra channels — a/110·mask, b/110·mask, mask — average-pooled to that level's size, so a
hint reaches the whole region the coarse levels see, not just its own cell.

Tensors:
- encoder input: N×3×H×W float32 gray RGB in [0, 1] (L* as sRGB gray), H and W multiples of 32;
- features: Lite0 block outputs FEATURE_BLOCKS at strides 4, 8, 16, 32;
- hints: N×3×(H/4)×(W/4) float32 as above (zeros = no hint);
- output: N×Q×(H/4)×(W/4) float32 logits over the Q bins in `decoder.bin_ab` (Q×2, Lab units),
  tilted toward rare colours by the training's class rebalancing (`decoder.log_weight`).
"""

from __future__ import annotations

import torch
from torch import nn

from editor.ml.archs.decoder_blocks import (
    FEATURE_BLOCKS,
    FEATURE_CHANNELS,
    conv_bn_relu,
    pool_hints_to,
    upsample_to,
)
from editor.ml.archs.efficientnet_lite import EfficientNetLite0

HINT_CHANNELS = 3
OUTPUT_STRIDE = 4


class ColorDecoder(nn.Module):
    """Multi-scale features + hints → ab-bin logits at 1/4 resolution."""

    bin_ab: torch.Tensor  # buffers (register_buffer below)
    log_weight: torch.Tensor

    def __init__(self, num_bins: int, widths: tuple[int, int, int, int] = (256, 160, 96, 64)):
        super().__init__()
        c4, c8, c16, c32 = FEATURE_CHANNELS
        w32, w16, w8, w4 = widths
        h = HINT_CHANNELS
        self.level32 = nn.Sequential(conv_bn_relu(c32 + h, w32, 1), conv_bn_relu(w32, w32))
        self.level16 = conv_bn_relu(w32 + c16 + h, w16)
        self.level8 = conv_bn_relu(w16 + c8 + h, w8)
        self.level4 = nn.Sequential(conv_bn_relu(w8 + c4 + h, w4), conv_bn_relu(w4, w4))
        self.head = nn.Conv2d(w4, num_bins, 1)
        self.register_buffer("bin_ab", torch.zeros(num_bins, 2))
        # log of the class-rebalancing weights the decoder was trained with: subtracting it from
        # the logits undoes the tilt toward rare colours (editor.ml.colorization.decode_ab).
        self.register_buffer("log_weight", torch.zeros(num_bins))

    def forward(self, feats: list[torch.Tensor], hints: torch.Tensor) -> torch.Tensor:
        f4, f8, f16, f32 = feats
        x = self.level32(torch.cat([f32, pool_hints_to(hints, f32)], 1))
        x = self.level16(torch.cat([upsample_to(x, f16), f16, pool_hints_to(hints, f16)], 1))
        x = self.level8(torch.cat([upsample_to(x, f8), f8, pool_hints_to(hints, f8)], 1))
        x = self.level4(torch.cat([upsample_to(x, f4), f4, hints], 1))
        logits: torch.Tensor = self.head(x)
        return logits


class Colorizer(nn.Module):
    """Encoder + decoder for inference: gray RGB + hints → logits (contract in the module doc)."""

    def __init__(self, encoder: EfficientNetLite0, decoder: ColorDecoder):
        super().__init__()
        self.encoder = encoder.eval()
        self.decoder = decoder

    def forward(self, gray_rgb: torch.Tensor, hints: torch.Tensor) -> torch.Tensor:
        feats = self.encoder.forward_features(gray_rgb, FEATURE_BLOCKS)
        logits: torch.Tensor = self.decoder(feats, hints)
        return logits


def build_decoder(num_bins: int) -> ColorDecoder:
    """Registry builder (weights hold `bin_ab`, which fixes the bin count)."""
    return ColorDecoder(num_bins)
