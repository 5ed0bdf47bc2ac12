"""Train the FFDNet-style denoiser (editor.ml.archs.denoiser) on clean photos.

Data: every photo is cut into non-overlapping `patch`-pixel squares at its native resolution
(no resampling: resizing would change the noise-free texture statistics the model learns), all
kept in one uint8 tensor. A step takes random `crop`-pixel windows of random patches, flips /
rotates them, degrades them (editor.training.degrade: Gaussian, Poisson-Gaussian, JPEG, each
with the sigma the model is told) and minimises the L1 error of the restored crop. AdamW, cosine
learning rate over the step or time budget, an exponential moving average of the weights
(exported). Randomness derives from (seed, step), so a run is reproducible.

Held out: every `holdout_every`-th photo (whole images, never cut into training patches),
measured at the end with Gaussian noise sigma 15 / 25 / 50 (fixed seed, not clipped: the
literature's protocol), PSNR of the model next to the noisy input's.

    python -m editor.training denoise --data ../shared/data/train/bsds200.tar ... --minutes 30
"""

from __future__ import annotations

import argparse
import copy
import logging
import math
import time
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from editor.ml.archs.denoiser import ARCH, ARCH_NAME, Denoiser, DenoiserConfig
from editor.training import data as data_mod
from editor.training import loop
from editor.training.degrade import DegradeConfig, add_gaussian, degrade_batch

log = logging.getLogger(__name__)

WEIGHTS_NAME = "denoise.safetensors"
EVAL_SIGMAS = (15.0, 25.0, 50.0)


@dataclass(frozen=True)
class TrainConfig:
    name: str
    arch: DenoiserConfig
    crop: int  # training crop side (px, even)
    patch: int  # side of the stored native-resolution squares crops are cut from
    batch: int
    lr: float
    ema: float = 0.999
    max_steps: int | None = None
    log_every: int = 50
    holdout_every: int = 20  # every n-th photo is held out for the final evaluation
    holdout_max: int = 40
    holdout_side: int = 256  # held-out photos are centre-cropped to at most this side
    degrade: DegradeConfig = field(default_factory=DegradeConfig)


CONFIGS: dict[str, TrainConfig] = {
    # Seconds on a CPU: synthetic images, a few steps (the test uses it).
    "tiny": TrainConfig("tiny", DenoiserConfig(channels=16, blocks=1), crop=32, patch=48,
                        batch=8, lr=5e-3, ema=0.0, max_steps=150, log_every=50,
                        holdout_every=4, holdout_max=2, holdout_side=48),
    # What a shared CPU core trains in half an hour: 64 channels, 4 blocks (~0.31 M parameters,
    # 0.6 MB fp16, ~77 k multiply-adds per pixel), 56-px crops, many small steps.
    "cpu": TrainConfig("cpu", DenoiserConfig(channels=64, blocks=4), crop=56, patch=96,
                       batch=12, lr=2e-3, ema=0.995, log_every=100),
    # A GPU run: 96 channels, 8 blocks (~1.35 M parameters, 2.7 MB fp16), 96-px crops.
    "full": TrainConfig("full", DenoiserConfig(channels=96, blocks=8), crop=96, patch=128,
                        batch=64, lr=1e-3, ema=0.999, log_every=200, holdout_max=100,
                        holdout_side=512),
}  # fmt: skip


def config_named(name: str, **overrides) -> TrainConfig:
    cfg = CONFIGS[name]
    return replace(cfg, **{k: v for k, v in overrides.items() if v is not None})


# ---- data ------------------------------------------------------------------------------------


def random_batch(patches: torch.Tensor, count: int, crop: int, gen: torch.Generator):
    """count×3×crop×crop float32 [0, 1]: random windows of random patches, random flips and a
    random quarter-turn (the same turn for the whole batch)."""
    side = patches.shape[1]
    index = torch.randint(0, patches.shape[0], (count,), generator=gen)
    offsets = torch.randint(0, side - crop + 1, (count, 2), generator=gen)
    flips = torch.rand(count, generator=gen) < 0.5
    turn = int(torch.randint(0, 4, (1,), generator=gen))
    crops = []
    for i in range(count):
        y, x = int(offsets[i, 0]), int(offsets[i, 1])
        window = patches[index[i], y : y + crop, x : x + crop]
        crops.append(window.flip(1) if flips[i] else window)
    batch = torch.stack(crops).permute(0, 3, 1, 2).float().div_(255.0)
    return torch.rot90(batch, turn, dims=(2, 3)).contiguous()


