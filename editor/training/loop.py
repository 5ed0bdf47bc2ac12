"""Pieces every trainer's step loop shares: the learning-rate schedule, the weights' moving
average and the checkpoint file."""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path

import torch


def cosine_lr(base: float, fraction: float) -> float:
    """`base` after a short linear warm-up, then a cosine down to 2 % of it at `fraction` 1."""
    warm = min(1.0, fraction / 0.02)
    return base * warm * (0.02 + 0.98 * 0.5 * (1.0 + math.cos(math.pi * min(fraction, 1.0))))


def update_ema(ema: torch.nn.Module, model: torch.nn.Module, decay: float) -> None:
    """Move `ema`'s parameters toward `model`'s by 1 - `decay`; copy the buffers."""
    with torch.no_grad():
        for e, p in zip(ema.parameters(), model.parameters(), strict=True):
            e.lerp_(p, 1.0 - decay)
        for e, b in zip(ema.buffers(), model.buffers(), strict=True):
            e.copy_(b)


def save_checkpoint(path: Path, model: torch.nn.Module, ema: torch.nn.Module,
                    opt: torch.optim.Optimizer, step: int, spent: float) -> None:  # fmt: skip
    """Model, EMA, optimiser, step and training seconds so far, written atomically (a run
    killed mid-write keeps the previous checkpoint). Read with torch.load(weights_only=True)."""
    tmp = path.with_suffix(".tmp")
    torch.save({"model": model.state_dict(), "ema": ema.state_dict(), "opt": opt.state_dict(),
                "step": step, "spent": spent}, tmp)  # fmt: skip
    tmp.replace(path)


def keep_best(best: dict, score: float, metrics: dict, step: int, selecting: bool,
              export: Callable[[], object]) -> dict:  # fmt: skip
    """The best held-out record (`score` higher is better) after a check at `step`. `export()`
    writes the weights: at the first check, at every check when checks do not select (the last
    one wins), and whenever the score beats the best so far."""
    if best and selecting and score <= best["score"]:
        return best
    export()
    return {"score": score, "metrics": metrics, "step": step}


def optimise(loss: torch.Tensor, model: torch.nn.Module, opt: torch.optim.Optimizer,
             ema: torch.nn.Module, ema_decay: float) -> None:  # fmt: skip
    """One optimiser step on `loss` (gradients clipped to norm 1), then the EMA follows
    (`ema` may be `model` itself: no average)."""
    opt.zero_grad(set_to_none=True)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    opt.step()
    if ema is not model:
        update_ema(ema, model, ema_decay)
