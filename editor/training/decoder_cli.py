"""Command-line options shared by the config-based trainers (colorize, sketch, upscale; the
decoders on frozen EfficientNet-Lite0 features also take its weights file), and the device and
config they imply."""

from __future__ import annotations

import argparse
import logging
import time
from dataclasses import replace
from pathlib import Path
from typing import Any


def add_decoder_arguments(parser: argparse.ArgumentParser, configs: dict[str, Any]) -> None:
    add_training_arguments(parser, configs)
    parser.add_argument(
        "--feature-weights", help="local efficientnet-lite0-57934424.pth (default: the user cache)"
    )


def add_training_arguments(parser: argparse.ArgumentParser, configs: dict[str, Any]) -> None:
    """The options every config-based trainer takes: data, time, output, device, config, seed,
    warm start, steps, threads."""
    parser.add_argument("--data", nargs="*", default=[], help="folders / tar shards of photos")
    parser.add_argument("--minutes", type=float, default=1.0, help="training time budget")
    parser.add_argument("--out", type=Path, required=True, help="output folder")
    parser.add_argument("--device", default=None, help="cuda or cpu (default: cuda if there)")
    parser.add_argument("--config", default=None, choices=sorted(configs),
                        help="default: full on cuda, cpu otherwise")  # fmt: skip
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--init", type=Path, help="warm start: an exported weight file")
    parser.add_argument("--steps", type=int, help="stop after this many steps (overrides time)")
    parser.add_argument("--threads", type=int, help="torch CPU threads (default: torch's)")


def device_and_config(args: argparse.Namespace, configs: dict[str, Any]) -> tuple[str, Any]:
    """(device, config) the options ask for; sets torch's CPU threads when given."""
    import torch

    device = args.device or ("cuda" if torch.cuda.is_available() else "cpu")
    if args.threads:
        torch.set_num_threads(args.threads)
    cfg = configs[args.config or ("full" if device.startswith("cuda") else "cpu")]
    if args.steps:
        cfg = replace(cfg, max_steps=args.steps)
    return device, cfg


def log_progress(label: str, step: int, steps_here: int, losses: list[float], every: int,
                 lr: float, batch: int, started: float) -> None:  # fmt: skip
    """Every `every` steps: the mean loss of the last `every`, the learning rate and samples/s
    (`steps_here`: steps taken since `started`, a time.monotonic())."""
    if step % every:
        return
    rate = steps_here * batch / max(time.monotonic() - started, 1e-6)
    logging.getLogger("editor.training").info(
        "%s step %d loss %.4f lr %.2e %.1f samples/s", label, step,
        sum(losses[-every:]) / len(losses[-every:]), lr, rate)  # fmt: skip


def loss_trend(losses: list[float]) -> dict[str, float]:
    """Mean loss of the first and of the last fifth of a run's steps (did it learn?)."""
    fifth = max(1, len(losses) // 5)
    return {"first_loss": sum(losses[:fifth]) / fifth, "last_loss": sum(losses[-fifth:]) / fifth}
