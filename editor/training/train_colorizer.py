"""Train the colorizer's decoder on cached EfficientNet-Lite0 features (Zhang et al. 2016).

The encoder is frozen, so its multi-scale features of every training photo (and of its mirror
image) are computed once per run and kept in memory as fp16; the CPU then spends its time on the
small decoder (editor.ml.archs.colorizer). Loss: soft-encoded cross-entropy over ab bins with
class rebalancing (editor.ml.ab_bins). Hints follow Zhang et al. 2017: half the samples get
none, the others reveal the true colour of a geometric(1/8) number of random 1/4-resolution cells.

Photos whose mean chroma is below MIN_CHROMA (grayscale stored as RGB) are left out.

    python -m editor.training colorize --data SHARDS... --minutes N --out DIR
        [--config tiny|cpu|full] [--feature-weights LITE0.pth] [--resume CKPT] [--device D]
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from editor.ml import ab_bins, color
from editor.ml.archs.colorizer import FEATURE_BLOCKS, OUTPUT_STRIDE, ColorDecoder
from editor.ml.archs.efficientnet_lite import EfficientNetLite0
from editor.ml.colorization import gray_rgb, hint_channels
from editor.ml.image_metrics import colourfulness, psnr
from editor.training.decoder_cli import (
    add_decoder_arguments,
    device_and_config,
    log_progress,
    loss_trend,
)
from editor.training.loop import Every, fraction_done, set_lr, warm_cosine_lr

log = logging.getLogger(__name__)
MIN_CHROMA = 4.0
ARCH = "editor.ml.archs.colorizer:build_decoder"


@dataclass(frozen=True)
class ColorizerConfig:
    name: str
    size: int = 128  # training photo side; features are cached at this size
    batch: int = 32
    lr: float = 1e-3
    weight_decay: float = 1e-4
    warmup_steps: int = 200
    hint_none_p: float = 0.5
    hint_geometric_p: float = 1.0 / 8.0
    max_hints: int = 24
    validation: int = 300  # photos held out of the training set for the figures
    checkpoint_minutes: float = 10.0
    log_every: int = 100
    max_steps: int | None = None


CONFIGS = {
    "tiny": ColorizerConfig("tiny", size=64, batch=8, warmup_steps=2, validation=4, log_every=5,
                            max_steps=60, lr=3e-3),
    "cpu": ColorizerConfig("cpu"),
    "full": ColorizerConfig("full", batch=128, lr=2e-3, log_every=200),
}  # fmt: skip


@dataclass
class FeatureCache:
    """fp16 encoder features (one tensor per level) and 1/4-resolution ab targets (Lab units)."""

    feats: list[torch.Tensor]
    ab: torch.Tensor

    def __len__(self) -> int:
        return self.ab.shape[0]

    def batch(self, index: torch.Tensor, device: str):
        return [f[index].to(device).float() for f in self.feats], self.ab[index].to(device).float()


@torch.no_grad()
def build_cache(encoder: EfficientNetLite0, photos: torch.Tensor, device: str,
                mirror: bool, chunk: int = 64) -> FeatureCache:  # fmt: skip
    """Features of N×S×S×3 uint8 photos (and of their mirror images when `mirror`)."""
    views = 2 if mirror else 1
    n = photos.shape[0]
    feats: list[torch.Tensor] = []
    ab_all = None
    started = time.monotonic()
    for start in range(0, n, chunk):
        rgb = photos[start : start + chunk].permute(0, 3, 1, 2).float().div(255.0).to(device)
        for view in range(views):
            image = rgb.flip(-1) if view else rgb
            out = encoder.forward_features(gray_rgb(image), FEATURE_BLOCKS)
            ab = F.avg_pool2d(color.rgb_to_lab(image)[:, 1:], OUTPUT_STRIDE)
            if not feats:
                feats = [torch.empty((n * views, *f.shape[1:]), dtype=torch.float16) for f in out]
                ab_all = torch.empty((n * views, *ab.shape[1:]), dtype=torch.float16)
            rows = slice(view * n + start, view * n + start + rgb.shape[0])
            for store, f in zip(feats, out, strict=True):
                store[rows] = f.half().cpu()
            ab_all[rows] = ab.half().cpu()
        if start // chunk % 20 == 0:
            done = start + rgb.shape[0]
            log.info("cached %d/%d photos (%.1f images/s)", done, n,
                     done * views / max(time.monotonic() - started, 1e-6))  # fmt: skip
    assert ab_all is not None
    return FeatureCache(feats, ab_all)


def sample_hints(
    ab: torch.Tensor, cfg: ColorizerConfig, generator: torch.Generator
) -> torch.Tensor:
    """N×3×h×w hint channels revealing the true ab of random cells (module doc's sampling)."""
    n, _, h, w = ab.shape
    uniform = torch.rand(n, generator=generator).clamp_min(1e-7)
    counts = (torch.log(uniform) / math.log(1 - cfg.hint_geometric_p)).floor() + 1
    counts = torch.where(torch.rand(n, generator=generator) < cfg.hint_none_p, 0, counts)
    counts = counts.clamp_max(cfg.max_hints).to(ab.device)
    cells = torch.randint(0, h * w, (n, cfg.max_hints), generator=generator).to(ab.device)
    used = (torch.arange(cfg.max_hints, device=ab.device)[None] < counts[:, None]).float()
    mask = torch.zeros(n, h * w, device=ab.device).scatter_reduce_(1, cells, used, "amax")
    mask = mask.view(n, 1, h, w)
    return hint_channels(ab, mask)


def bin_statistics(
    ab: torch.Tensor, centres: torch.Tensor | None = None
) -> tuple[torch.Tensor, torch.Tensor]:
    """(centres Q×2, rebalancing weights Q): the grid bins seen in the targets, or the given
    `centres` (a warm start keeps its model's bins; targets outside them count for none)."""
    grid = ab_bins.grid_centres()
    counts = torch.zeros(grid.shape[0])
    for start in range(0, ab.shape[0], 512):
        index = ab_bins.grid_index(ab[start : start + 512])
        counts += torch.bincount(index.flatten(), minlength=grid.shape[0]).float()
    if centres is None:
        centres = grid[counts > 0]
    position = ab_bins.grid_index(centres.T[None, :, :, None])[0, :, 0]
    kept = counts[position].clamp_min(1.0)  # a bin never seen still gets a finite weight
    return centres, ab_bins.rebalance_weights(kept, centres)


def colorize_loss(logits: torch.Tensor, ab: torch.Tensor, centres: torch.Tensor,
                  weights: torch.Tensor) -> torch.Tensor:  # fmt: skip
    """Class-rebalanced soft-encoded cross-entropy (scalar)."""
    target = ab_bins.soft_encode(ab, centres)
    per_pixel = -(target * F.log_softmax(logits.float(), dim=1)).sum(1)
    return (per_pixel * weights[target.argmax(1)]).mean()


def _to_uint8(rgb: torch.Tensor) -> np.ndarray:
    return (rgb.clamp(0, 1) * 255 + 0.5).byte().permute(0, 2, 3, 1).cpu().numpy()


@torch.no_grad()
def evaluate(decoder: ColorDecoder, cache: FeatureCache, photos: torch.Tensor, device: str,
             temperatures=(0.38, 0.5, 0.6)) -> dict[str, float]:  # fmt: skip
    """Held-out figures at the training size: PSNR (gray, model at each T, 5 hints) and
    colourfulness ratios."""
    decoder.eval()
    rng = torch.Generator().manual_seed(1234)
    sums: dict[str, float] = {}
    for start in range(0, len(cache), 32):
        index = torch.arange(start, min(start + 32, len(cache)))
        feats, ab = cache.batch(index, device)
        truth_rgb = photos[index].permute(0, 3, 1, 2).float().div(255.0).to(device)
        l_star = color.lightness(truth_rgb)
        truth = _to_uint8(truth_rgb)
        zeros = torch.zeros_like(ab)
        outputs = {"gray": zeros}
        logits = decoder(feats, hint_channels(ab, zeros[:, :1]))
        for t in temperatures:
            outputs[f"T{t}"] = ab_bins.annealed_mean(logits, decoder.bin_ab, t)
        mask = torch.zeros_like(ab[:, :1]).flatten(1)
        cells = torch.stack([torch.randperm(mask.shape[1], generator=rng)[:5] for _ in index])
        mask.scatter_(1, cells.to(device), 1.0)
        hinted = decoder(feats, hint_channels(ab, mask.view_as(ab[:, :1])))
        outputs["hints5"] = ab_bins.annealed_mean(hinted, decoder.bin_ab, temperatures[0])
        for key, small in outputs.items():
            full = F.interpolate(
                small, size=l_star.shape[-2:], mode="bilinear", align_corners=False
            )
            ours = _to_uint8(color.lab_to_rgb(torch.cat([l_star, full], 1)))
            for i in range(len(index)):
                sums[f"psnr_{key}"] = sums.get(f"psnr_{key}", 0.0) + psnr(ours[i], truth[i])
                sums[f"colour_{key}"] = sums.get(f"colour_{key}", 0.0) + colourfulness(ours[i])
        sums["colour_truth"] = sums.get("colour_truth", 0.0) + sum(colourfulness(t) for t in truth)
    decoder.train()
    n = float(len(cache))
    metrics = {k: v / n for k, v in sums.items() if k.startswith("psnr")}
    for key in outputs:
        metrics[f"colour_ratio_{key}"] = sums[f"colour_{key}"] / max(sums["colour_truth"], 1e-9)
    return metrics


def export_decoder(decoder: ColorDecoder, path: Path, cfg: ColorizerConfig, extra: dict) -> Path:
    """fp16 safetensors of the decoder (bins included) with its metadata."""
    from editor.training.export import save_fp16

    return save_fp16(decoder, path, {"arch": ARCH, "train_size": cfg.size,
                                     "train_config": cfg.name, **extra})  # fmt: skip


def lightness_coded_photos(count: int, size: int, seed: int) -> torch.Tensor:
    """count×size×size×3 uint8 synthetic photos whose colour follows from their lightness
    (bright = sky blue, dark = grass green), so a tiny run has something learnable."""
    generator = torch.Generator().manual_seed(seed)
    coarse = torch.rand(count, 1, 4, 4, generator=generator)
    light = F.interpolate(coarse, size=(size, size), mode="bilinear", align_corners=False)
    bright = (light > 0.5).float()
    sky = torch.tensor([0.35, 0.6, 0.95]).view(1, 3, 1, 1)
    grass = torch.tensor([0.25, 0.55, 0.15]).view(1, 3, 1, 1)
    rgb = (bright * sky + (1 - bright) * grass) * (0.6 + 0.4 * light)
    return (rgb.clamp(0, 1) * 255 + 0.5).byte().permute(0, 2, 3, 1).contiguous()


def _exported_decoder(path: Path) -> dict[str, torch.Tensor]:
    """fp32 state of an exported decoder (e.g. the shipped models/colorize.safetensors)."""
    from safetensors.torch import load_file

    return {k: v.float() for k, v in load_file(str(path)).items()}


def _photos(sources: list[str], size: int, tiny: bool) -> torch.Tensor:
    from editor.training.data import load_photos

    if tiny and not sources:
        return lightness_coded_photos(24, size, seed=0)
    photos = load_photos(sources, size)
    keep = color.colour_photos(photos, MIN_CHROMA)
    log.info("%d photos, %d colourful enough to train on", photos.shape[0], keep.shape[0])
    return keep


def frozen_encoder(feature_weights: str | None, tiny: bool) -> EfficientNetLite0:
    encoder = EfficientNetLite0()
    if not (tiny and feature_weights is None):
        from editor.training.features import weights_path

        state = torch.load(weights_path(feature_weights), map_location="cpu", weights_only=True)
        encoder.load_state_dict(state, strict=True)
    for param in encoder.parameters():
        param.requires_grad_(False)
    return encoder.eval()


def train(cfg: ColorizerConfig, sources: list[str], minutes: float, out: Path, device: str,
          seed: int = 0, resume: Path | None = None, feature_weights: str | None = None,
          init: Path | None = None) -> dict[str, float]:  # fmt: skip
    """Cache features, train the decoder for `minutes` (or cfg.max_steps), export; returns the
    last held-out metrics."""
    torch.manual_seed(seed)
    out.mkdir(parents=True, exist_ok=True)
    tiny = cfg.name == "tiny"
    photos = _photos(sources, cfg.size, tiny)
    held, train_photos = photos[: cfg.validation], photos[cfg.validation :]
    encoder = frozen_encoder(feature_weights, tiny).to(device)
    t0 = time.monotonic()
    cache = build_cache(encoder, train_photos, device, mirror=True)
    val_cache = build_cache(encoder, held, device, mirror=False)
    log.info("features of %d views cached in %.0f s", len(cache), time.monotonic() - t0)
    del encoder
    state = torch.load(resume, map_location="cpu", weights_only=True) if resume else None
    start_from = _exported_decoder(init) if init is not None else None
    if state is not None:
        centres, weights = state["bin_ab"], state["class_weights"]
    else:
        known = start_from["bin_ab"] if start_from is not None else None
        centres, weights = bin_statistics(cache.ab, known)
    log.info("%d ab bins", centres.shape[0])
    on_gpu = device.startswith("cuda")  # bf16 autocast and channels_last there
    decoder = ColorDecoder(centres.shape[0]).to(device)
    if on_gpu:
        decoder = decoder.to(memory_format=torch.channels_last)
    decoder.bin_ab.copy_(centres)
    decoder.log_weight.copy_(weights.log())
    optimiser = torch.optim.AdamW(decoder.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)
    step, seen_before = 0, 0
    if start_from is not None:
        decoder.load_state_dict(start_from, strict=False)  # no batch-norm step counters
    if state is not None:
        # Checkpoints written before `log_weight` existed lack it; it follows from the weights.
        decoder.load_state_dict({"log_weight": weights.log(), **state["decoder"]})
        optimiser.load_state_dict(state["optimiser"])
        step, seen_before = int(state["step"]), int(state["seen"])
    weights, centres = weights.to(device), centres.to(device)
    decoder.train()
    generator = torch.Generator().manual_seed(seed + step)
    budget = minutes * 60.0
    started = time.monotonic()
    check_due = Every(cfg.checkpoint_minutes * 60)
    first_step, losses = step, []
    metrics: dict[str, float] = {}

    def save(final: bool) -> None:
        nonlocal metrics
        metrics = evaluate(decoder, val_cache, held, device)
        seen = seen_before + (step - first_step) * cfg.batch
        torch.save({"decoder": decoder.state_dict(), "optimiser": optimiser.state_dict(),
                    "step": step, "seen": seen, "bin_ab": centres.cpu(),
                    "class_weights": weights.cpu()}, out / "ckpt.pt")  # fmt: skip
        export_decoder(decoder, out / "colorize.safetensors", cfg,
                       {"steps": step, "samples_seen": seen})  # fmt: skip
        minutes = (time.monotonic() - started) / 60
        summary = {"config": asdict(cfg), "step": step, "samples_seen": seen,
                   "minutes": minutes, **metrics}  # fmt: skip
        (out / "metrics.json").write_text(json.dumps(summary, indent=2) + "\n")
        log.info("%s step %d: %s", "final" if final else "checkpoint", step,
                 " ".join(f"{k}={v:.3f}" for k, v in metrics.items()))  # fmt: skip

    while True:
        elapsed = time.monotonic() - started
        fraction = fraction_done(step - first_step, elapsed, cfg.max_steps, budget)
        if fraction is None:
            break
        lr = warm_cosine_lr(cfg.lr, step, cfg.warmup_steps, fraction)
        set_lr(optimiser, lr)
        index = torch.randint(0, len(cache), (cfg.batch,), generator=generator)
        feats, ab = cache.batch(index, device)
        with torch.autocast("cuda", torch.bfloat16, enabled=on_gpu):
            logits = decoder(feats, sample_hints(ab, cfg, generator))
        loss = colorize_loss(logits, ab, centres, weights)
        optimiser.zero_grad(set_to_none=True)
        loss.backward()
        optimiser.step()
        losses.append(loss.item())
        step += 1
        log_progress("colorize", step, step - first_step, losses, cfg.log_every, lr, cfg.batch,
                     started)  # fmt: skip
        if check_due():
            save(final=False)
    save(final=True)

    return {**metrics, **loss_trend(losses)}


def add_parser(tasks) -> argparse.ArgumentParser:
    parser = tasks.add_parser("colorize", help="colorizer decoder on frozen Lite0 features")
    add_decoder_arguments(parser, CONFIGS)
    parser.add_argument("--resume", type=Path, help="ckpt.pt of an earlier run (same data)")
    return parser


def run(args: argparse.Namespace) -> int:
    device, cfg = device_and_config(args, CONFIGS)
    metrics = train(cfg, args.data, args.minutes, args.out, device, args.seed, args.resume,
                    args.feature_weights, args.init)  # fmt: skip
    print(json.dumps(metrics, indent=2))
    return 0