# ---- evaluation ------------------------------------------------------------------------------


def psnr(a: torch.Tensor, b: torch.Tensor) -> float:
    """PSNR in dB of two [0, 1] images after rounding to 8 bits (as files are compared)."""
    a8 = a.clamp(0, 1).mul(255).round()
    b8 = b.clamp(0, 1).mul(255).round()
    mse = float((a8 - b8).pow(2).mean())
    return float("inf") if mse == 0 else 10.0 * math.log10(255.0**2 / mse)


@torch.no_grad()
def evaluate_holdout(model: Denoiser, held: list[np.ndarray], seed: int) -> dict[str, dict]:
    """Mean PSNR of the model and of the noisy input per sigma, fixed noise seed."""
    model.eval()
    device = next(model.parameters()).device
    results: dict[str, dict] = {}
    for sigma in EVAL_SIGMAS:
        gen = torch.Generator().manual_seed(seed * 7919 + int(sigma))
        model_db, noisy_db = [], []
        for image in held:
            clean = torch.from_numpy(image).permute(2, 0, 1)[None].float().div(255.0)
            noisy, s = add_gaussian(clean, torch.tensor([sigma]), gen, clip=False)
            out = model(noisy.to(device), s.to(device)).cpu()
            model_db.append(psnr(out, clean))
            noisy_db.append(psnr(noisy, clean))
        results[f"sigma{int(sigma)}"] = {
            "model_psnr": float(np.mean(model_db)),
            "noisy_psnr": float(np.mean(noisy_db)),
        }
    results["images"] = {"count": len(held)}
    return results


def _print_holdout(metrics: dict[str, dict]) -> None:
    print(f"held-out: {metrics['images']['count']} photos, Gaussian noise (fixed seed, unclipped)")
    for sigma in EVAL_SIGMAS:
        m = metrics[f"sigma{int(sigma)}"]
        print(f"  sigma {sigma:4.0f}: model PSNR {m['model_psnr']:.2f} dB   "
              f"noisy input {m['noisy_psnr']:.2f} dB")  # fmt: skip


# ---- export ----------------------------------------------------------------------------------


def export_weights(model: Denoiser, path: Path, extra: dict[str, str] | None = None) -> Path:
    """fp16 safetensors at `path` (atomic); the config is kept in the metadata."""
    from editor.ml.manager import save_weights

    state = {k: v.detach().to("cpu", torch.float16) for k, v in model.state_dict().items()}
    meta = {"format": "retouch-weights-1", "name": "denoise", "arch": ARCH,
            "arch_name": ARCH_NAME, **model.config.to_metadata(), **(extra or {})}  # fmt: skip
    return save_weights(state, Path(path), meta)


def load_weights(path: Path) -> Denoiser:
    """An fp32 eval-mode Denoiser from an exported file (config read from its metadata)."""
    from safetensors.torch import load_file

    from editor.ml.safetensors_meta import read_safetensors_metadata

    model = Denoiser(DenoiserConfig.from_metadata(read_safetensors_metadata(path)))
    model.load_state_dict(load_file(str(path)))
    return model.eval()


# ---- training --------------------------------------------------------------------------------


