"""Colorization quality on held-out photos turned gray, and engine time on the CPU.

For every colour photo in ../shared/data/eval/photos (never in training; photos whose mean
chroma is below the training filter's threshold are gray already and skipped): convert it to
gray (Pillow's "L", back to RGB), colorize it with the engine (`run_colorize`, full resolution
out) and compare with the original:
- PSNR (RGB, whole image) of the gray image (the baseline), of ours at each --vibrance, and of
  ours with 5 true-colour hints (Zhang et al. 2017: the mean colour of a 3×3 patch at 5 seeded
  random points);
- Hasler–Süsstrunk colourfulness of ours / of the originals (target ≥ 0.8);
- semantic plausibility: how often EfficientNet-Lite0's ImageNet top-1 class on our photo (and
  on the gray one) equals its top-1 class on the original.
Writes a grid gray | ours | ours + 5 hints (dots mark them) | truth to --grid (not committed).

    python bench/colorize_quality.py [--limit N] [--vibrance V ...] [--decoder FILE]
        [--working-size N] [--grid /tmp/retouch-colorize-grid.png]
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

from bench.image_grid import cell, write_grid  # noqa: E402
from editor.engine.colorize import ColorizeRequest, run_colorize  # noqa: E402
from editor.engine.context import JobContext  # noqa: E402
from editor.ml.image_metrics import colourfulness, psnr  # noqa: E402

PHOTOS = ROOT.parent / "shared" / "data" / "eval" / "photos"
MIN_CHROMA = 4.0  # the training set's filter for gray photos stored as RGB


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


def mean_chroma(rgba: np.ndarray) -> float:
    import torch

    from editor.ml.color import mean_chroma as chroma

    rgb = torch.from_numpy(np.ascontiguousarray(rgba[..., :3])).permute(2, 0, 1)[None] / 255.0
    return float(chroma(rgb)[0])


def top1(classifier, rgba: np.ndarray) -> int:
    """EfficientNet-Lite0's ImageNet class for an RGBA photo (224×224 input)."""
    import cv2
    import torch

    rgb = cv2.resize(np.ascontiguousarray(rgba[..., :3]), (224, 224),
                     interpolation=cv2.INTER_AREA)  # fmt: skip
    tensor = torch.from_numpy(rgb).permute(2, 0, 1)[None].float() / 255.0
    with torch.inference_mode():
        return int(classifier(tensor).argmax())


