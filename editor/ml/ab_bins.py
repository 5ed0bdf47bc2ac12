"""Quantised Lab ab bins: soft encoding, class rebalancing, annealed-mean decoding, suggestions.

Zhang et al. 2016: ab is quantised on a GRID-unit grid; a target colour is soft-encoded on its
five nearest bins with a Gaussian (σ = SOFT_SIGMA); rare colours are up-weighted by
w ∝ ((1 − λ)·p̃ + λ/Q)⁻¹ with p̃ the empirical bin prior smoothed by a Gaussian; a distribution is
decoded by the annealed mean (temperature T: softmax(logits / T) · bin centres; lower T = more
vivid, higher = safer). Shared by training and inference (tensor contract: ab in Lab units).
"""

from __future__ import annotations

import torch

GRID = 10.0
AB_LIMIT = 110.0
SOFT_NEIGHBOURS = 5
SOFT_SIGMA = 5.0
PRIOR_SIGMA = 5.0
REBALANCE_LAMBDA = 0.5
DEFAULT_TEMPERATURE = 0.38


def grid_centres() -> torch.Tensor:
    """All G²×2 candidate bin centres (a, b) on the grid within ±AB_LIMIT."""
    axis = torch.arange(-AB_LIMIT, AB_LIMIT + 1e-6, GRID)
    a, b = torch.meshgrid(axis, axis, indexing="ij")
    return torch.stack([a.flatten(), b.flatten()], 1)


def grid_index(ab: torch.Tensor) -> torch.Tensor:
    """N×H×W index into `grid_centres()` of the nearest grid centre for ab N×2×H×W."""
    side = int(round(2 * AB_LIMIT / GRID)) + 1
    cells = ((ab.float() + AB_LIMIT) / GRID).round().clamp(0, side - 1).long()
    return cells[:, 0] * side + cells[:, 1]


def _squared_distances(ab: torch.Tensor, centres: torch.Tensor) -> torch.Tensor:
    """N×Q×H×W squared distances between every ab pixel and every centre."""
    c = centres.to(ab.dtype)
    cross = torch.einsum("nchw,qc->nqhw", ab, c)
    return ab.pow(2).sum(1, keepdim=True) - 2 * cross + c.pow(2).sum(1)[None, :, None, None]


def soft_encode(ab: torch.Tensor, centres: torch.Tensor) -> torch.Tensor:
    """N×Q×H×W soft targets: Gaussian weights on the SOFT_NEIGHBOURS nearest bins, summing to 1."""
    dist = _squared_distances(ab.float(), centres)
    near, index = dist.topk(SOFT_NEIGHBOURS, dim=1, largest=False)
    weights = torch.softmax(-near / (2 * SOFT_SIGMA**2), dim=1)
    return torch.zeros_like(dist).scatter_(1, index, weights)


def rebalance_weights(counts: torch.Tensor, centres: torch.Tensor) -> torch.Tensor:
    """Q per-bin loss weights from bin counts (Q): smoothed prior, mixed with uniform, inverted,
    normalised so the expected weight under the prior is 1."""
    prior = counts.double() / counts.sum()
    d2 = (centres[:, None, :] - centres[None, :, :]).double().pow(2).sum(-1)
    prior = torch.exp(-d2 / (2 * PRIOR_SIGMA**2)) @ prior
    prior = prior / prior.sum()
    q = counts.numel()
    weights = 1.0 / ((1 - REBALANCE_LAMBDA) * prior + REBALANCE_LAMBDA / q)
    weights = weights / (prior * weights).sum()
    return weights.float()


def annealed_mean(logits: torch.Tensor, centres: torch.Tensor, temperature: float) -> torch.Tensor:
    """N×2×H×W ab (Lab units) decoded from N×Q×H×W logits at `temperature` (> 0)."""
    if temperature <= 0:
        raise ValueError(f"temperature must be positive, got {temperature}")
    probs = torch.softmax(logits.float() / temperature, dim=1)
    return torch.einsum("nqhw,qc->nchw", probs, centres.float().to(probs.device))


def top_colours(
    logits: torch.Tensor, centres: torch.Tensor, k: int
) -> list[tuple[float, float, float]]:
    """The k most probable bins of a single Q-vector of logits: [(a, b, probability)], most
    probable first."""
    probs = torch.softmax(logits.float().flatten(), 0)
    values, index = probs.topk(min(k, probs.numel()))
    return [(float(centres[i, 0]), float(centres[i, 1]), float(v))
            for v, i in zip(values, index, strict=True)]  # fmt: skip
