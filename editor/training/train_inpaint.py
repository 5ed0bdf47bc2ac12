"""Train Erase's network: the push-pull fill network (configs fill-*) or the
partial-convolution U-Net (tiny, cpu, full).

One step: a batch of random crops (on the device), procedural masks (numpy, seeded per step),
the paper's loss, AdamW, an exponential moving average of the weights (exported). Randomness is
derived from (seed, step), so a run is reproducible and `--resume` continues the same stream.
With a time budget the number of steps reached depends on the machine; the learning rate
follows a cosine over the budget.
"""

from __future__ import annotations

import copy
import logging
import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import numpy as np
import torch

from editor.ml.archs.fill_net import FillConfig
from editor.ml.archs.pconv_unet import PConvConfig
from editor.ml.inpaint_nets import build, predict_padded
from editor.training import data as data_mod
from editor.training import loop
from editor.training.evaluate import MetricSums, hole_errors, telea
from editor.training.export import export_model, write_metrics
from editor.training.losses import inpaint_loss
from editor.training.masks import mask_batch, random_mask

log = logging.getLogger(__name__)
WEIGHTS_FILE = "inpaint.safetensors"


@dataclass(frozen=True)
class TrainConfig:
    name: str
    arch: PConvConfig | FillConfig
    crop: int  # training crop side (px)
    store: int  # side of the in-memory square copies of the photos
    batch: int
    lr: float
    working_size: int  # inference: crops larger than this are downscaled to it
    ema: float = 0.999
    features: bool = True  # perceptual + style terms (needs the Lite0 weights)
    feature_rms: float = 0.5  # RMS the feature layers are scaled to (sets the terms' strength)
    max_steps: int | None = None
    # 0: fresh numpy masks every step (CPU). N: N masks drawn once, then sampled with random
    # flips / transposes on the device each step (so mask drawing never starves a GPU).
    mask_pool: int = 0
    log_every: int = 50
    eval_images: int = 200
    eval_size: int = 128
    min_zoom: float = 0.5  # a crop covers min_zoom..max_zoom of a stored photo's side
    max_zoom: float = 1.0
    eval_every_s: float = 0.0  # > 0: held-out check this often; the best EMA so far is exported


CONFIGS: dict[str, TrainConfig] = {
    # Seconds on a CPU: a handful of synthetic images, a few steps (the test uses it).
    "tiny": TrainConfig("tiny", PConvConfig((8, 16, 16), first_kernel=3), crop=32, store=48,
                        batch=4, lr=3e-3, working_size=64, ema=0.0, features=False,
                        max_steps=30, log_every=10, eval_images=4, eval_size=32),
    # What two (shared) CPU cores can train in under an hour: slim net, 64-px crops (photos seen
    # at ~0.4-0.8 of their 160-px size), many small steps. Inference runs crops up to 256 px at
    # their own size (measured on held-out photos: better than downscaling to 96 or 128).
    "cpu": TrainConfig("cpu", PConvConfig((32, 64, 128, 192, 192)), crop=64, store=160,
                       batch=16, lr=1e-3, working_size=256, eval_size=128),
    # A GPU run (bf16 autocast, channels_last): wider net (~9 MB fp16), bigger batches, same
    # 160-px photos (the data's resolution) cut into 128-px crops.
    "full": TrainConfig("full", PConvConfig((64, 128, 256, 256, 256), first_kernel=7),
                        crop=128, store=160, batch=64, lr=5e-4, working_size=192,
                        log_every=100, eval_images=300, eval_size=128, mask_pool=8192),
    # Push-pull fill network on two CPU cores (~55 crops/s with the Lite0 loss terms): 64-px
    # crops seen at 0.55-1x of the photos' own scale (what Erase runs at on held-out photos),
    # masks drawn once into a pool (no per-sample Python in the step).
    "fill-tiny": TrainConfig("fill-tiny", FillConfig(8, 8, 16, (1, 2)), crop=32, store=48,
                             batch=4, lr=3e-3, working_size=64, ema=0.0, features=False,
                             max_steps=30, log_every=10, eval_images=4, eval_size=32),
    "fill-cpu": TrainConfig("fill-cpu", FillConfig(16, 32, 96, (1, 2, 4, 8, 2)), crop=64,
                            store=160, batch=16, lr=2e-3, working_size=256, mask_pool=16384,
                            min_zoom=0.4, max_zoom=0.72, eval_every_s=900.0),
    # Continuation of fill-cpu (same network, warm-started with --init): 96-px crops at 0.6-1x
    # of the photos' scale, so the Fourier units see 1.5x the context big holes need; half the
    # learning rate of a fresh run.
    "fill-cpu-96": TrainConfig("fill-cpu-96", FillConfig(16, 32, 96, (1, 2, 4, 8, 2)), crop=96,
                               store=160, batch=16, lr=1e-3, working_size=256, mask_pool=16384,
                               min_zoom=0.6, max_zoom=1.0, eval_every_s=900.0),
    # A second continuation for whole objects: 128-px crops at 0.8-1x, so a hole 100 px across
    # still has context around it; a quarter of a fresh run's learning rate.
    "fill-cpu-128": TrainConfig("fill-cpu-128", FillConfig(16, 32, 96, (1, 2, 4, 8, 2)),
                                crop=128, store=160, batch=16, lr=5e-4, working_size=256,
                                mask_pool=16384, min_zoom=0.8, max_zoom=1.0, eval_every_s=600.0),
    "fill-full": TrainConfig("fill-full", FillConfig(32, 64, 192, (1, 2, 4, 8, 1, 2, 4, 8)),
                             crop=128, store=144, batch=64, lr=1e-3, working_size=256,
                             log_every=100, eval_images=300, mask_pool=8192, min_zoom=0.8,
                             eval_every_s=120.0),
}  # fmt: skip


