"""Train a subject's sketch → photo decoder on cached EfficientNet-Lite0 features of drawings.

One model per subject (pix2pix's own demos are narrow subjects): the training photos whose file
names belong to the subject (`subject_of`) are drawn VIEWS times each (hand-style line drawings
from editor.training.edges, every other view mirrored); the frozen encoder's features of every
drawing are computed once per run and kept in memory as fp16, and the CPU spends its time on the
small decoder (editor.ml.archs.sketcher). Configs named `*-tuned` also fine-tune a copy of the
encoder's stride-16 and stride-32 blocks (lr × `encoder_lr_scale`): only the frozen stride-4 and
stride-8 outputs are cached then. Loss: L1 on sRGB [0, 1], the bench's measure. Colour
scribbles follow Scribbler (Sangkloy et al. 2017): half the samples get none, the others 1–6
short strokes at 1/4 resolution, each in the mean colour of the photo under it.

    python -m editor.training sketch --subject animals --data SHARDS... --minutes N --out DIR
        [--config tiny|cpu|full|*-tuned] [--init FILE.safetensors] [--feature-weights LITE0.pth]
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

from editor.ml.archs.decoder_blocks import FEATURE_BLOCKS
from editor.ml.archs.efficientnet_lite import EfficientNetLite0
from editor.ml.archs.sketcher import SCRIBBLE_STRIDE, SketchDecoder, sketch_as_rgb
from editor.ml.scribbles import hint_input
from editor.training.decoder_cli import (
    add_decoder_arguments,
    device_and_config,
    log_progress,
    loss_trend,
)
from editor.training.loop import Every, fraction_done, set_lr, warm_cosine_lr

log = logging.getLogger(__name__)
ARCHS = {False: "editor.ml.archs.sketcher:build_decoder",
         True: "editor.ml.archs.sketcher:build_tuned_decoder"}  # by SketcherConfig.tune_encoder
SUBJECTS = ("animals", "people", "landscapes")
_LANDSCAPE_PREFIXES = ("scenes", "buildings", "forest", "glacier", "mountain", "sea", "street",
                       "seg")  # fmt: skip


def subject_of(file_name: str) -> str | None:
    """The sketch subject a training or evaluation photo belongs to, from its file name
    (`<category>_<source>_<n>.jpg`; the scene photos are `<scene>_<n>.jpg`); None for others."""
    category = file_name.split("_", 1)[0]
    if category in ("animals", "people"):
        return category
    return "landscapes" if category in _LANDSCAPE_PREFIXES else None


@dataclass(frozen=True)
class SketcherConfig:
    name: str
    size: int = 128  # training photo side; features are cached at this size
    views: int = 4  # drawings per photo (odd ones mirrored)
    batch: int = 32
    lr: float = 1e-3
    weight_decay: float = 1e-2
    warmup_steps: int = 100
    scribble_none_p: float = 0.5
    max_strokes: int = 6
    validation: int = 100  # photos held out of the training set for the figures
    working_size: int = 192  # long side the engine draws at
    checkpoint_minutes: float = 4.0  # held-out check; the export keeps the best one
    log_every: int = 100
    max_steps: int | None = None
    tune_encoder: bool = False  # fine-tune a copy of the stride-16/32 blocks (EncoderTail)
    encoder_lr_scale: float = 0.1  # their learning rate relative to the decoder's


CONFIGS = {
    "tiny": SketcherConfig("tiny", size=64, views=2, batch=8, warmup_steps=2, validation=4,
                           log_every=5, max_steps=60, lr=3e-3, working_size=64),
    "cpu": SketcherConfig("cpu"),
    "full": SketcherConfig("full", views=8, batch=128, lr=2e-3, log_every=200),
    "tiny-tuned": SketcherConfig("tiny-tuned", size=64, views=2, batch=8, warmup_steps=2,
                                 validation=4, log_every=5, max_steps=60, lr=3e-3,
                                 working_size=64, tune_encoder=True),
    "cpu-tuned": SketcherConfig("cpu-tuned", views=6, tune_encoder=True),
    "full-tuned": SketcherConfig("full-tuned", views=8, batch=128, lr=2e-3, log_every=200,
                                 tune_encoder=True),
}  # fmt: skip


@dataclass
class DrawingCache:
    """fp16 encoder features of every drawing, the drawings (uint8, 255 = paper), and which
    photo (and whether mirrored) each one shows."""

    feats: list[torch.Tensor]
    sketches: torch.Tensor
    photo: torch.Tensor
    mirrored: torch.Tensor

    def __len__(self) -> int:
        return self.sketches.shape[0]

    def batch(self, index: torch.Tensor, photos: torch.Tensor, device: str):
        """(features, N×1×S×S sketches, N×3×S×S sRGB targets), float32 on `device`."""
        feats = [f[index].to(device).float() for f in self.feats]
        sketch = self.sketches[index].to(device).float().div(255.0)
        rgb = photos[self.photo[index]].permute(0, 3, 1, 2).to(device).float().div(255.0)
        flip = self.mirrored[index].to(device).view(-1, 1, 1, 1)
        rgb = torch.where(flip, rgb.flip(-1), rgb)
        return feats, sketch, rgb


def draw(photo: np.ndarray, rng: np.random.Generator, mirrored: bool) -> np.ndarray:
    """S×S uint8 hand-style drawing (255 = paper) of an S×S×3 uint8 photo (mirrored if asked)."""
    from editor.training.edges import sketch_from_photo

    image = np.ascontiguousarray(photo[:, ::-1]) if mirrored else photo
    return (sketch_from_photo(image, rng, hand=True) * 255).astype(np.uint8)


@torch.no_grad()
def build_cache(encoder: EfficientNetLite0, photos: torch.Tensor, views: int, device: str,
                seed: int, blocks: tuple[int, ...], chunk: int = 64) -> DrawingCache:  # fmt: skip
    """Draw every photo `views` times and cache the encoder's outputs at `blocks` for each."""
    rng = np.random.default_rng(seed)
    n = photos.shape[0]
    photo_index = torch.arange(n).repeat(views)
    mirrored = (torch.arange(n * views) // n) % 2 == 1
    sketches = torch.empty((n * views, 1, photos.shape[1], photos.shape[2]), dtype=torch.uint8)
    feats: list[torch.Tensor] = []
    started = time.monotonic()
    for start in range(0, n * views, chunk):
        rows = range(start, min(start + chunk, n * views))
        drawn = np.stack([draw(photos[photo_index[i]].numpy(), rng, bool(mirrored[i]))
                          for i in rows])  # fmt: skip
        sketches[rows.start : rows.stop, 0] = torch.from_numpy(drawn)
        image = torch.from_numpy(drawn)[:, None].float().div(255.0).to(device)
        out = encoder.forward_features(sketch_as_rgb(image), blocks)
        if not feats:
            feats = [torch.empty((n * views, *f.shape[1:]), dtype=torch.float16) for f in out]
        for store, f in zip(feats, out, strict=True):
            store[rows.start : rows.stop] = f.half().cpu()
        if start // chunk % 20 == 0:
            log.info("cached %d/%d drawings (%.1f drawings/s)", rows.stop, n * views,
                     rows.stop / max(time.monotonic() - started, 1e-6))  # fmt: skip
    return DrawingCache(feats, sketches, photo_index, mirrored)


def sample_scribbles(rgb: torch.Tensor, cfg: SketcherConfig,
                     rng: np.random.Generator) -> torch.Tensor:  # fmt: skip
    """N×4×h×w scribble input (1/4 resolution) for N×3×H×W sRGB targets: short random strokes,
    each in the mean colour of the target cells it covers (module doc's sampling)."""
    import cv2

    small = F.avg_pool2d(rgb, SCRIBBLE_STRIDE)
    n, _, h, w = small.shape
    colour = torch.zeros_like(small)
    mask = torch.zeros(n, 1, h, w, device=rgb.device)
    cells = small.permute(0, 2, 3, 1).cpu().numpy()
    for i in range(n):
        if rng.random() < cfg.scribble_none_p:
            continue
        for _ in range(int(rng.integers(1, cfg.max_strokes + 1))):
            stroke = np.zeros((h, w), np.uint8)
            start = rng.uniform(0, [w, h])
            steps = rng.normal(0, max(h, w) / 8, (int(rng.integers(1, 4)), 2))
            points = np.round(np.vstack([start, start + np.cumsum(steps, 0)])).astype(np.int32)
            cv2.polylines(stroke, [points], False, 1, int(rng.integers(1, 3)))
            on = torch.from_numpy(stroke > 0)
            if not on.any():
                continue
            mean = torch.from_numpy(cells[i][on.numpy()].mean(0)).to(rgb.device)
            colour[i, :, on] = mean[:, None]
            mask[i, 0, on] = 1.0
    return hint_input(colour, mask)


def mean_image(photos: torch.Tensor) -> torch.Tensor:
    """1×3×S×S float32 per-pixel mean of N×S×S×3 uint8 photos (the baseline)."""
    return photos.float().mean(0).permute(2, 0, 1)[None].div(255.0)


@torch.no_grad()
def evaluate(decoder: SketchDecoder, cache: DrawingCache, photos: torch.Tensor,
             baseline: torch.Tensor, device: str) -> dict[str, float]:  # fmt: skip
    """Held-out L1 (sRGB [0, 1]) of the decoder without and with 3 true-colour scribbles, and of
    the training set's mean image, on the held photos' cached drawings."""
    decoder.eval()
    rng = np.random.default_rng(1234)
    cfg = SketcherConfig("eval", scribble_none_p=0.0, max_strokes=3)
    sums = {"l1": 0.0, "l1_scribbles": 0.0, "l1_mean_image": 0.0}
    for start in range(0, len(cache), 32):
        index = torch.arange(start, min(start + 32, len(cache)))
        feats, sketch, rgb = cache.batch(index, photos, device)
        none = torch.zeros(rgb.shape[0], 4, *[s // SCRIBBLE_STRIDE for s in rgb.shape[-2:]],
                           device=device)  # fmt: skip
        scribbled = sample_scribbles(rgb, cfg, rng)
        sums["l1"] += float((decoder(feats, sketch, none) - rgb).abs().mean((1, 2, 3)).sum())
        sums["l1_scribbles"] += float(
            (decoder(feats, sketch, scribbled) - rgb).abs().mean((1, 2, 3)).sum()
        )
        sums["l1_mean_image"] += float((baseline.to(device) - rgb).abs().mean((1, 2, 3)).sum())
    decoder.train()
    return {k: v / len(cache) for k, v in sums.items()}


def export_decoder(decoder: SketchDecoder, path: Path, cfg: SketcherConfig, subject: str,
                   extra: dict) -> Path:  # fmt: skip
    from editor.training.export import save_fp16

    return save_fp16(decoder, path, {"arch": ARCHS[cfg.tune_encoder], "subject": subject,
                                     "train_size": cfg.size, "working_size": cfg.working_size,
                                     "train_config": cfg.name, **extra})  # fmt: skip


def new_decoder(cfg: SketcherConfig, encoder: EfficientNetLite0,
                init: Path | None) -> SketchDecoder:  # fmt: skip
    """The decoder to train: a tuned one starts its encoder tail from the frozen encoder's own
    blocks; `init` (a shipped file) then overrides whatever it holds (a frozen-encoder file
    holds no tail, so the tail keeps the ImageNet weights)."""
    import copy

    from editor.ml.archs.sketcher import EncoderTail

    tail = None
    if cfg.tune_encoder:
        tail = EncoderTail()
        tail.blocks = copy.deepcopy(encoder._blocks[tail.start : FEATURE_BLOCKS[-1] + 1])
        tail.requires_grad_(True)
    decoder = SketchDecoder(tail=tail)
    if init is not None:
        from safetensors.torch import load_file

        state = {k: v.float() for k, v in load_file(str(init)).items()}
        missing, unexpected = decoder.load_state_dict(state, strict=False)
        if unexpected or any(not k.startswith("tail.") and "num_batches" not in k
                             for k in missing):  # fmt: skip
            raise ValueError(f"{init} does not fit this config's decoder")
    return decoder.train()  # the tail's copied blocks come in eval mode


def parameter_groups(decoder: SketchDecoder, cfg: SketcherConfig) -> list[dict]:
    """AdamW groups; the tuned encoder blocks learn at `encoder_lr_scale` of the rate."""
    tail = list(decoder.tail.parameters()) if decoder.tail is not None else []
    tail_ids = {id(p) for p in tail}
    head = [p for p in decoder.parameters() if id(p) not in tail_ids]
    groups = [{"params": head, "lr_scale": 1.0}]
    if tail:
        groups.append({"params": tail, "lr_scale": cfg.encoder_lr_scale})
    return groups


def _photos(sources: list[str], subject: str, size: int, tiny: bool) -> torch.Tensor:
    from editor.training.data import load_photos, synthetic_photos

    if tiny and not sources:
        return synthetic_photos(24, size, seed=0)
    photos = load_photos(sources, size, include=lambda name: subject_of(name) == subject)
    log.info("%d %s photos", photos.shape[0], subject)
    return photos


def train(cfg: SketcherConfig, subject: str, sources: list[str], minutes: float, out: Path,
          device: str, seed: int = 0, feature_weights: str | None = None,
          init: Path | None = None) -> dict[str, float]:  # fmt: skip
    """Cache features, train the decoder for `minutes` (or cfg.max_steps), export
    `out/sketch-<subject>.safetensors`; returns the last held-out metrics."""
    from editor.training.train_colorizer import frozen_encoder

    torch.manual_seed(seed)
    out.mkdir(parents=True, exist_ok=True)
    tiny = cfg.name.startswith("tiny")
    photos = _photos(sources, subject, cfg.size, tiny)
    order = torch.randperm(photos.shape[0], generator=torch.Generator().manual_seed(seed))
    held, train_photos = photos[order[: cfg.validation]], photos[order[cfg.validation :]]
    encoder = frozen_encoder(feature_weights, tiny).to(device)
    decoder = new_decoder(cfg, encoder, init).to(device)
    t0 = time.monotonic()
    blocks = decoder.encoder_blocks
    cache = build_cache(encoder, train_photos, cfg.views, device, seed, blocks)
    val_cache = build_cache(encoder, held, 1, device, seed + 1, blocks)
    log.info("features of %d drawings cached in %.0f s (%.1f drawings/s)", len(cache),
             time.monotonic() - t0, len(cache) / max(time.monotonic() - t0, 1e-6))  # fmt: skip
    del encoder
    baseline = mean_image(train_photos)
    on_gpu = device.startswith("cuda")  # bf16 autocast and channels_last there
    if on_gpu:
        decoder = decoder.to(memory_format=torch.channels_last)
    optimiser = torch.optim.AdamW(parameter_groups(decoder, cfg), lr=cfg.lr,
                                  weight_decay=cfg.weight_decay)  # fmt: skip
    rng = np.random.default_rng(seed)
    generator = torch.Generator().manual_seed(seed)
    budget = minutes * 60.0
    started = time.monotonic()
    check_due = Every(cfg.checkpoint_minutes * 60)
    step, losses = 0, []
    metrics: dict[str, float] = {}
    name = f"sketch-{subject}.safetensors"

    best = {"l1": math.inf, "step": 0}

    def save(final: bool) -> None:
        """Held-out check; export when it is the best so far (early stopping: with a few
        thousand photos per subject, longer training can memorise them)."""
        nonlocal metrics
        metrics = evaluate(decoder, val_cache, held, baseline, device)
        seen = step * cfg.batch
        if metrics["l1"] < best["l1"]:
            best.update(l1=metrics["l1"], step=step)
            export_decoder(decoder, out / name, cfg, subject, {"steps": step, "samples_seen": seen})
        summary = {"config": asdict(cfg), "subject": subject, "step": step, "samples_seen": seen,
                   "exported_step": best["step"], "minutes": (time.monotonic() - started) / 60,
                   "caching_drawings_per_s": len(cache) / max(cache_seconds, 1e-6),
                   "samples_per_s": seen / max(time.monotonic() - started, 1e-6),
                   **metrics}  # fmt: skip
        (out / f"metrics-{subject}.json").write_text(json.dumps(summary, indent=2) + "\n")
        log.info("%s %s step %d: %s (exported: step %d)", subject,
                 "final" if final else "check", step,
                 " ".join(f"{k}={v:.4f}" for k, v in metrics.items()), best["step"])  # fmt: skip

    cache_seconds = started - t0
    while True:
        elapsed = time.monotonic() - started
        fraction = fraction_done(step, elapsed, cfg.max_steps, budget)
        if fraction is None:
            break
        lr = warm_cosine_lr(cfg.lr, step, cfg.warmup_steps, fraction)
        set_lr(optimiser, lr)
        index = torch.randint(0, len(cache), (cfg.batch,), generator=generator)
        feats, sketch, rgb = cache.batch(index, train_photos, device)
        scribbles = sample_scribbles(rgb, cfg, rng)
        with torch.autocast("cuda", torch.bfloat16, enabled=on_gpu):
            photo = decoder(feats, sketch, scribbles)
        loss = (photo.float() - rgb).abs().mean()
        optimiser.zero_grad(set_to_none=True)
        loss.backward()
        optimiser.step()
        losses.append(loss.item())
        step += 1
        log_progress(subject, step, step, losses, cfg.log_every, lr, cfg.batch, started)
        if check_due():
            save(final=False)
    save(final=True)

    return {**metrics, **loss_trend(losses)}


def add_parser(tasks) -> argparse.ArgumentParser:
    parser = tasks.add_parser("sketch", help="a subject's sketch → photo decoder on Lite0")
    parser.add_argument("--subject", required=True, choices=SUBJECTS)
    add_decoder_arguments(parser, CONFIGS)
    return parser


def run(args: argparse.Namespace) -> int:
    device, cfg = device_and_config(args, CONFIGS)
    metrics = train(cfg, args.subject, args.data, args.minutes, args.out, device, args.seed,
                    args.feature_weights, args.init)  # fmt: skip
    print(json.dumps(metrics, indent=2))
    return 0
