"""Colorization quality on held-out photos turned gray, and engine time on the CPU.

For every photo in ../shared/data/eval/photos (never in training): convert it to gray
(Pillow's "L", back to RGB), colorize it with the engine (`run_colorize`, full resolution out),
and compare with the original: PSNR (RGB, whole image) of ours, of ours with 5 hints (the true
colour at 5 seeded random points) and of the gray image itself (the baseline), and the mean
Hasler–Süsstrunk colourfulness of ours / of the originals (target ≥ 0.6). Writes a grid
gray | ours | ours + 5 hints (dots mark them) | truth to --grid (not in the repository).

    python bench/colorize_quality.py [--limit N] [--grid /tmp/retouch-colorize-grid.png]
        [--model FILE.safetensors] [--working-size N]
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.pix2pix_grid import cell, write_grid  # noqa: E402
from editor.engine.colorize import ColorizeRequest, run_colorize  # noqa: E402
from editor.engine.context import JobContext  # noqa: E402
from editor.engine.pix2pix_model import generator_from_file, load_generator  # noqa: E402
from editor.training.pix2pix_train import psnr  # noqa: E402
from editor.training.train_colorize import MIN_CHROMA, colourfulness  # noqa: E402

PHOTOS = ROOT.parent / "shared" / "data" / "eval" / "photos"


def load_rgba(path: Path) -> np.ndarray:
    from PIL import Image

    with Image.open(path) as image:
        return np.asarray(image.convert("RGBA")).copy()


def to_gray(rgba: np.ndarray) -> np.ndarray:
    from PIL import Image

    gray = np.asarray(Image.fromarray(rgba[..., :3]).convert("L"))
    out = rgba.copy()
    out[..., :3] = gray[..., None]
    return out


def five_hints(truth: np.ndarray, rng: np.random.Generator):
    """5 points with the true colour (mean of a 3×3 patch) at seeded random positions."""
    height, width = truth.shape[:2]
    hints = []
    for _ in range(5):
        x, y = int(rng.integers(1, width - 1)), int(rng.integers(1, height - 1))
        colour = truth[y - 1 : y + 2, x - 1 : x + 2, :3].reshape(-1, 3).mean(0).round()
        hints.append((x, y, tuple(int(c) for c in colour)))
    return tuple(hints)


def hinted_cell(rgb: np.ndarray, size: int, hints) -> np.ndarray:
    """A grid cell with each hint drawn as a dot of its colour (white rim)."""
    import cv2

    out = cell(rgb, size)
    scale = size / rgb.shape[0]
    for x, y, colour in hints:
        centre = (round(x * scale), round(y * scale))
        cv2.circle(out, centre, 4, (255, 255, 255), -1)
        cv2.circle(out, centre, 3, colour, -1)
    return out


def _mean(values: list[float], keep: list[bool]) -> float:
    return statistics.fmean(v for v, k in zip(values, keep, strict=True) if k)


def _mean_chroma(rgba: np.ndarray) -> float:
    import torch

    from editor.training.color import mean_chroma

    rgb = torch.from_numpy(np.ascontiguousarray(rgba[..., :3])).permute(2, 0, 1)[None] / 255.0
    return float(mean_chroma(rgb)[0])


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--photos", type=Path, default=PHOTOS)
    parser.add_argument("--limit", type=int, default=0, help="0 = all photos")
    parser.add_argument("--grid", type=Path, default=Path("/tmp/retouch-colorize-grid.png"))
    parser.add_argument("--grid-rows", type=int, default=12)
    parser.add_argument("--model", type=Path, help="candidate weights (default: shipped)")
    parser.add_argument("--working-size", type=int, help="override the file's working size")
    args = parser.parse_args()
    if not args.photos.is_dir():
        print(f"{args.photos} not found (shared research data)", file=sys.stderr)
        return 1
    import torch

    torch.set_num_threads(1)  # the machine is shared; one thread gives steady timings
    model = (
        generator_from_file("colorize", args.model) if args.model else load_generator("colorize")
    )
    if args.working_size:
        model = dataclasses.replace(model, working_size=args.working_size)
    files = sorted(p for p in args.photos.iterdir() if p.suffix.lower() in (".jpg", ".png"))
    if args.limit:
        files = files[:: max(1, len(files) // args.limit)][: args.limit]
    rng = np.random.default_rng(0)
    grid_every = max(1, len(files) // args.grid_rows)
    scores = {"gray": [], "ours": [], "ours+5 hints": []}
    colour_ours, colour_truth, seconds, rows, is_colour = [], [], [], [], []
    for index, path in enumerate(files):
        truth = load_rgba(path)
        gray = to_gray(truth)
        hints = five_hints(truth, rng)
        started = time.perf_counter()
        ours = run_colorize(ColorizeRequest(gray), JobContext(), model).pixels
        seconds.append(time.perf_counter() - started)
        hinted = run_colorize(ColorizeRequest(gray, hints=hints), JobContext(), model).pixels
        scores["gray"].append(psnr(gray[..., :3], truth[..., :3]))
        scores["ours"].append(psnr(ours[..., :3], truth[..., :3]))
        scores["ours+5 hints"].append(psnr(hinted[..., :3], truth[..., :3]))
        colour_ours.append(colourfulness(ours[..., :3]))
        colour_truth.append(colourfulness(truth[..., :3]))
        is_colour.append(bool(_mean_chroma(truth) >= MIN_CHROMA))
        if index % grid_every == 0 and len(rows) < args.grid_rows:
            rows.append([cell(gray, 128), cell(ours, 128), hinted_cell(hinted, 128, hints),
                         cell(truth, 128)])  # fmt: skip

    print(f"{len(files)} held-out photos ({args.photos}), model working size {model.working_size}")
    colour_count = sum(is_colour)
    for label, keep in (("all photos", [True] * len(files)),
                        (f"colour photos only ({colour_count}; mean chroma >= {MIN_CHROMA})",
                         is_colour)):  # fmt: skip
        print(f" {label}:")
        for name, values in scores.items():
            print(f"  PSNR {name:13s} {_mean(values, keep):6.2f} dB")
        gain = _mean(scores["ours"], keep) - _mean(scores["gray"], keep)
        print(f"  ours - gray baseline: {gain:+.2f} dB")
        ours, truth = _mean(colour_ours, keep), _mean(colour_truth, keep)
        print(f"  colourfulness ours {ours:.1f} / truth {truth:.1f} = {ours / truth:.3f} "
              "(target >= 0.6)")  # fmt: skip
    print(f"  engine time per photo (CPU, {torch.get_num_threads()} threads): "
          f"median {statistics.median(seconds) * 1000:.0f} ms")  # fmt: skip
    big = np.tile(to_gray(load_rgba(files[0])), (7, 7, 1))[:1024, :1024]
    started = time.perf_counter()
    run_colorize(ColorizeRequest(big), JobContext(), model)
    print(f"  engine time for a 1024x1024 image: {(time.perf_counter() - started):.2f} s")
    write_grid(rows, args.grid)
    print(f"grid (gray | ours | ours + 5 hints | truth): {args.grid}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
