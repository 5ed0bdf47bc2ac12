"""Mirrored self-ensemble (as EDSR's, Lim et al. 2017): run a network on its input and on the
mirror image, mirror the second answer back and average the two. Where the output is a guess
(a big hole's fill, a photo's colours from a line drawing), the two guesses' errors are partly
independent and their mean is nearer the truth; it costs a second pass and no training."""

from __future__ import annotations

from collections.abc import Callable

import torch


def mirrored_mean(predict: Callable[..., torch.Tensor], *images: torch.Tensor) -> torch.Tensor:
    """Mean of `predict(*images)` and its answer on every image mirrored left-right (mirrored
    back). Every argument is an N×C×H×W tensor aligned with the output."""
    once = predict(*images)
    mirrored = predict(*(image.flip(-1) for image in images)).flip(-1)
    return (once + mirrored) / 2