def train(cfg: TrainConfig, sources: list[str], minutes: float, out_dir: Path,
          device: str = "cpu", seed: int = 0, resume: Path | None = None) -> dict:  # fmt: skip
    """Train; writes ckpt.pt, denoise.safetensors and metrics.json into out_dir; returns metrics.

    Without `sources`, synthetic images (data.synthetic_photos) are used (the tiny config).
    Stops after cfg.max_steps when set, else after `minutes` of training.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    dev = torch.device(device)
    torch.manual_seed(seed)
    holdout = (cfg.holdout_every, cfg.holdout_max, cfg.holdout_side)
    patches, held = data_mod.patches_and_held(sources, cfg.patch, seed, holdout, 2)

    model = Denoiser(cfg.arch).to(dev)
    ema = copy.deepcopy(model) if cfg.ema > 0 else model
    opt = torch.optim.AdamW(model.parameters(), lr=cfg.lr, weight_decay=0.0)
    step, spent = 0, 0.0
    if resume is not None:
        step, spent = loop.resume_from(resume, model, ema, opt, dev)
        log.info("resumed from %s at step %d", resume, step)
    params = sum(p.numel() for p in model.parameters())
    log.info("model: %s, %.3f M parameters; device %s", cfg.arch, params / 1e6, dev)

    budget = minutes * 60.0
    losses: list[float] = []
    first_step, t0, last_log = step, time.time(), time.time()
    while loop.cosine_step(opt, cfg.lr, step, spent + time.time() - t0, cfg.max_steps, budget):
        gen = torch.Generator().manual_seed(seed * 1_000_003 + step)
        clean = random_batch(patches, cfg.batch, cfg.crop, gen)
        noisy, sigma = degrade_batch(clean, gen, cfg.degrade)
        clean, noisy, sigma = clean.to(dev), noisy.to(dev), sigma.to(dev)
        model.train()
        loss = F.l1_loss(model(noisy, sigma), clean)
        losses.append(loop.optimise(loss, model, opt, ema, step, cfg.ema))
        step += 1
        if step % cfg.log_every == 0 or time.time() - last_log > 120:
            rate = cfg.batch * (step - first_step) / max(time.time() - t0, 1e-6)
            recent = float(np.mean(losses[-cfg.log_every :]))
            log.info("step %d  %.0fs  L1 %.5f  lr %.2e  %.1f crops/s", step,
                     spent + time.time() - t0, recent, opt.param_groups[0]["lr"],
                     rate)  # fmt: skip
            last_log = time.time()
        if step % 500 == 0:
            seconds = spent + time.time() - t0
            loop.save_checkpoint(out_dir / "ckpt.pt", model, ema, opt, step, seconds)

    train_seconds = spent + time.time() - t0
    loop.save_checkpoint(out_dir / "ckpt.pt", model, ema, opt, step, train_seconds)
    held_metrics = evaluate_holdout(ema, held, seed)
    extra = {"train_config": cfg.name, "steps": str(step), "seed": str(seed)}
    weights = export_weights(ema, out_dir / WEIGHTS_NAME, extra)

    metrics = {
        **loop.run_record(cfg, step, train_seconds, dev, seed, params, losses),
        "arch": asdict(cfg.arch),
        "torch_threads": torch.get_num_threads(),
        "sources": [str(s) for s in sources],
        "patches": int(patches.shape[0]),
        "holdout": held_metrics,
        **loop.weights_record(weights),
    }
    from editor.training.export import write_metrics

    write_metrics(out_dir / "metrics.json", metrics)
    _print_holdout(held_metrics)
    print(f"wrote {weights} ({metrics['bytes']} bytes, sha256 {metrics['sha256']})")
    return metrics




# ---- command line (hooked into python -m editor.training) ------------------------------------


def add_parser(tasks) -> argparse.ArgumentParser:
    """Register `denoise` on python -m editor.training's task subparsers."""
    parser = tasks.add_parser("denoise", help="FFDNet-style denoiser with a noise-level input")
    parser.add_argument(
        "--data",
        nargs="*",
        default=[],
        help="folders and/or tar shards of clean photos (tiny: optional)",
    )
    parser.add_argument("--minutes", type=float, default=1.0, help="training time budget")
    parser.add_argument("--out", type=Path, required=True, help="output folder")
    parser.add_argument("--resume", type=Path, help="ckpt.pt of an earlier run")
    parser.add_argument("--device", default=None, help="cuda or cpu (default: cuda if there)")
    parser.add_argument(
        "--config",
        default=None,
        choices=sorted(CONFIGS),
        help="default: full on cuda, cpu otherwise",
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--steps", type=int, help="stop after this many steps (overrides time)")
    parser.add_argument("--batch", type=int, help="override the config's batch size")
    parser.add_argument("--threads", type=int, help="torch CPU threads (default: torch's)")
    return parser  # fmt: skip


def run(args: argparse.Namespace) -> int:
    """Handler for `python -m editor.training denoise ...`; returns an exit status."""
    import sys

    if args.threads:
        torch.set_num_threads(args.threads)
    device = args.device or ("cuda" if torch.cuda.is_available() else "cpu")
    name = args.config or ("full" if device.startswith("cuda") else "cpu")
    if name != "tiny" and not args.data:
        print("--data is required unless --config tiny", file=sys.stderr)
        return 2
    cfg = config_named(name, max_steps=args.steps, batch=args.batch)
    train(cfg, args.data, args.minutes, args.out, device=device, seed=args.seed,
          resume=args.resume)  # fmt: skip
    return 0


def main(argv: list[str] | None = None) -> int:
    """Standalone entry until editor.training.__main__ dispatches `denoise` here."""
    parser = argparse.ArgumentParser(prog="python -m editor.training.train_denoise")
    add_parser(parser.add_subparsers(dest="task", required=True))
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", datefmt="%H:%M:%S")
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    raise SystemExit(main())
