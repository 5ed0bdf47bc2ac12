"""Sketch → photo quality on edges of held-out photos, pen-style sketches, engine time.

For every photo in ../shared/data/eval/photos (never in training): a deterministic Canny
sketch (editor.training.edges.canny_sketch, black lines on white) goes through the engine
(`run_sketch`); L1 (on [0, 1]) and PSNR of the result against the photo, and of the
mean-image baseline (per-pixel mean of the eval photos resized to the photo's size; it has
seen the test photos, so it is a slightly generous baseline). Also renders a few sketches
drawn like the editor's pen (3-px black strokes on transparency) and writes a grid
sketch | ours | truth (pen rows: sketch | ours) to --grid (not in the repository).

    python bench/sketch_quality.py [--limit N] [--grid /tmp/retouch-sketch-grid.png]
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
from editor.engine.context import JobContext  # noqa: E402
from editor.engine.pix2pix_model import generator_from_file, load_generator  # noqa: E402
from editor.engine.sketch import SketchRequest, run_sketch  # noqa: E402
from editor.training.edges import canny_sketch  # noqa: E402
from editor.training.train_sketch import l1_psnr  # noqa: E402

PHOTOS = ROOT.parent / "shared" / "data" / "eval" / "photos"


def load_rgb(path: Path) -> np.ndarray:
    from PIL import Image

    with Image.open(path) as image:
        return np.asarray(image.convert("RGB")).copy()


def sketch_rgba(sketch: np.ndarray) -> np.ndarray:
    """H×W float (1 = paper) → RGBA black lines on white."""
    gray = (sketch * 255).astype(np.uint8)
    return np.dstack([gray, gray, gray, np.full_like(gray, 255)])


def pen_sketches(size: int = 256) -> list[np.ndarray]:
    """A few drawings made the way the sketch pen leaves them: black 3-px strokes, transparent."""
    import cv2

    black = (0, 0, 0, 255)
    drawings = []
    house = np.zeros((size, size, 4), np.uint8)  # a house under a sun, on a hill line
    cv2.rectangle(house, (70, 120), (180, 220), black, 3)
    cv2.polylines(house, [np.array([(60, 122), (125, 60), (190, 122)])], False, black, 3)
    cv2.rectangle(house, (110, 170), (140, 220), black, 3)
    cv2.circle(house, (215, 45), 22, black, 3)
    cv2.line(house, (0, 222), (255, 215), black, 3)
    drawings.append(house)
    hills = np.zeros((size, size, 4), np.uint8)  # mountains, a lake shore, a tree
    cv2.polylines(hills, [np.array([(0, 150), (60, 70), (110, 130), (170, 50), (255, 140)])],
                  False, black, 3)  # fmt: skip
    cv2.line(hills, (0, 190), (255, 180), black, 3)
    cv2.line(hills, (200, 250), (200, 200), black, 3)
    cv2.circle(hills, (200, 180), 22, black, 3)
    drawings.append(hills)
    face = np.zeros((size, size, 4), np.uint8)  # a face
    cv2.ellipse(face, (128, 128), (70, 90), 0, 0, 360, black, 3)
    for x in (100, 156):
        cv2.circle(face, (x, 110), 9, black, 3)
    cv2.ellipse(face, (128, 165), (30, 14), 0, 10, 170, black, 3)
    cv2.line(face, (128, 120), (120, 145), black, 3)
    drawings.append(face)
    return drawings


def on_white(rgba: np.ndarray) -> np.ndarray:
    from editor.core.pixels import flatten_on

    return flatten_on(rgba)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--photos", type=Path, default=PHOTOS)
    parser.add_argument("--limit", type=int, default=0, help="0 = all photos")
    parser.add_argument("--grid", type=Path, default=Path("/tmp/retouch-sketch-grid.png"))
    parser.add_argument("--grid-rows", type=int, default=10)
    parser.add_argument("--model", type=Path, help="candidate weights (default: shipped)")
    parser.add_argument("--working-size", type=int, help="override the file's working size")
    args = parser.parse_args()
    if not args.photos.is_dir():
        print(f"{args.photos} not found (shared research data)", file=sys.stderr)
        return 1
    import cv2
    import torch

    torch.set_num_threads(1)  # the machine is shared; one thread gives steady timings
    name = "sketch2photo"
    model = generator_from_file(name, args.model) if args.model else load_generator(name)
    if args.working_size:
        model = dataclasses.replace(model, working_size=args.working_size)
    files = sorted(p for p in args.photos.iterdir() if p.suffix.lower() in (".jpg", ".png"))
    if args.limit:
        files = files[:: max(1, len(files) // args.limit)][: args.limit]
    photos = [load_rgb(p) for p in files]
    mean = np.mean([cv2.resize(p, (128, 128), interpolation=cv2.INTER_AREA) for p in photos], 0)
    grid_every = max(1, len(photos) // args.grid_rows)
    sums = {"ours": [], "mean image": []}
    seconds, rows = [], []
    for index, truth in enumerate(photos):
        sketch = sketch_rgba(canny_sketch(truth))
        started = time.perf_counter()
        ours = run_sketch(SketchRequest(sketch), JobContext(), model).pixels[..., :3]
        seconds.append(time.perf_counter() - started)
        baseline = cv2.resize(mean, truth.shape[1::-1]).round().astype(np.uint8)
        sums["ours"].append(l1_psnr(ours, truth))
        sums["mean image"].append(l1_psnr(baseline, truth))
        if index % grid_every == 0 and len(rows) < args.grid_rows:
            rows.append([cell(sketch, 128), cell(ours, 128), cell(truth, 128)])
    for drawing in pen_sketches():
        ours = run_sketch(SketchRequest(drawing), JobContext(), model).pixels
        rows.append([cell(on_white(drawing), 128), cell(ours, 128)])

    print(f"{len(photos)} held-out photos ({args.photos}), Canny sketches, "
          f"model working size {model.working_size}")  # fmt: skip
    for key, values in sums.items():
        l1 = statistics.fmean(v[0] for v in values)
        db = statistics.fmean(v[1] for v in values)
        print(f"  {key:10s} L1 {l1:.4f}  PSNR {db:.2f} dB")
    print(f"  engine time per photo (CPU, {torch.get_num_threads()} threads): "
          f"median {statistics.median(seconds) * 1000:.0f} ms")  # fmt: skip
    big = np.tile(sketch_rgba(canny_sketch(photos[0])), (7, 7, 1))[:1024, :1024]
    started = time.perf_counter()
    run_sketch(SketchRequest(big), JobContext(), model)
    print(f"  engine time for a 1024x1024 sketch: {time.perf_counter() - started:.2f} s")
    write_grid(rows, args.grid)
    print(f"grid (sketch | ours | truth; last rows: pen sketches | ours): {args.grid}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
