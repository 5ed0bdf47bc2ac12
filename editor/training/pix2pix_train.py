"""The pix2pix training loop shared by colorization and sketch → photo (Isola et al. 2017).

Per step: a batch of random crops of the in-memory photos, the task turns them into
(condition, target) pairs, then one discriminator update (BCE on real vs generated, halved) and
one generator update (cGAN BCE + λ·L1, λ = 100). Adam with β1 = 0.5 as in the paper; the learning
rate stays flat for the first half and decays linearly to 0 (the paper's schedule, over a time
budget). Randomness comes from (seed, step), so a run is reproducible for a given step count.

A `Pix2PixTask` says what the condition and target are, evaluates held-out photos and names
the exported file; `train` does the rest and writes ckpt.pt, <task>.safetensors (fp16,
generator only) and metrics.json into the output folder.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Protocol

import numpy as np
import torch
import torch.nn.functional as F

from editor.ml.archs.pix2pix import PatchDiscriminator, UNetConfig, UNetGenerator
from editor.ml.image_metrics import psnr  # noqa: F401  (re-exported for the sketch task)
from editor.training import data as data_mod

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Pix2PixConfig:
    name: str
    gen: UNetConfig
    disc_width: int
    crop: int  # training crop side (px)
    store: int  # side of the in-memory square copies of the photos
    batch: int
    working_size: int  # inference: long side the model runs at (stored in the weights)
    lr_g: float = 5e-4
    lr_d: float = 2e-4
    l1_weight: float = 100.0
    gan_weight: float = 1.0
    min_zoom: float = 0.6
    max_steps: int | None = None
    log_every: int = 50
    eval_images: int = 200
    eval_size: int = 96
    synthetic: int = 8  # photos made up when no data is given (the tiny config)


class Pix2PixTask(Protocol):
    name: str  # also the exported file's stem
    arch: str  # "module:function" building the generator (the registry's arch string)
    cond_channels: int  # channels of the condition the discriminator sees
    out_channels: int

    def prepare(self, photos: torch.Tensor) -> torch.Tensor: ...

    def make_batch(
        self, rgb: torch.Tensor, rng: np.random.Generator
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """(generator input, discriminator condition, target in [-1, 1]) from N×3×H×W RGB."""
        ...

    def evaluate(
        self, model: UNetGenerator, held: torch.Tensor, train_photos: torch.Tensor
    ) -> dict[str, dict[str, float]]: ...

    def print_metrics(self, metrics: dict[str, dict[str, float]]) -> None: ...


def _lr_factor(fraction: float) -> float:
    return 1.0 if fraction < 0.5 else max(0.0, 2.0 * (1.0 - fraction))


def _held_out(cfg: Pix2PixConfig, photos: torch.Tensor, eval_dir: str | None):
    """(training photos, held-out eval_size squares): a folder, else the last tenth."""
    if eval_dir:
        held = data_mod.load_photos([eval_dir], cfg.eval_size)
        stride = max(1, held.shape[0] // cfg.eval_images)
        return photos, held[::stride][: cfg.eval_images]
    count = min(cfg.eval_images, max(1, photos.shape[0] // 10))
    held = photos[-count:]
    rest = photos[:-count] if photos.shape[0] > count else photos
    if held.shape[1] != cfg.eval_size:
        held = torch.from_numpy(np.stack([data_mod.square(p.numpy(), cfg.eval_size) for p in held]))
    return rest, held


def export_generator(
    model: UNetGenerator, task: Pix2PixTask, path: Path, working_size: int, extra: dict[str, str]
) -> Path:
    """fp16 safetensors of the generator; metadata names the arch and working size."""
    from safetensors.torch import save_file

    state = {k: v.detach().to("cpu", torch.float16).contiguous()
             for k, v in model.state_dict().items()}  # fmt: skip
    meta = {"format": "retouch-weights-1", "name": task.name, "arch": task.arch,
            "working_size": str(working_size), "unet": json.dumps(asdict(model.config)),
            **extra}  # fmt: skip
    path.parent.mkdir(parents=True, exist_ok=True)
    save_file(state, str(path), metadata=meta)
    return path


def train(
    cfg: Pix2PixConfig,
    task: Pix2PixTask,
    sources: list[str],
    minutes: float,
    out_dir: Path,
    device: str = "cpu",
    seed: int = 0,
    eval_dir: str | None = None,
) -> dict:
    """Train; returns (and writes) the metrics. Stops at cfg.max_steps, else after `minutes`."""
    out_dir.mkdir(parents=True, exist_ok=True)
    dev = torch.device(device)
    torch.manual_seed(seed)
    started = time.time()
    if sources:
        photos = data_mod.load_photos(sources, cfg.store)
    else:
        photos = data_mod.synthetic_photos(cfg.synthetic, cfg.store, seed)
    loaded = photos.shape[0]
    photos = task.prepare(photos)
    photos, held = _held_out(cfg, photos, eval_dir)
    photos = photos.to(dev)
    log.info("data: %d photos loaded, %d kept for training (%dpx), %d held out; %.1fs",
             loaded, photos.shape[0], cfg.store, held.shape[0], time.time() - started)  # fmt: skip

    gen = UNetGenerator(cfg.gen).to(dev)
    disc = PatchDiscriminator(task.cond_channels + task.out_channels, cfg.disc_width).to(dev)
    opt_g = torch.optim.Adam(gen.parameters(), lr=cfg.lr_g, betas=(0.5, 0.999))
    opt_d = torch.optim.Adam(disc.parameters(), lr=cfg.lr_d, betas=(0.5, 0.999))
    params = sum(p.numel() for p in gen.parameters())
    log.info("generator %s: %.2f M parameters; device %s", cfg.gen, params / 1e6, dev)

    budget = minutes * 60.0
    l1_losses: list[float] = []
    step = 0
    t0 = time.time()
    while True:
        elapsed = time.time() - t0
        if cfg.max_steps is not None and step >= cfg.max_steps:
            break
        if cfg.max_steps is None and elapsed >= budget:
            break
        fraction = step / cfg.max_steps if cfg.max_steps else elapsed / budget
        for opt, base in ((opt_g, cfg.lr_g), (opt_d, cfg.lr_d)):
            for group in opt.param_groups:
                group["lr"] = base * _lr_factor(fraction)
        gen_rng = torch.Generator().manual_seed(seed * 1_000_003 + step)
        rgb = data_mod.random_crops(photos, cfg.batch, cfg.crop, gen_rng, cfg.min_zoom)
        inputs, condition, target = task.make_batch(rgb, np.random.default_rng([seed, step]))
        gen.train()
        fake = gen(inputs)

        # Discriminator: real pairs → 1, generated pairs → 0.
        real_logits = disc(condition, target)
        fake_logits = disc(condition, fake.detach())
        loss_d = 0.5 * (
            F.binary_cross_entropy_with_logits(real_logits, torch.ones_like(real_logits))
            + F.binary_cross_entropy_with_logits(fake_logits, torch.zeros_like(fake_logits))
        )
        opt_d.zero_grad(set_to_none=True)
        loss_d.backward()
        opt_d.step()

        # Generator: fool the discriminator and stay close (L1) to the target.
        logits = disc(condition, fake)
        loss_gan = F.binary_cross_entropy_with_logits(logits, torch.ones_like(logits))
        loss_l1 = F.l1_loss(fake, target)
        loss_g = cfg.gan_weight * loss_gan + cfg.l1_weight * loss_l1
        opt_g.zero_grad(set_to_none=True)
        loss_g.backward()
        opt_g.step()

        l1_losses.append(float(loss_l1.detach()))
        step += 1
        if step % cfg.log_every == 0:
            rate = cfg.batch * step / max(time.time() - t0, 1e-6)
            log.info("step %d  %.0fs  L1 %.4f  G-gan %.3f  D %.3f  lr %.2e  %.1f img/s", step,
                     time.time() - t0, float(np.mean(l1_losses[-cfg.log_every:])),
                     float(loss_gan), float(loss_d), opt_g.param_groups[0]["lr"],
                     rate)  # fmt: skip
        if step % 500 == 0:
            _save_ckpt(out_dir / "ckpt.pt", gen, disc, step)

    train_seconds = time.time() - t0
    _save_ckpt(out_dir / "ckpt.pt", gen, disc, step)
    gen.eval()
    held_metrics = task.evaluate(gen, held, photos.cpu())
    weights = export_generator(gen, task, out_dir / f"{task.name}.safetensors", cfg.working_size,
                               {"train_config": cfg.name, "steps": str(step)})  # fmt: skip
    from editor.ml.hashing import sha256_file

    metrics = {
        "task": task.name,
        "config": cfg.name,
        "generator": asdict(cfg.gen),
        "crop": cfg.crop,
        "batch": cfg.batch,
        "steps": step,
        "train_minutes": train_seconds / 60.0,
        "device": str(dev),
        "seed": seed,
        "parameters": params,
        "first_losses": l1_losses[:10],
        "last_losses": l1_losses[-10:],
        "holdout": held_metrics,
        "weights": weights.name,
        "sha256": sha256_file(weights),
        "bytes": weights.stat().st_size,
    }
    (out_dir / "metrics.json").write_text(json.dumps(metrics, indent=2, sort_keys=True) + "\n")
    print(f"held-out: {held.shape[0]} photos at {cfg.eval_size}px, {step} steps")
    task.print_metrics(held_metrics)
    return metrics


def _save_ckpt(path: Path, gen, disc, step: int) -> None:
    tmp = path.with_suffix(".tmp")
    torch.save({"gen": gen.state_dict(), "disc": disc.state_dict(), "step": step}, tmp)
    tmp.replace(path)


def with_overrides(cfg: Pix2PixConfig, **overrides) -> Pix2PixConfig:
    return replace(cfg, **{k: v for k, v in overrides.items() if v is not None})


def to_uint8(rgb: torch.Tensor) -> np.ndarray:
    """N×3×H×W float [0, 1] → N×H×W×3 uint8."""
    return (rgb.clamp(0, 1) * 255 + 0.5).byte().permute(0, 2, 3, 1).cpu().numpy()


def add_common_arguments(parser) -> None:
    """The options every pix2pix training command takes (argparse parser)."""
    parser.add_argument("--data", nargs="*", default=[], help="folders / tar shards of photos")
    parser.add_argument("--minutes", type=float, default=1.0, help="training time budget")
    parser.add_argument("--out", type=Path, required=True, help="output folder")
    parser.add_argument("--device", default=None, help="cuda or cpu (default: cuda if there)")
    parser.add_argument("--config", default=None, choices=["tiny", "cpu", "full"],
                        help="default: full on cuda, cpu otherwise")  # fmt: skip
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--eval", dest="eval_dir", help="held-out photo folder")
    parser.add_argument("--steps", type=int, help="stop after this many steps (overrides time)")
    parser.add_argument("--batch", type=int, help="override the config's batch size")
    parser.add_argument("--threads", type=int, help="torch CPU threads (default: torch's)")


def run_common(args, configs: dict[str, Pix2PixConfig], task: Pix2PixTask) -> int:
    """Resolve device/config from parsed `args` and train; returns an exit code."""
    import sys

    if args.threads:
        torch.set_num_threads(args.threads)
    device = args.device or ("cuda" if torch.cuda.is_available() else "cpu")
    name = args.config or ("full" if device.startswith("cuda") else "cpu")
    if name != "tiny" and not args.data:
        print("--data is required unless --config tiny", file=sys.stderr)
        return 2
    cfg = with_overrides(configs[name], max_steps=args.steps, batch=args.batch)
    train(cfg, task, args.data, args.minutes, args.out, device=device, seed=args.seed,
          eval_dir=args.eval_dir)  # fmt: skip
    return 0


def standalone_main(add_parser, run, argv: list[str] | None = None) -> int:
    """`python -m editor.training.train_colorize ...` (same options as the training CLI)."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m editor.training")
    tasks = parser.add_subparsers(dest="task", required=True)
    add_parser(tasks)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", datefmt="%H:%M:%S")
    return run(args)