def _known_from_masks(masks: np.ndarray, device: torch.device) -> torch.Tensor:
    """N×1×H×W float32 'known' (1 = keep) from N×H×W uint8 masks (255 = hole)."""
    return torch.from_numpy(masks < 128).float().unsqueeze(1).to(device)


def _pooled_known(pool: torch.Tensor, count: int, generator: torch.Generator) -> torch.Tensor:
    """N×1×H×W float32 'known' from random pool masks, randomly flipped / transposed."""
    index = torch.randint(0, pool.shape[0], (count,), generator=generator)
    masks = pool[index.to(pool.device)]
    flips = torch.rand(3, generator=generator).tolist()
    if flips[0] < 0.5:
        masks = masks.flip(-1)
    if flips[1] < 0.5:
        masks = masks.flip(-2)
    if flips[2] < 0.5:
        masks = masks.transpose(-1, -2)
    return (masks < 128).float().unsqueeze(1)






@torch.no_grad()
def predict(model: torch.nn.Module, image: torch.Tensor, known: torch.Tensor) -> torch.Tensor:
    """Composite N×3×H×W in [0, 1] (any size; see `predict_padded`)."""
    return predict_padded(model, image, known)


def evaluate_holdout(
    model: torch.nn.Module, photos: torch.Tensor, seed: int, device: torch.device
) -> dict[str, dict[str, float]]:
    """Hole PSNR / L1 of the model and of Telea on held-out square photos, fixed masks."""
    rng = np.random.default_rng(seed + 7919)
    sums = MetricSums()
    ratios = []
    model.eval()
    for i in range(photos.shape[0]):
        truth = photos[i].numpy()
        size = truth.shape[0]
        mask = random_mask(size, size, rng, 0.1, 0.5)
        ratios.append(float((mask > 127).mean()))
        image = torch.from_numpy(truth).permute(2, 0, 1)[None].float().div(255.0).to(device)
        known = _known_from_masks(mask[None], device)
        out = predict(model, image * known, known)[0].permute(1, 2, 0).cpu().numpy()
        result = np.clip(out * 255.0 + 0.5, 0, 255).astype(np.uint8)
        sums.add("model", *hole_errors(result, truth, mask))
        sums.add("telea", *hole_errors(telea(truth, mask), truth, mask))
        sums.count += 1
    means: dict[str, dict[str, float]] = sums.means()
    means["holes"] = {"mean_ratio": float(np.mean(ratios)), "images": float(sums.count)}
    return means


