"""A tiny random backbone with the style backbones' forward_features interface (tests only)."""

from __future__ import annotations

import torch
from torch import nn


class TinyBackbone(nn.Module):
    """Three random conv stages; `first_stride` 2 makes the stem strided, as EfficientNet's."""

    def __init__(self, first_stride: int = 1) -> None:
        super().__init__()
        torch.manual_seed(0)
        self.stages = nn.ModuleList(
            [
                nn.Sequential(nn.Conv2d(3, 8, 3, stride=first_stride, padding=1), nn.ReLU()),
                nn.Sequential(nn.Conv2d(8, 12, 3, stride=2, padding=1), nn.ReLU()),
                nn.Sequential(nn.Conv2d(12, 16, 3, stride=2, padding=1), nn.ReLU()),
            ]
        )

    def forward_features(self, image: torch.Tensor, layers: tuple[int, ...]) -> list[torch.Tensor]:
        out, x = [], image
        for i, stage in enumerate(self.stages):
            x = stage(x)
            if i in layers:
                out.append(x)
        return out
