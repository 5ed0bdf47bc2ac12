"""Reading a backbone's intermediate outputs: the feature pyramids the decoders and the style
losses tap (EfficientNet-Lite0 blocks, VGG-19 layers)."""

from __future__ import annotations

from collections.abc import Iterable

import torch
from torch import nn


def tap_outputs(x: torch.Tensor, layers: Iterable[nn.Module],
                wanted: tuple[int, ...]) -> list[torch.Tensor]:  # fmt: skip
    """Run `x` through `layers` in turn and return the outputs of those whose index is in
    `wanted`, in order; stops after the last one wanted (the deeper layers cost nothing)."""
    out = []
    last = max(wanted)
    for index, layer in enumerate(layers):
        x = layer(x)
        if index in wanted:
            out.append(x)
        if index == last:
            break
    return out