def load_model(args: argparse.Namespace):
    from editor.engine.colorize_model import colorizer_from_files, load_colorizer
    from editor.engine.models import shared_manager

    if args.decoder:
        encoder = shared_manager().ensure("efficientnet-lite0-imagenet")
        model = colorizer_from_files(args.decoder, encoder)
    else:
        model = load_colorizer()
    if args.working_size:
        model = dataclasses.replace(model, working_size=args.working_size)
    return model


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--photos", type=Path, default=PHOTOS)
    parser.add_argument("--limit", type=int, default=0, help="0 = all photos")
    parser.add_argument("--vibrance", type=float, nargs="*", default=[],
                        help="vibrance settings to measure besides the default")  # fmt: skip
    parser.add_argument("--grid", type=Path, default=Path("/tmp/retouch-colorize-grid.png"))
    parser.add_argument("--grid-rows", type=int, default=12)
    parser.add_argument("--decoder", type=Path, help="candidate decoder (default: shipped)")
    parser.add_argument("--working-size", type=int, help="override the model's working size")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    if not args.photos.is_dir():
        print(f"{args.photos} not found (shared research data)", file=sys.stderr)
        return 1
    import torch

    from editor.engine.colorize import DEFAULT_VIBRANCE
    from editor.ml.colorization import vibrance_to_temperature

    torch.set_num_threads(args.threads)
    model = load_model(args)
    classifier = model.module.encoder
    default = DEFAULT_VIBRANCE
    settings = [default] + [v for v in args.vibrance if v != default]
    files = sorted(p for p in args.photos.iterdir() if p.suffix.lower() in (".jpg", ".png"))
    if args.limit:
        files = files[:: max(1, len(files) // args.limit)][: args.limit]
    rng = np.random.default_rng(0)
    grid_every = max(1, len(files) // args.grid_rows)
    scores: dict[str, list[float]] = {"gray": [], "hints5": []}
    colour: dict[str, list[float]] = {"truth": []}
    agree = {"gray": 0, "ours": 0}
    seconds, rows, skipped = [], [], 0
    for index, path in enumerate(files):
        truth = load_rgba(path)
        if mean_chroma(truth) < MIN_CHROMA:
            skipped += 1
            continue
        gray = to_gray(truth)
        hints = five_hints(truth, rng)
        for vibrance in settings:
            started = time.perf_counter()
            ours = run_colorize(ColorizeRequest(gray, vibrance=vibrance), JobContext(),
                                model).pixels  # fmt: skip
            if vibrance == default:
                seconds.append(time.perf_counter() - started)
                default_ours = ours
            scores.setdefault(f"vibrance {vibrance}", []).append(psnr(ours[..., :3],
                                                                      truth[..., :3]))  # fmt: skip
            colour.setdefault(f"vibrance {vibrance}", []).append(colourfulness(ours[..., :3]))
        hinted = run_colorize(ColorizeRequest(gray, hints=hints), JobContext(), model).pixels
        scores["gray"].append(psnr(gray[..., :3], truth[..., :3]))
        scores["hints5"].append(psnr(hinted[..., :3], truth[..., :3]))
        colour["truth"].append(colourfulness(truth[..., :3]))
        label = top1(classifier, truth)
        agree["gray"] += top1(classifier, gray) == label
        agree["ours"] += top1(classifier, default_ours) == label
        if index % grid_every == 0 and len(rows) < args.grid_rows:
            rows.append([cell(gray, 128), cell(default_ours, 128), hinted_cell(hinted, 128, hints),
                         cell(truth, 128)])  # fmt: skip

    counted = len(colour["truth"])
    print(f"{counted} colour photos of {len(files)} ({skipped} gray already, skipped), "
          f"{args.photos}; working size {model.working_size}, default vibrance {default} "
          f"(T={vibrance_to_temperature(default):.2f}, tilt kept {default})")  # fmt: skip
    gray_psnr = statistics.fmean(scores["gray"])
    truth_colour = statistics.fmean(colour["truth"])
    print(f"  PSNR gray baseline        {gray_psnr:6.2f} dB")
    for vibrance in settings:
        key = f"vibrance {vibrance}"
        value = statistics.fmean(scores[key])
        ratio = statistics.fmean(colour[key]) / truth_colour
        mark = " (default)" if vibrance == default else ""
        print(f"  PSNR ours, {key:14s} {value:6.2f} dB ({value - gray_psnr:+.2f} vs gray), "
              f"colourfulness {ratio:.3f}x truth{mark}")  # fmt: skip
    hinted_psnr = statistics.fmean(scores["hints5"])
    gain = hinted_psnr - gray_psnr
    print(f"  PSNR ours + 5 hints       {hinted_psnr:6.2f} dB ({gain:+.2f} vs gray)")
    print(f"  Lite0 top-1 agrees with the original's: ours {agree['ours'] / counted:.3f}, "
          f"gray {agree['gray'] / counted:.3f}")  # fmt: skip
    print(f"  engine time per photo (CPU, {torch.get_num_threads()} threads): "
          f"median {statistics.median(seconds) * 1000:.0f} ms")  # fmt: skip
    big = np.tile(to_gray(load_rgba(files[0])), (14, 14, 1))[:1536, :2048]
    started = time.perf_counter()
    run_colorize(ColorizeRequest(big), JobContext(), model)
    print(f"  engine time for a 2048x1536 (3 MP) image: {(time.perf_counter() - started):.2f} s")
    write_grid(rows, args.grid)
    print(f"grid (gray | ours | ours + 5 hints | truth): {args.grid}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
