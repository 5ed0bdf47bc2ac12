"""Pieces every trainer's step loop shares: how far the run is, the learning-rate schedule, the
weights' moving average, resuming and the checkpoint file."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import torch


class Every:
    """Calling it says whether `seconds` have passed since it last said so (periodic checks)."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.last = time.monotonic()

    def __call__(self) -> bool:
        if time.monotonic() - self.last < self.seconds:
            return False
        self.last = time.monotonic()
        return True


def fraction_done(step: int, elapsed: float, max_steps: int | None,
                  budget: float) -> float | None:  # fmt: skip
    """How far the run is before `step`: by steps when `max_steps` is set, else by the seconds
    of `budget` spent; None once it is over."""
    if max_steps is not None:
        return step / max_steps if step < max_steps else None
    return elapsed / budget if elapsed < budget else None


def cosine_step(opt: torch.optim.Optimizer, base_lr: float, step: int, elapsed: float,
                max_steps: int | None, budget: float) -> bool:  # fmt: skip
    """Set `step`'s learning rate (`cosine_lr` at `fraction_done`); False once the run is
    over, so a trainer's loop reads `while cosine_step(...)`."""
    fraction = fraction_done(step, elapsed, max_steps, budget)
    if fraction is None:
        return False
    set_lr(opt, cosine_lr(base_lr, fraction))
    return True


def set_lr(opt: torch.optim.Optimizer, lr: float) -> None:
    """`lr` for every parameter group, times the group's "lr_scale" where it has one."""
    for group in opt.param_groups:
        group["lr"] = lr * group.get("lr_scale", 1.0)


def warm_cosine_lr(base: float, step: int, warmup_steps: int, fraction: float) -> float:
    """`base` after a linear warm-up over `warmup_steps`, then a cosine down to 0 at `fraction` 1
    (the decoders on cached features)."""
    return base * min(1.0, (step + 1) / warmup_steps) * 0.5 * (1 + math.cos(math.pi * fraction))


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


def resume_from(path: Path, model: torch.nn.Module, ema: torch.nn.Module,
                opt: torch.optim.Optimizer, device: torch.device) -> tuple[int, float]:  # fmt: skip
    """Load a `save_checkpoint` file into model, EMA and optimiser; (step, seconds spent)."""
    ckpt = torch.load(path, map_location=device, weights_only=True)
    model.load_state_dict(ckpt["model"])
    ema.load_state_dict(ckpt["ema"])
    opt.load_state_dict(ckpt["opt"])
    return int(ckpt["step"]), float(ckpt["spent"])


def run_record(cfg: Any, step: int, seconds: float, device: object, seed: int, parameters: int,
               losses: list[float]) -> dict[str, object]:  # fmt: skip
    """What every trainer's metrics.json starts with: config name, crop, batch, steps, minutes,
    device, seed, parameter count, and the first and last ten losses."""
    return {"config": cfg.name, "crop": cfg.crop, "batch": cfg.batch, "steps": step,
            "train_minutes": seconds / 60.0, "device": str(device), "seed": seed,
            "parameters": parameters, "first_losses": losses[:10],
            "last_losses": losses[-10:]}  # fmt: skip


def weights_record(path: Path) -> dict[str, object]:
    """The metrics' record of an exported weights file: name, sha256 and size."""
    from editor.ml.hashing import sha256_file

    return {"weights": path.name, "sha256": sha256_file(path), "bytes": path.stat().st_size}


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
             ema: torch.nn.Module, step: int, max_decay: float) -> float:  # fmt: skip
    """One optimiser step on `loss` (gradients clipped to norm 1), then the EMA follows
    (`ema` may be `model` itself: no average) with decay min(max_decay, (1 + step) /
    (10 + step)): a short memory while the weights still move fast. Returns the loss as a
    number (for the log)."""
    ema_decay = min(max_decay, (1 + step) / (10 + step))
    opt.zero_grad(set_to_none=True)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    opt.step()
    if ema is not model:
        update_ema(ema, model, ema_decay)
    return float(loss.detach())
