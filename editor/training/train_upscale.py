"""Train Photo (fast): a compact ×4 upscaler for photos (SRVGGNetCompact, editor.ml.archs.srvgg),
PSNR-oriented, on bicubic-degraded crops.

Data: every photo is cut into `patch`-pixel squares at its native resolution
(data.cut_patches: resampling the truth would soften the texture the model must
learn), and each square's ×4 bicubic reduction is computed once with Pillow (antialiased, a = −0.5,
as MATLAB's imresize that made the SR benchmarks' low-resolution images). A step takes random
aligned windows of random pairs, flips them and turns them by a quarter (the same turn for the
batch), and minimises the L1 error of the upscaled window. AdamW, cosine learning rate over the
step or time budget, an exponential moving average of the weights (exported fp16). Randomness
derives from (seed, step), so a run is reproducible.

Held out: every `holdout_every`-th photo, measured at the end (and every `eval_every_s`, the
best check exported) as the SR literature does: PSNR on Y (BT.601) with 4 pixels shaved, next to
bicubic's.

    python -m editor.training upscale --data ../shared/data/train/bsds200.tar ... --minutes 60
"""

from __future__ import annotations

import argparse
import copy
import logging
import sys
import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from editor.ml.archs.srvgg import SRVGGNetCompact
from editor.training import data as data_mod
from editor.training import loop
from editor.training.decoder_cli import add_training_arguments, device_and_config

log = logging.getLogger(__name__)

SCALE = 4
WEIGHTS_NAME = "upscale.safetensors"
ARCH = "editor.ml.archs.srvgg:SRVGGNetCompact"
BORDER = 4  # pixels shaved on every side before PSNR (the ×4 convention)


@dataclass(frozen=True)
class TrainConfig:
    name: str
    features: int  # SRVGGNetCompact num_feat
    convs: int  # its num_conv (body convolutions between the first and the last)
    crop: int  # high-resolution training window side (px, a multiple of SCALE)
    patch: int  # side of the stored native-resolution squares (a multiple of SCALE)
    batch: int
    lr: float
    ema: float = 0.999
    max_steps: int | None = None
    log_every: int = 100
    holdout_every: int = 20
    holdout_max: int = 60
    holdout_side: int = 192  # held-out photos are centre-cropped to at most this side
    eval_every_s: float = 0.0  # > 0: held-out check this often; the best EMA is exported


CONFIGS: dict[str, TrainConfig] = {
    # Seconds on a CPU: synthetic images, a few steps (the test uses it).
    "tiny": TrainConfig("tiny", features=8, convs=2, crop=32, patch=48, batch=4, lr=3e-3,
                        ema=0.0, max_steps=20, log_every=10, holdout_every=4, holdout_max=2,
                        holdout_side=48),
    # Two CPU cores: 48 features, 12 convolutions (~0.27 M parameters, ~270 k multiply-adds per
    # input pixel: a 1 MP photo ×4 in a few seconds), 96-px windows.
    "cpu": TrainConfig("cpu", features=48, convs=12, crop=96, patch=128, batch=16, lr=1e-3,
                       eval_every_s=900.0),
    # A GPU run: Real-ESRGAN's compact size (64 features, 16 convolutions, ~0.6 M parameters);
    # 144-px patches, the short side tools/gpu_train.py packs the photos at.
    "full": TrainConfig("full", features=64, convs=16, crop=128, patch=144, batch=64, lr=5e-4,
                        log_every=200, holdout_max=100, eval_every_s=120.0),
}  # fmt: skip


def config_named(name: str, **overrides) -> TrainConfig:
    cfg = CONFIGS[name]
    return replace(cfg, **{k: v for k, v in overrides.items() if v is not None})


def build_model(cfg: TrainConfig) -> SRVGGNetCompact:
    return SRVGGNetCompact(num_feat=cfg.features, num_conv=cfg.convs, upscale=SCALE)


# ---- data ------------------------------------------------------------------------------------


