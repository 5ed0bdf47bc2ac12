"""Hole-region PSNR / L1 of the trained inpainting model vs OpenCV Telea, by hole-ratio bucket.

Photos: ../shared/data/eval/photos (held out from training). Masks: the NVIDIA irregular test
masks (../shared/data/eval/masks/nvidia_irregular_test, white = hole), resized (nearest) to each
photo's size; each photo gets one mask per bucket, drawn from that bucket's file range (the
mean actual hole ratio after resizing is printed per bucket). The model runs through the
engine step `fill_with_model` on the whole photo as the crop (what a user gets); metrics count
hole pixels only. Also prints the engine time for a 512x512 crop on the CPU (and CUDA if present).

    python bench/inpaint_quality.py [--limit 200] [--grid /tmp/inpaint_grid.png]
        [--model models/pconv_inpaint.safetensors] [--working-size N]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from editor.engine.context import JobContext  # noqa: E402
from editor.engine.inpaint_model import MODEL_FILE, fill_with_model  # noqa: E402
from editor.training.evaluate import MetricSums, hole_errors, telea  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "eval"
# Bucket -> first file numbers of the NVIDIA test set with that hole ratio (2,000 per bucket,
# every 10th stored).
BUCKETS = {"0.1-0.2": 2000, "0.2-0.3": 4000, "0.3-0.4": 6000, "0.4-0.5": 8000}


def load_rgb(path: Path) -> np.ndarray:
    import cv2

    image = cv2.imread(str(path), cv2.IMREAD_COLOR)
    return cv2.cvtColor(image, cv2.COLOR_BGR2RGB)


def load_mask(path: Path, width: int, height: int) -> np.ndarray:
    """HxW uint8, 255 = hole, resized with nearest neighbour."""
    import cv2

    mask = cv2.imread(str(path), cv2.IMREAD_GRAYSCALE)
    mask = cv2.resize(mask, (width, height), interpolation=cv2.INTER_NEAREST)
    return np.where(mask > 127, 255, 0).astype(np.uint8)


def model_fill(rgb: np.ndarray, mask: np.ndarray, model: Path, working: int | None) -> np.ndarray:
    rgba = np.dstack([rgb, np.full(rgb.shape[:2], 255, np.uint8)])
    return fill_with_model(rgba, mask, JobContext(), model, working)[..., :3]


def masked_view(rgb: np.ndarray, mask: np.ndarray) -> np.ndarray:
    out = rgb.copy()
    out[mask > 127] = 255
    return out


def write_grid(rows: list[list[np.ndarray]], path: Path, cell: int = 160) -> None:
    """Rows of [masked input, model, Telea, truth], each resized to `cell` high."""
    import cv2

    lines = []
    for row in rows:
        tiles = [cv2.resize(t, (cell * t.shape[1] // t.shape[0], cell)) for t in row]
        lines.append(np.hstack([np.pad(t, ((2, 2), (2, 2), (0, 0))) for t in tiles]))
    width = max(line.shape[1] for line in lines)
    lines = [np.pad(line, ((0, 0), (0, width - line.shape[1]), (0, 0))) for line in lines]
    path.parent.mkdir(parents=True, exist_ok=True)
    cv2.imwrite(str(path), cv2.cvtColor(np.vstack(lines), cv2.COLOR_RGB2BGR))


def time_512(model: Path, device_note: str) -> None:
    """Median wall time of fill_with_model on a 512x512 RGBA crop with ~25 % hole."""
    import cv2

    rng = np.random.default_rng(0)
    base = rng.integers(0, 256, (64, 64, 3), dtype=np.uint8)
    rgb = cv2.resize(cv2.GaussianBlur(base, (5, 5), 0), (512, 512), interpolation=cv2.INTER_CUBIC)
    rgba = np.dstack([rgb, np.full((512, 512), 255, np.uint8)])
    mask = np.zeros((512, 512), np.uint8)
    mask[128:384, 160:416] = 255  # 25 %
    fill_with_model(rgba, mask, JobContext(), model)  # warm-up: model load, allocator
    times = []
    for _ in range(5):
        start = time.perf_counter()
        fill_with_model(rgba, mask, JobContext(), model)
        times.append(time.perf_counter() - start)
    median_ms, min_ms = statistics.median(times) * 1000, min(times) * 1000
    print(
        f"engine time, 512x512 crop ({device_note}): median {median_ms:.0f} ms"
        f" (min {min_ms:.0f} ms, 5 runs after warm-up)"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--model", type=Path, default=MODEL_FILE)
    parser.add_argument("--limit", type=int, default=200, help="photos (evenly spaced)")
    parser.add_argument("--working-size", type=int, default=None)
    parser.add_argument("--grid", type=Path, default=Path("/tmp/inpaint_grid.png"))
    parser.add_argument("--no-timing", action="store_true")
    args = parser.parse_args()

    photos_dir = args.data / "photos"
    masks_dir = args.data / "masks" / "nvidia_irregular_test"
    if not photos_dir.is_dir() or not masks_dir.is_dir():
        print(f"skipped: evaluation data not found under {args.data}")
        return 0
    if not args.model.is_file():
        print(f"skipped: no model file at {args.model}")
        return 0
    photos = sorted(photos_dir.glob("*.jpg")) + sorted(photos_dir.glob("*.png"))
    photos = photos[:: max(1, len(photos) // args.limit)][: args.limit]
    masks = {
        name: sorted(p for p in masks_dir.glob("*.png") if start <= int(p.stem) < start + 2000)
        for name, start in BUCKETS.items()
    }
    sums = {name: MetricSums() for name in BUCKETS}
    ratios: dict[str, list[float]] = {name: [] for name in BUCKETS}
    grid_rows: list[list[np.ndarray]] = []
    started = time.perf_counter()
    for i, photo in enumerate(photos):
        truth = load_rgb(photo)
        height, width = truth.shape[:2]
        for name, files in masks.items():
            mask = load_mask(files[(i * 7) % len(files)], width, height)
            if not (mask > 0).any():
                continue
            ratios[name].append(float((mask > 0).mean()))
            ours = model_fill(truth, mask, args.model, args.working_size)
            classic = telea(truth, mask)
            sums[name].add("model", *hole_errors(ours, truth, mask))
            sums[name].add("telea", *hole_errors(classic, truth, mask))
            sums[name].count += 1
            if i % max(1, len(photos) // 6) == 0 and name in ("0.2-0.3", "0.4-0.5"):
                grid_rows.append([masked_view(truth, mask), ours, classic, truth])
    elapsed = time.perf_counter() - started
    print(f"{len(photos)} photos from {photos_dir}, model {args.model.name}"
          f" (working size {args.working_size or 'from file'}), {elapsed:.0f} s")  # fmt: skip
    print(f"{'bucket':9s} {'n':>4s} {'ratio':>6s} | {'model PSNR':>10s} {'L1':>7s} |"
          f" {'Telea PSNR':>10s} {'L1':>7s} | {'gain dB':>7s}")  # fmt: skip
    for name in BUCKETS:
        means = sums[name].means()
        if not means:
            continue
        m, t = means["model"], means["telea"]
        print(f"{name:9s} {sums[name].count:4d} {np.mean(ratios[name]):6.3f} |"
              f" {m['psnr']:10.2f} {m['l1']:7.4f} | {t['psnr']:10.2f} {t['l1']:7.4f} |"
              f" {m['psnr'] - t['psnr']:+7.2f}")  # fmt: skip
    if grid_rows:
        write_grid(grid_rows, args.grid)
        print(f"grid (masked input | model | Telea | truth): {args.grid}")
    if not args.no_timing:
        import torch

        time_512(args.model, "CUDA" if torch.cuda.is_available() else "CPU")
    return 0


if __name__ == "__main__":
    sys.exit(main())
