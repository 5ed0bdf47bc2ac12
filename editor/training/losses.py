"""The partial-convolution paper's inpainting loss (Liu et al. 2018, eq. 1-7).

total = 1·valid L1 + 6·hole L1 + 0.05·perceptual + 120·style(out) + 120·style(comp) + 0.1·TV

All images N×3×H×W float32 RGB [0, 1]; `known` N×1×H×W (1 = known pixel, 0 = hole).
Perceptual/style use a frozen feature net; pass None to leave those terms out.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn


@dataclass(frozen=True)
class LossWeights:
    valid: float = 1.0
    hole: float = 6.0
    perceptual: float = 0.05
    style: float = 120.0
    tv: float = 0.1


def gram(features: torch.Tensor) -> torch.Tensor:
    """N×C×C Gram matrix normalised by C·H·W (the paper's K_p), computed in fp32."""
    n, c, h, w = features.shape
    flat = features.float().reshape(n, c, h * w)
    return flat @ flat.transpose(1, 2) / (c * h * w)


def total_variation(comp: torch.Tensor, hole: torch.Tensor) -> torch.Tensor:
    """Mean absolute neighbour difference of `comp` on the 1-px dilated hole region."""
    region = F.max_pool2d(hole, 3, 1, 1)
    dx = (comp[..., :, 1:] - comp[..., :, :-1]).abs() * region[..., :, 1:] * region[..., :, :-1]
    dy = (comp[..., 1:, :] - comp[..., :-1, :]).abs() * region[..., 1:, :] * region[..., :-1, :]
    return dx.mean() + dy.mean()


def inpaint_loss(
    output: torch.Tensor,
    target: torch.Tensor,
    known: torch.Tensor,
    features: nn.Module | None,
    weights: LossWeights = LossWeights(),
) -> tuple[torch.Tensor, dict[str, float]]:
    """(total loss, per-term float values for logging)."""
    output = output.float()
    hole = 1.0 - known
    comp = known * target + hole * output
    terms: dict[str, torch.Tensor] = {
        "valid": (known * (output - target)).abs().mean(),
        "hole": (hole * (output - target)).abs().mean(),
        "tv": total_variation(comp, hole),
    }
    if features is not None:
        with torch.no_grad():
            feats_gt = features(target)
        feats_out = features(output)
        feats_comp = features(comp)
        perceptual = output.new_zeros(())
        style = output.new_zeros(())
        for f_gt, f_out, f_comp in zip(feats_gt, feats_out, feats_comp, strict=True):
            perceptual = perceptual + F.l1_loss(f_out.float(), f_gt.float())
            perceptual = perceptual + F.l1_loss(f_comp.float(), f_gt.float())
            g_gt = gram(f_gt)
            style = style + F.l1_loss(gram(f_out), g_gt) + F.l1_loss(gram(f_comp), g_gt)
        terms["perceptual"] = perceptual
        terms["style"] = style
    total = sum(getattr(weights, name) * value for name, value in terms.items())
    assert isinstance(total, torch.Tensor)
    return total, {name: float(value.detach()) for name, value in terms.items()}
