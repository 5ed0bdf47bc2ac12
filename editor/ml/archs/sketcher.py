"""Sketcher: a frozen EfficientNet-Lite0 encoder that reads a line drawing and a small decoder
that paints the photo, steered by colour scribbles.

The encoder is the same frozen ImageNet network the colorizer uses; trained only on photos, its
features still respond to outlines, and freezing it lets training cache them once (2 CPU cores
then spend their time on the decoder). The decoder climbs the feature pyramid to 1/4 resolution
like the colorizer's, then one light stage at 1/2 resolution takes the drawing itself as a skip,
so edges in the photo land on the drawn lines; the photo is upsampled bilinearly from there (a
full-resolution stage cost 2.4× the training time for little: the photo's detail is not in the
drawing). Colour scribbles (Sangkloy et al. 2017,
"Scribbler") enter every level as hint channels, pooled to each level's size as the colorizer's
hints are, so one stroke colours the region around it.

A decoder may carry its own copy of the encoder's later blocks (`EncoderTail`) to fine-tune on
drawings, the frozen early blocks staying shared (and cacheable in training);
`SketchDecoder.encoder_blocks` says which frozen outputs it reads. On a subject's few thousand
photos the tuned blocks memorised them (models/MODELS.md), so the shipped decoders have no tail;
the layout is kept for runs over more data.

Tensors:
- sketch: N×1×H×W float32, 1 = paper, 0 = ink, H and W multiples of 32; the encoder sees it as
  gray RGB;
- scribbles: N×4×(H/4)×(W/4) float32 (r·m, g·m, b·m, m): sRGB [0, 1] colour times the 0/1 mask
  of cells a stroke covers (zeros = no scribbles);
- output: N×3×H×W float32 sRGB in [0, 1].
"""

from __future__ import annotations

from collections.abc import Iterable

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
from editor.ml.archs.feature_taps import tap_outputs

SCRIBBLE_CHANNELS = 4
SCRIBBLE_STRIDE = 4


class EncoderTail(nn.Module):
    """Lite0's blocks from `start` on (copies, to be fine-tuned): the stride-8 output in, the
    stride-16 and stride-32 feature levels out."""

    def __init__(self, start: int = 5):
        super().__init__()
        if start - 1 != FEATURE_BLOCKS[1]:
            raise ValueError(f"the tail starts after the stride-8 block ({FEATURE_BLOCKS[1]})")
        self.start = start
        self.blocks = nn.ModuleList(EfficientNetLite0()._blocks[start : FEATURE_BLOCKS[-1] + 1])

    def forward(self, f8: torch.Tensor) -> list[torch.Tensor]:
        wanted = tuple(block - self.start for block in FEATURE_BLOCKS[2:])
        return tap_outputs(f8, self.blocks, wanted)


class SketchDecoder(nn.Module):
    """Lite0 features of a drawing + the drawing + scribbles → RGB at full resolution."""

    def __init__(self, widths: tuple[int, ...] = (192, 128, 80, 48, 32),
                 feature_dropout: float = 0.2, tail: EncoderTail | None = None):  # fmt: skip
        super().__init__()
        self.tail = tail
        # Whole encoder channels dropped in training: a subject has a few thousand photos, and
        # without it the decoder memorises them (held-out L1 rose after ~10 minutes).
        self.feature_dropout = nn.Dropout2d(feature_dropout)
        c4, c8, c16, c32 = FEATURE_CHANNELS
        w32, w16, w8, w4, w2 = widths
        s = SCRIBBLE_CHANNELS
        self.level32 = nn.Sequential(conv_bn_relu(c32 + s, w32, 1), conv_bn_relu(w32, w32))
        self.level16 = conv_bn_relu(w32 + c16 + s, w16)
        self.level8 = conv_bn_relu(w16 + c8 + s, w8)
        self.level4 = nn.Sequential(conv_bn_relu(w8 + c4 + s, w4), conv_bn_relu(w4, w4))
        self.level2 = conv_bn_relu(w4 + 1, w2)
        self.head = nn.Conv2d(w2, 3, 3, padding=1)

    @property
    def encoder_blocks(self) -> tuple[int, ...]:
        """The frozen encoder's block outputs `forward` reads (its `feats`, in this order)."""
        return FEATURE_BLOCKS[:2] if self.tail is not None else FEATURE_BLOCKS

    def forward(self, feats: list[torch.Tensor], sketch: torch.Tensor,
                scribbles: torch.Tensor) -> torch.Tensor:  # fmt: skip
        if self.tail is not None:
            feats = [*feats, *self.tail(feats[1])]
        f4, f8, f16, f32 = (self.feature_dropout(f) for f in feats)
        x = self.level32(torch.cat([f32, pool_hints_to(scribbles, f32)], 1))
        x = self.level16(torch.cat([upsample_to(x, f16), f16, pool_hints_to(scribbles, f16)], 1))
        x = self.level8(torch.cat([upsample_to(x, f8), f8, pool_hints_to(scribbles, f8)], 1))
        x = self.level4(torch.cat([upsample_to(x, f4), f4, scribbles.to(f4.dtype)], 1))
        half = nn.functional.avg_pool2d(sketch, 2).to(x.dtype)
        x = self.level2(torch.cat([upsample_to(x, half), half], 1))
        return upsample_to(torch.sigmoid(self.head(x)), sketch)


class Sketcher(nn.Module):
    """Encoder + decoder for inference (contract in the module doc)."""

    def __init__(self, encoder: EfficientNetLite0, decoder: SketchDecoder):
        super().__init__()
        self.encoder = encoder.eval()
        self.decoder = decoder

    def forward(self, sketch: torch.Tensor, scribbles: torch.Tensor) -> torch.Tensor:
        feats = self.encoder.forward_features(sketch_as_rgb(sketch), self.decoder.encoder_blocks)
        photo: torch.Tensor = self.decoder(feats, sketch, scribbles)
        return photo


def sketch_as_rgb(sketch: torch.Tensor) -> torch.Tensor:
    """N×1×H×W drawing → the N×3×H×W gray image the encoder reads."""
    return sketch.expand(-1, 3, -1, -1)


def build_decoder() -> SketchDecoder:
    """Registry builder (frozen encoder)."""
    return SketchDecoder()


def build_tuned_decoder() -> SketchDecoder:
    """Registry builder (with its own fine-tuned stride-16 and stride-32 encoder blocks)."""
    return SketchDecoder(tail=EncoderTail())


def decoder_for(keys: Iterable[str]) -> SketchDecoder:
    """An untrained decoder of the layout a weights file's tensor names describe (a tuned one
    holds `tail.*`), read from names so that no metadata string chooses code."""
    tuned = any(key.startswith("tail.") for key in keys)
    return build_tuned_decoder() if tuned else build_decoder()
