"""Train sketch → photo: pix2pix from a line drawing to an RGB photo.

Generator input N×1×H×W float32: the sketch mapped to [-1, 1] (1 = paper, −1 = ink).
Output N×3×H×W: RGB mapped to [-1, 1]. The discriminator sees (sketch, RGB).
Training sketches are made from the photos on the fly by editor.training.edges (Canny / XDoG /
gradient lines with random thickness, breaks and jitter).

    python -m editor.training sketch2photo --data SHARDS... --minutes N --out DIR [--config tiny]
"""

from __future__ import annotations

import argparse

import numpy as np
import torch

from editor.ml.archs.pix2pix import (
    SKETCH_CONFIG,
    UNetConfig,
    UNetGenerator,
    predict_padded,
)
from editor.ml.catalog_pix2pix import SKETCH_ARCH
from editor.training.edges import canny_sketch, sketch_batch
from editor.training.pix2pix_train import (
    Pix2PixConfig,
    add_common_arguments,
    psnr,
    run_common,
    to_uint8,
)

NAME = "sketch2photo"

CONFIGS: dict[str, Pix2PixConfig] = {
    "tiny": Pix2PixConfig("tiny", UNetConfig(1, 3, stem=8, widths=(16, 16)), disc_width=8,
                          crop=32, store=40, batch=4, working_size=64, max_steps=40,
                          log_every=10, eval_images=4, eval_size=32, lr_g=2e-3, lr_d=1e-3),
    "cpu": Pix2PixConfig("cpu", SKETCH_CONFIG, disc_width=32, crop=64, store=96, batch=8,
                         working_size=128, log_every=25),
    "full": Pix2PixConfig("full", SKETCH_CONFIG, disc_width=64, crop=128, store=160, batch=32,
                          working_size=192, lr_g=2e-4, lr_d=2e-4, log_every=200,
                          eval_images=300, eval_size=128, min_zoom=0.7),
}  # fmt: skip


@torch.no_grad()
def render(model: UNetGenerator, sketch: torch.Tensor) -> torch.Tensor:
    """N×3×H×W RGB [0, 1] from N×1×H×W sketches (1 = paper, 0 = ink), any size."""
    return (predict_padded(model, sketch * 2.0 - 1.0) + 1.0) / 2.0


def mean_image(photos: torch.Tensor, size: int) -> np.ndarray:
    """size×size×3 uint8 per-pixel mean of N×S×S×3 uint8 photos (the baseline)."""
    mean = photos.float().mean(0).permute(2, 0, 1)[None]
    mean = torch.nn.functional.interpolate(mean, size=(size, size), mode="bilinear")
    return (mean[0].permute(1, 2, 0) + 0.5).clamp(0, 255).byte().numpy()


def l1_psnr(ours: np.ndarray, truth: np.ndarray) -> tuple[float, float]:
    """(mean absolute error on the [0, 1] scale, PSNR dB) of two uint8 images."""
    l1 = float(np.abs(ours.astype(np.float32) - truth.astype(np.float32)).mean() / 255.0)
    return l1, psnr(ours, truth)


class SketchTask:
    name = NAME
    arch = SKETCH_ARCH
    cond_channels = 1
    out_channels = 3

    def prepare(self, photos: torch.Tensor) -> torch.Tensor:
        return photos

    def make_batch(self, rgb: torch.Tensor, rng: np.random.Generator):
        sketch = sketch_batch(rgb, rng) * 2.0 - 1.0
        return sketch, sketch, rgb * 2.0 - 1.0

    def evaluate(self, model: UNetGenerator, held: torch.Tensor, train_photos: torch.Tensor):
        """L1 / PSNR of ours and of the training mean image on Canny sketches of held photos."""
        device = next(model.parameters()).device
        baseline = mean_image(train_photos, held.shape[1])
        sums = {"model": np.zeros(2), "mean_image": np.zeros(2)}
        for i in range(held.shape[0]):
            truth = held[i].numpy()
            sketch = torch.from_numpy(canny_sketch(truth))[None, None].to(device)
            ours = to_uint8(render(model, sketch))[0]
            sums["model"] += l1_psnr(ours, truth)
            sums["mean_image"] += l1_psnr(baseline, truth)
        n = float(held.shape[0])
        return {k: {"l1": float(v[0] / n), "psnr": float(v[1] / n)} for k, v in sums.items()}

    def print_metrics(self, metrics) -> None:
        for key in ("model", "mean_image"):
            m = metrics[key]
            print(f"  {key:10s} L1 {m['l1']:.4f}  PSNR {m['psnr']:.2f} dB")


def add_parser(tasks) -> argparse.ArgumentParser:
    """Register `sketch2photo` on the training CLI's subparsers."""
    parser = tasks.add_parser("sketch2photo", help="pix2pix sketch → photo")
    add_common_arguments(parser)
    return parser


def run(args: argparse.Namespace) -> int:
    return run_common(args, CONFIGS, SketchTask())


if __name__ == "__main__":
    import sys

    from editor.training.pix2pix_train import standalone_main

    sys.exit(standalone_main(add_parser, run))
