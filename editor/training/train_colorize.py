"""Train the colorizer: pix2pix predicting Lab chroma (ab) from lightness (L), with user hints.

Generator input (N×4×H×W float32): L/50 − 1, hint a/110, hint b/110, hint mask (1 where a
colour is given). Output N×2×H×W: a/110, b/110 in [-1, 1]. The discriminator sees (L, ab).

Hints are trained as Zhang et al. 2017 ("Real-time user-guided image colorization"): half the
samples get none, the others reveal the true mean ab of a few small square patches (count
geometric with p = 1/8, side 1–5 px, uniform positions), so the same model colorizes on its
own and follows user colour points.

Grayscale photos stored as RGB are removed from the training set (mean Lab chroma < 4).

    python -m editor.training colorize --data SHARDS... --minutes N --out DIR [--config tiny]
"""

from __future__ import annotations

import argparse

import numpy as np
import torch

from editor.ml.archs.pix2pix import COLORIZE_ARCH, COLORIZE_CONFIG, UNetConfig, UNetGenerator
from editor.training import color
from editor.training.pix2pix_train import (
    Pix2PixConfig,
    add_common_arguments,
    psnr,
    run_common,
    to_uint8,
)

MIN_CHROMA = 4.0
HINT_GEOMETRIC_P = 1.0 / 8.0
MAX_HINTS = 24
NAME = "colorize"

CONFIGS: dict[str, Pix2PixConfig] = {
    "tiny": Pix2PixConfig("tiny", UNetConfig(4, 2, stem=8, widths=(16, 16)), disc_width=8,
                          crop=32, store=40, batch=4, working_size=64, max_steps=40,
                          log_every=10, eval_images=4, eval_size=32, lr_g=2e-3, lr_d=1e-3),
    # What a shared CPU core trains in ~20 minutes: 64-px crops of 96-px photos, batch 8.
    "cpu": Pix2PixConfig("cpu", COLORIZE_CONFIG, disc_width=32, crop=64, store=96, batch=8,
                         working_size=128, log_every=25),
    # A GPU run: same generator (what the app ships), the paper's discriminator width, 128-px
    # crops of the 160-px photos, bigger batches.
    "full": Pix2PixConfig("full", COLORIZE_CONFIG, disc_width=64, crop=128, store=160, batch=32,
                          working_size=192, lr_g=2e-4, lr_d=2e-4, log_every=200,
                          eval_images=300, eval_size=128, min_zoom=0.7),
}  # fmt: skip


def net_input(l_star: torch.Tensor, hint_ab: torch.Tensor, hint_mask: torch.Tensor):
    """N×4×H×W generator input from L* [0, 100], hint ab (Lab units, 0 where no hint) and the
    hint mask (1 = hint)."""
    return torch.cat([l_star / 50.0 - 1.0, hint_ab / color.AB_SCALE * hint_mask, hint_mask], 1)