def train(cfg: TrainConfig, sources: list[str], minutes: float, out_dir: Path,
          device: str = "cpu", seed: int = 0, resume: Path | None = None,
          eval_dir: str | None = None, feature_weights: str | None = None,
          feature_net: torch.nn.Module | None = None,
          init: Path | None = None) -> dict:  # fmt: skip
    """Run training; writes ckpt.pt, the weights (WEIGHTS_FILE) and metrics.json into out_dir.

    `init`: an exported weight file of the same architecture to start from. `feature_net`
    overrides the Lite0 loader (tests pass a random-weight one). Returns metrics. With
    `cfg.eval_every_s`, the EMA is checked on the held-out photos that often and the exported
    weights are the best check's (hole PSNR), else the last step's.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    dev = torch.device(device)
    torch.manual_seed(seed)
    np.random.seed(seed)
    started = time.time()

    if sources:
        photos = data_mod.load_photos(sources, cfg.store)
    else:
        photos = data_mod.synthetic_photos(8, cfg.store, seed)
    # Hold out photos for evaluation: a separate folder, else the last few of the data.
    if eval_dir:
        held = data_mod.load_photos([eval_dir], cfg.eval_size, limit=None)
        stride = max(1, held.shape[0] // cfg.eval_images)
        held = held[::stride][: cfg.eval_images]
    else:
        count = min(cfg.eval_images, max(1, photos.shape[0] // 10))
        held = photos[-count:]
        photos = photos[:-count] if photos.shape[0] > count else photos
        if held.shape[1] != cfg.eval_size:
            held = torch.from_numpy(
                np.stack([data_mod.square(p.numpy(), cfg.eval_size) for p in held])
            )
    photos = photos.to(dev)
    log.info("data: %d training photos (%dpx), %d held out; loaded in %.1fs",
             photos.shape[0], cfg.store, held.shape[0], time.time() - started)  # fmt: skip

    features = feature_net
    if features is None and cfg.features:
        from editor.ml.errors import ModelError
        from editor.training.features import load_feature_net

        try:
            features = load_feature_net(feature_weights)
        except (ModelError, OSError) as exc:
            log.warning("perceptual/style features unavailable (%s): those loss terms are off",
                        exc)  # fmt: skip
            features = None
    if features is not None:
        features = features.to(dev)
        calib = data_mod.random_crops(photos, 64, cfg.crop, torch.Generator().manual_seed(seed))
        features.calibrate(calib, cfg.feature_rms)
        log.info("feature scales: %s", [round(float(s), 4) for s in features.scales])

    model = build(cfg.arch).to(dev)
    if init is not None:  # warm start from an exported file of the same architecture
        from editor.training.export import load_exported

        model.load_state_dict(load_exported(init)[0].state_dict())
        log.info("weights from %s", init)
    cuda = dev.type == "cuda"
    if cuda:
        torch.backends.cudnn.benchmark = True
    pool = None
    if cfg.mask_pool:
        pool_rng = np.random.default_rng([seed, 2**31 - 1])
        pool = torch.from_numpy(mask_batch(cfg.mask_pool, cfg.crop, pool_rng)).to(dev)
    if cuda:
        model = model.to(memory_format=torch.channels_last)
    ema = copy.deepcopy(model) if cfg.ema > 0 else model
    opt = torch.optim.AdamW(model.parameters(), lr=cfg.lr, weight_decay=1e-4)
    step = 0
    spent = 0.0  # training seconds of earlier runs (resume)
    if resume is not None:
        step, spent = loop.resume_from(resume, model, ema, opt, dev)
        log.info("resumed from %s at step %d", resume, step)
    budget = minutes * 60.0
    params = sum(p.numel() for p in model.parameters())
    log.info("model: %s, %.2f M parameters; features: %s; device %s",
             cfg.arch, params / 1e6, "on" if features is not None else "off", dev)  # fmt: skip

    losses: list[float] = []
    first_step = step
    t0 = time.time()
    last_log = last_eval = t0
    best: dict = {}
    while loop.cosine_step(opt, cfg.lr, step, spent + time.time() - t0, cfg.max_steps, budget):
        gen = torch.Generator().manual_seed(seed * 1_000_003 + step)
        target = data_mod.random_crops(photos, cfg.batch, cfg.crop, gen, cfg.min_zoom,
                                       cfg.max_zoom)  # fmt: skip
        if pool is None:
            masks = mask_batch(cfg.batch, cfg.crop, np.random.default_rng([seed, step]))
            known = _known_from_masks(masks, dev)
        else:
            known = _pooled_known(pool, cfg.batch, gen)
        if cuda:
            target = target.contiguous(memory_format=torch.channels_last)
        model.train()
        with torch.autocast(device_type=dev.type, dtype=torch.bfloat16, enabled=cuda):
            output = model(target * known, known)
            loss, terms = inpaint_loss(output, target, known, features)
        losses.append(loop.optimise(loss, model, opt, ema, step, cfg.ema))
        step += 1
        if step % cfg.log_every == 0 or time.time() - last_log > 120:
            rate = cfg.batch * (step - first_step) / max(time.time() - t0, 1e-6)
            recent = float(np.mean(losses[-cfg.log_every :]))
            parts = " ".join(f"{k}={v:.4f}" for k, v in terms.items())
            log.info("step %d  %.0fs  loss %.4f (%s)  lr %.2e  %.1f img/s", step,
                     spent + time.time() - t0, recent, parts, opt.param_groups[0]["lr"],
                     rate)  # fmt: skip
            last_log = time.time()
        if step % 1000 == 0:
            seconds = spent + time.time() - t0
            loop.save_checkpoint(out_dir / "ckpt.pt", model, ema, opt, step, seconds)
        if cfg.eval_every_s and time.time() - last_eval > cfg.eval_every_s:
            best = _check_and_export(cfg, ema, held, seed, dev, out_dir, step, best)
            last_eval = time.time()

    train_seconds = spent + time.time() - t0
    loop.save_checkpoint(out_dir / "ckpt.pt", model, ema, opt, step, train_seconds)
    best = _check_and_export(cfg, ema, held, seed, dev, out_dir, step, best)
    held_metrics, weights = best["metrics"], out_dir / WEIGHTS_FILE

    metrics = {
        **loop.run_record(cfg, step, train_seconds, dev, seed, params, losses),
        "arch": asdict(cfg.arch),
        "features": features is not None,
        "holdout": held_metrics,
        "exported_step": best["step"],
        **loop.weights_record(weights),
    }
    write_metrics(out_dir / "metrics.json", metrics)
    _print_holdout(held_metrics)
    return metrics


def _check_and_export(cfg: TrainConfig, ema: torch.nn.Module, held: torch.Tensor, seed: int,
                      dev: torch.device, out_dir: Path, step: int, best: dict) -> dict:
    """Held-out check of the EMA; exports it when it is the first check, when checks do not
    select (`eval_every_s` 0), or when it beats the best so far. Returns the best record."""
    metrics = evaluate_holdout(ema, held, seed, dev)
    psnr = metrics["model"]["psnr"]
    log.info("held-out at step %d: model %.2f dB, Telea %.2f dB", step, psnr,
             metrics["telea"]["psnr"])  # fmt: skip
    extra = {"train_config": cfg.name, "steps": str(step)}
    return loop.keep_best(best, psnr, metrics, step, bool(cfg.eval_every_s),
                     lambda: export_model(ema, out_dir / WEIGHTS_FILE, cfg.working_size, extra))




def _print_holdout(metrics: dict[str, dict[str, float]]) -> None:
    holes = metrics["holes"]
    print(f"held-out: {int(holes['images'])} photos, mean hole ratio {holes['mean_ratio']:.3f}")
    for method in ("model", "telea"):
        m = metrics[method]
        print(f"  {method:6s} hole PSNR {m['psnr']:.2f} dB   hole L1 {m['l1']:.4f}")


def config_named(name: str, **overrides) -> TrainConfig:
    cfg = CONFIGS[name]
    return replace(cfg, **{k: v for k, v in overrides.items() if v is not None})