def bicubic_down(image: np.ndarray) -> np.ndarray:
    """HxWx3 uint8 -> (H/4)x(W/4)x3 uint8, Pillow's antialiased bicubic (sides multiples of 4)."""
    from PIL import Image

    height, width = image.shape[:2]
    small = Image.fromarray(image).resize((width // SCALE, height // SCALE), Image.BICUBIC)
    return np.array(small)  # a writable copy (torch.from_numpy warns on read-only arrays)


def low_resolution(patches: torch.Tensor) -> torch.Tensor:
    """N×(p/4)×(p/4)×3 uint8: each N×p×p×3 patch reduced once."""
    return torch.from_numpy(np.stack([bicubic_down(p) for p in patches.numpy()]))


def random_pairs(high: torch.Tensor, low: torch.Tensor, count: int, crop: int,
                 gen: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:  # fmt: skip
    """(low count×3×(crop/4)², high count×3×crop²) float32 in [0, 1]: aligned random windows of
    random pairs, random flips, one random quarter-turn for the batch."""
    small = crop // SCALE
    cells = low.shape[1] - small + 1
    index = torch.randint(0, high.shape[0], (count,), generator=gen)
    offsets = torch.randint(0, cells, (count, 2), generator=gen)
    flips = torch.rand(count, generator=gen) < 0.5
    turn = int(torch.randint(0, 4, (1,), generator=gen))
    lows, highs = [], []
    for i in range(count):
        y, x = int(offsets[i, 0]), int(offsets[i, 1])
        lo = low[index[i], y : y + small, x : x + small]
        hi = high[index[i], y * SCALE : (y + small) * SCALE, x * SCALE : (x + small) * SCALE]
        lows.append(lo.flip(1) if flips[i] else lo)
        highs.append(hi.flip(1) if flips[i] else hi)

    def batch(windows: list[torch.Tensor]) -> torch.Tensor:
        stacked = torch.stack(windows).permute(0, 3, 1, 2).float().div_(255.0)
        return torch.rot90(stacked, turn, dims=(2, 3)).contiguous()

    return batch(lows), batch(highs)


# ---- evaluation ------------------------------------------------------------------------------


def psnr_y(result: np.ndarray, truth: np.ndarray, border: int = BORDER) -> float:
    """PSNR (dB) on BT.601 Y of two HxWx3 uint8 RGB images, `border` pixels shaved."""
    weights = np.array([65.481, 128.553, 24.966])  # on RGB in [0, 1] (MATLAB rgb2ycbcr)

    def luma(rgb: np.ndarray) -> np.ndarray:
        y: np.ndarray = 16.0 + (rgb.astype(np.float64) / 255.0) @ weights
        return y[border:-border, border:-border] if border else y

    mse = float(np.mean((luma(result) - luma(truth)) ** 2))
    return float("inf") if mse == 0 else 10.0 * float(np.log10(255.0**2 / mse))


def _to_uint8(batch: torch.Tensor) -> np.ndarray:
    return batch[0].clamp(0, 1).mul(255).round().byte().permute(1, 2, 0).cpu().numpy()


@torch.no_grad()
def evaluate_holdout(model: torch.nn.Module, held: list[np.ndarray]) -> dict[str, float]:
    """Mean PSNR-Y of the model's ×4 and of bicubic's on the held-out photos."""
    from PIL import Image

    model.eval()
    device = next(model.parameters()).device
    ours, cubic = [], []
    for truth in held:
        small = bicubic_down(truth)
        x = torch.from_numpy(small).permute(2, 0, 1)[None].float().div(255.0).to(device)
        ours.append(psnr_y(_to_uint8(model(x)), truth))
        height, width = truth.shape[:2]
        up = np.asarray(Image.fromarray(small).resize((width, height), Image.BICUBIC))
        cubic.append(psnr_y(up, truth))
    return {"model_psnr_y": float(np.mean(ours)), "bicubic_psnr_y": float(np.mean(cubic)),
            "images": float(len(held))}  # fmt: skip


# ---- export ----------------------------------------------------------------------------------


def export_weights(model: SRVGGNetCompact, cfg: TrainConfig, path: Path,
                   extra: dict[str, str] | None = None) -> Path:  # fmt: skip
    """fp16 safetensors at `path` (atomic); the architecture is kept in the metadata."""
    from editor.ml.manager import save_weights

    state = {k: v.detach().to("cpu", torch.float16) for k, v in model.state_dict().items()}
    meta = {"format": "retouch-weights-1", "name": "upscale-photo", "arch": ARCH,
            "num_feat": str(cfg.features), "num_conv": str(cfg.convs), "scale": str(SCALE),
            **(extra or {})}  # fmt: skip
    return save_weights(state, Path(path), meta)


# ---- training --------------------------------------------------------------------------------


def train(cfg: TrainConfig, sources: list[str], minutes: float, out_dir: Path,
          device: str = "cpu", seed: int = 0, init: Path | None = None) -> dict:  # fmt: skip
    """Train; writes ckpt.pt, upscale.safetensors and metrics.json into out_dir; returns metrics.

    Without `sources`, synthetic images are used (the tiny config). `init`: an exported file of
    the same size to start from. Stops after cfg.max_steps when set, else after `minutes`."""
    out_dir.mkdir(parents=True, exist_ok=True)
    dev = torch.device(device)
    torch.manual_seed(seed)
    holdout = (cfg.holdout_every, cfg.holdout_max, cfg.holdout_side)
    high, held = data_mod.patches_and_held(sources, cfg.patch, seed, holdout, SCALE)
    low = low_resolution(high)

    model = build_model(cfg).to(dev)
    if init is not None:
        from safetensors.torch import load_file

        model.load_state_dict({k: v.float() for k, v in load_file(str(init)).items()})
        log.info("weights from %s", init)
    cuda = dev.type == "cuda"
    if cuda:
        torch.backends.cudnn.benchmark = True
        model = model.to(memory_format=torch.channels_last)
    ema = copy.deepcopy(model) if cfg.ema > 0 else model
    opt = torch.optim.AdamW(model.parameters(), lr=cfg.lr, weight_decay=0.0)
    params = sum(p.numel() for p in model.parameters())
    log.info("model: %d features, %d convs, %.3f M parameters; device %s", cfg.features,
             cfg.convs, params / 1e6, dev)  # fmt: skip

    budget = minutes * 60.0
    losses: list[float] = []
    step, t0 = 0, time.time()
    last_log = last_eval = t0
    best: dict = {}
    while loop.cosine_step(opt, cfg.lr, step, time.time() - t0, cfg.max_steps, budget):
        gen = torch.Generator().manual_seed(seed * 1_000_003 + step)
        small, truth = random_pairs(high, low, cfg.batch, cfg.crop, gen)
        small, truth = small.to(dev), truth.to(dev)
        if cuda:
            small = small.contiguous(memory_format=torch.channels_last)
        model.train()
        with torch.autocast(device_type=dev.type, dtype=torch.bfloat16, enabled=cuda):
            loss = F.l1_loss(model(small).float(), truth)
        losses.append(loop.optimise(loss, model, opt, ema, step, cfg.ema))
        step += 1
        if step % cfg.log_every == 0 or time.time() - last_log > 120:
            rate = cfg.batch * step / max(time.time() - t0, 1e-6)
            log.info("step %d  %.0fs  L1 %.5f  lr %.2e  %.1f crops/s", step, time.time() - t0,
                     float(np.mean(losses[-cfg.log_every :])), opt.param_groups[0]["lr"],
                     rate)  # fmt: skip
            last_log = time.time()
        if step % 1000 == 0:
            loop.save_checkpoint(out_dir / "ckpt.pt", model, ema, opt, step, time.time() - t0)
        if cfg.eval_every_s and time.time() - last_eval > cfg.eval_every_s:
            best = _check_and_export(cfg, ema, held, out_dir, step, best)
            last_eval = time.time()

    train_seconds = time.time() - t0
    loop.save_checkpoint(out_dir / "ckpt.pt", model, ema, opt, step, train_seconds)
    best = _check_and_export(cfg, ema, held, out_dir, step, best)
    from editor.training.export import write_metrics

    weights = out_dir / WEIGHTS_NAME
    metrics = {
        "config": cfg.name, "arch": {"num_feat": cfg.features, "num_conv": cfg.convs},
        "crop": cfg.crop, "batch": cfg.batch, "steps": step, "train_minutes": train_seconds / 60,
        "crops_per_s": cfg.batch * step / max(train_seconds, 1e-6), "device": str(dev),
        "seed": seed, "pairs": int(high.shape[0]), "parameters": params,
        "first_losses": losses[:10], "last_losses": losses[-10:], "holdout": best["metrics"],
        "exported_step": best["step"], **loop.weights_record(weights), "train_config": asdict(cfg),
    }  # fmt: skip
    write_metrics(out_dir / "metrics.json", metrics)
    held_metrics = best["metrics"]
    print(f"held-out: {int(held_metrics['images'])} photos ×4, PSNR-Y: model "
          f"{held_metrics['model_psnr_y']:.2f} dB, bicubic {held_metrics['bicubic_psnr_y']:.2f} dB")
    print(f"wrote {weights} ({metrics['bytes']} bytes, sha256 {metrics['sha256']})")
    return metrics


def _check_and_export(cfg: TrainConfig, ema: torch.nn.Module, held: list[np.ndarray],
                      out_dir: Path, step: int, best: dict) -> dict:  # fmt: skip
    """Held-out check of the EMA; exports it when it is the first check, when checks do not
    select (`eval_every_s` 0), or when it beats the best so far. Returns the best record."""
    metrics = evaluate_holdout(ema, held)
    score = metrics["model_psnr_y"]
    log.info("held-out at step %d: model %.2f dB, bicubic %.2f dB (PSNR-Y)", step, score,
             metrics["bicubic_psnr_y"])  # fmt: skip
    assert isinstance(ema, SRVGGNetCompact)
    extra = {"train_config": cfg.name, "steps": str(step)}
    return loop.keep_best(best, score, metrics, step, bool(cfg.eval_every_s),
                     lambda: export_weights(ema, cfg, out_dir / WEIGHTS_NAME, extra))


# ---- command line (hooked into python -m editor.training) ------------------------------------


def add_parser(tasks) -> argparse.ArgumentParser:
    """Register `upscale` on python -m editor.training's task subparsers."""
    parser = tasks.add_parser("upscale", help="compact ×4 photo upscaler (PSNR-oriented)")
    add_training_arguments(parser, CONFIGS)
    parser.add_argument("--batch", type=int, help="override the config's batch size")
    return parser


def run(args: argparse.Namespace) -> int:
    """Handler for `python -m editor.training upscale ...`; returns an exit status."""
    device, cfg = device_and_config(args, CONFIGS)
    if cfg.name != "tiny" and not args.data:
        print("--data is required unless --config tiny", file=sys.stderr)
        return 2
    cfg = replace(cfg, batch=args.batch or cfg.batch)
    train(cfg, args.data, args.minutes, args.out, device=device, seed=args.seed, init=args.init)
    return 0