def random_hints(ab: torch.Tensor, rng: np.random.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    """(hint ab N×2×H×W in Lab units, mask N×1×H×W) revealing true colours at random patches."""
    n, _, height, width = ab.shape
    hint = torch.zeros_like(ab)
    mask = torch.zeros(n, 1, height, width, dtype=ab.dtype, device=ab.device)
    for i in range(n):
        if rng.random() < 0.5:
            continue
        for _ in range(min(MAX_HINTS, int(rng.geometric(HINT_GEOMETRIC_P)))):
            side = int(rng.integers(1, 6))
            y = int(rng.integers(0, height - side + 1))
            x = int(rng.integers(0, width - side + 1))
            patch = ab[i, :, y : y + side, x : x + side]
            hint[i, :, y : y + side, x : x + side] = patch.mean(dim=(1, 2), keepdim=True)
            mask[i, :, y : y + side, x : x + side] = 1.0
    return hint, mask


def colourfulness(rgb: np.ndarray) -> float:
    """Hasler & Süsstrunk 2003 colourfulness of an H×W×3 uint8 RGB image."""
    r, g, b = (rgb[..., i].astype(np.float64) for i in range(3))
    rg, yb = r - g, 0.5 * (r + g) - b
    return float(np.hypot(rg.std(), yb.std()) + 0.3 * np.hypot(rg.mean(), yb.mean()))


@torch.no_grad()
def colorize_lab(
    model: UNetGenerator, l_star: torch.Tensor, hint_ab: torch.Tensor, hint_mask: torch.Tensor
) -> torch.Tensor:
    """Predicted ab (Lab units) N×2×H×W for L* N×1×H×W (any size; padded inside)."""
    from editor.ml.archs.pix2pix import predict_padded

    return predict_padded(model, net_input(l_star, hint_ab, hint_mask)) * color.AB_SCALE


class ColorizeTask:
    name = NAME
    arch = COLORIZE_ARCH
    cond_channels = 1
    out_channels = 2

    def prepare(self, photos: torch.Tensor) -> torch.Tensor:
        kept = color.colour_photos(photos, MIN_CHROMA)
        return kept if kept.shape[0] else photos  # synthetic tiny data is always colourful

    def make_batch(self, rgb: torch.Tensor, rng: np.random.Generator):
        lab = color.rgb_to_lab(rgb)
        l_star, ab = lab[:, :1], lab[:, 1:]
        hint, mask = random_hints(ab, rng)
        return net_input(l_star, hint, mask), l_star / 50.0 - 1.0, ab / color.AB_SCALE

    def evaluate(self, model: UNetGenerator, held: torch.Tensor, train_photos: torch.Tensor):
        """Whole-image PSNR vs truth for ours and the gray baseline; colourfulness ratio."""
        device = next(model.parameters()).device
        sums = {"model": 0.0, "gray": 0.0, "hinted5": 0.0}
        colour_ours = colour_truth = 0.0
        rng = np.random.default_rng(1234)
        for i in range(held.shape[0]):
            rgb = held[i : i + 1].permute(0, 3, 1, 2).float().div(255.0).to(device)
            lab = color.rgb_to_lab(rgb)
            l_star = lab[:, :1]
            none = torch.zeros_like(lab[:, 1:])
            ab = colorize_lab(model, l_star, none, none[:, :1])
            truth = to_uint8(rgb)[0]
            ours = to_uint8(color.lab_to_rgb(torch.cat([l_star, ab], 1)))[0]
            gray = to_uint8(color.lab_to_rgb(torch.cat([l_star, none], 1)))[0]
            hint, mask = five_hints(lab[:, 1:], rng)
            hinted_ab = colorize_lab(model, l_star, hint, mask)
            hinted = to_uint8(color.lab_to_rgb(torch.cat([l_star, hinted_ab], 1)))[0]
            sums["model"] += psnr(ours, truth)
            sums["gray"] += psnr(gray, truth)
            sums["hinted5"] += psnr(hinted, truth)
            colour_ours += colourfulness(ours)
            colour_truth += colourfulness(truth)
        n = float(held.shape[0])
        metrics = {k: {"psnr": v / n} for k, v in sums.items()}
        metrics["colourfulness"] = {"ours": colour_ours / n, "truth": colour_truth / n,
                                    "ratio": colour_ours / max(colour_truth, 1e-9)}  # fmt: skip
        return metrics

    def print_metrics(self, metrics) -> None:
        for key in ("model", "gray", "hinted5"):
            print(f"  {key:8s} PSNR {metrics[key]['psnr']:.2f} dB")
        c = metrics["colourfulness"]
        print(f"  colourfulness ours {c['ours']:.1f} truth {c['truth']:.1f} ratio {c['ratio']:.3f}")


def five_hints(ab: torch.Tensor, rng: np.random.Generator, side: int = 3):
    """Hints at 5 random points (true mean ab of a side×side patch), for evaluation."""
    _, _, height, width = ab.shape
    hint = torch.zeros_like(ab)
    mask = torch.zeros_like(ab[:, :1])
    for _ in range(5):
        y = int(rng.integers(0, height - side + 1))
        x = int(rng.integers(0, width - side + 1))
        patch = ab[:, :, y : y + side, x : x + side]
        hint[:, :, y : y + side, x : x + side] = patch.mean(dim=(2, 3), keepdim=True)
        mask[:, :, y : y + side, x : x + side] = 1.0
    return hint, mask


def add_parser(tasks) -> argparse.ArgumentParser:
    """Register `colorize` on the training CLI's subparsers."""
    parser = tasks.add_parser("colorize", help="pix2pix colorizer (L → ab, with hints)")
    add_common_arguments(parser)
    return parser


def run(args: argparse.Namespace) -> int:
    return run_common(args, CONFIGS, ColorizeTask())


if __name__ == "__main__":
    import sys

    from editor.training.pix2pix_train import standalone_main

    sys.exit(standalone_main(add_parser, run))
