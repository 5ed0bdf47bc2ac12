"""Sketch → photo quality per subject on held-out photos, and hand-style drawings.

For every photo of a subject in ../shared/data/eval/photos (never in training; the subject
follows the file name, editor.training.train_sketcher.subject_of): a deterministic Canny sketch
(editor.training.edges.canny_sketch, black lines on white) goes through the engine
(`run_sketch`) with that subject's model; L1 (on [0, 1]) and PSNR of the result against the
photo, and of the subject's mean-image baseline (per-pixel mean of those eval photos resized to
the photo's size; it has seen the test photos, so it is a slightly generous baseline). A diagnostic
beside them: our result with each channel shifted to the photo's true mean (what a line
drawing cannot say), i.e. how much of the error is the photo's overall colour. Then the
hand-style drawings of bench/hand_drawings.py (a cat, a dog, a face, a landscape; wobbly pen
lines, with and without colour scribbles) go through their subject's model. Writes a grid —
sketch | ours | truth rows per subject, then drawing | ours | drawing + scribbles | ours — to
--grid (not in the repository).

    python bench/sketch_quality.py [--subject animals|people|landscapes] [--limit N]
        [--models DIR (candidate sketch-<subject>.safetensors)] [--working-size N]
        [--grid /tmp/retouch-sketch-grid.png]
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

from bench.hand_drawings import drawings  # noqa: E402
from bench.image_grid import cell, write_grid  # noqa: E402
from editor.core.pixels import flatten_on  # noqa: E402
from editor.engine.context import JobContext  # noqa: E402
from editor.engine.sketch import SketchRequest, run_sketch  # noqa: E402
from editor.ml.catalog_sketch import SUBJECTS, model_name  # noqa: E402
from editor.ml.image_metrics import psnr  # noqa: E402
from editor.training.edges import canny_sketch  # noqa: E402
from editor.training.train_sketcher import subject_of  # noqa: E402

PHOTOS = ROOT.parent / "shared" / "data" / "eval" / "photos"


def load_rgb(path: Path) -> np.ndarray:
    from PIL import Image

    with Image.open(path) as image:
        return np.asarray(image.convert("RGB")).copy()


def sketch_rgba(sketch: np.ndarray) -> np.ndarray:
    """H×W float (1 = paper) → RGBA black lines on white."""
    gray = (sketch * 255).astype(np.uint8)
    return np.dstack([gray, gray, gray, np.full_like(gray, 255)])


def l1_psnr(ours: np.ndarray, truth: np.ndarray) -> tuple[float, float]:
    """(mean absolute error on the [0, 1] scale, PSNR dB) of two uint8 images."""
    l1 = float(np.abs(ours.astype(np.float32) - truth.astype(np.float32)).mean() / 255.0)
    return l1, psnr(ours, truth)


def true_mean_colour(ours: np.ndarray, truth: np.ndarray) -> np.ndarray:
    """A diagnostic, not a method: `ours` shifted so each channel's mean is the photo's. What
    L1 would be if the sketch told the model the photo's overall colour (which a line drawing
    does not): the part of the error that is that colour."""
    shift = truth.astype(np.float32).mean(axis=(0, 1)) - ours.astype(np.float32).mean(axis=(0, 1))
    return np.clip(ours + shift + 0.5, 0, 255).astype(np.uint8)


def load_model(subject: str, models: Path | None, working_size: int | None):
    from editor.engine.sketch_model import load_sketcher, sketcher_from_files

    if models is None:
        model = load_sketcher(subject)
    else:
        from editor.engine.lite0_decoders import ENCODER
        from editor.engine.models import shared_manager

        encoder = shared_manager().ensure(ENCODER)
        model = sketcher_from_files(models / f"{model_name(subject)}.safetensors", encoder)
    if working_size:
        model = dataclasses.replace(model, working_size=working_size)
    return model


def measure(subject: str, files: list[Path], model, grid_rows: int) -> tuple[dict, list]:
    """Per-subject figures and grid rows."""
    import cv2

    photos = [load_rgb(p) for p in files]
    mean = np.mean([cv2.resize(p, (128, 128), interpolation=cv2.INTER_AREA) for p in photos], 0)
    sums: dict[str, list[tuple[float, float]]] = {"ours": [], "mean image": [], "oracle": []}
    seconds, rows = [], []
    every = max(1, len(photos) // grid_rows)
    for index, truth in enumerate(photos):
        sketch = sketch_rgba(canny_sketch(truth))
        started = time.perf_counter()
        request = SketchRequest(sketch, subject=subject)
        ours = run_sketch(request, JobContext(), model).pixels[..., :3]
        seconds.append(time.perf_counter() - started)
        baseline = cv2.resize(mean, truth.shape[1::-1]).round().astype(np.uint8)
        sums["ours"].append(l1_psnr(ours, truth))
        sums["mean image"].append(l1_psnr(baseline, truth))
        sums["oracle"].append(l1_psnr(true_mean_colour(ours, truth), truth))
        if index % every == 0 and len(rows) < grid_rows:
            rows.append([cell(sketch, 128), cell(ours, 128), cell(truth, 128)])
    figures = {key: (statistics.fmean(v[0] for v in values),
                     statistics.fmean(v[1] for v in values))
               for key, values in sums.items()}  # fmt: skip
    figures["count"] = len(photos)
    figures["ms"] = statistics.median(seconds) * 1000
    return figures, rows


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--photos", type=Path, default=PHOTOS)
    parser.add_argument("--subject", choices=sorted(SUBJECTS), help="default: every subject")
    parser.add_argument("--limit", type=int, default=0, help="photos per subject (0 = all)")
    parser.add_argument("--grid", type=Path, default=Path("/tmp/retouch-sketch-grid.png"))
    parser.add_argument("--grid-rows", type=int, default=4, help="photo rows per subject")
    parser.add_argument("--models", type=Path, help="folder of candidate decoders")
    parser.add_argument("--working-size", type=int, help="override the file's working size")
    args = parser.parse_args()
    if not args.photos.is_dir():
        print(f"{args.photos} not found (shared research data)", file=sys.stderr)
        return 1
    import torch

    torch.set_num_threads(2)
    subjects = [args.subject] if args.subject else list(SUBJECTS)
    files = sorted(p for p in args.photos.iterdir() if p.suffix.lower() in (".jpg", ".png"))
    rows, models = [], {}
    print(f"Canny sketches of held-out photos ({args.photos}); L1 on [0, 1], lower is better")
    for subject in subjects:
        models[subject] = model = load_model(subject, args.models, args.working_size)
        mine = [p for p in files if subject_of(p.name) == subject]
        if args.limit:
            mine = mine[:: max(1, len(mine) // args.limit)][: args.limit]
        figures, subject_rows = measure(subject, mine, model, args.grid_rows)
        rows += subject_rows
        ours, mean, oracle = figures["ours"], figures["mean image"], figures["oracle"]
        print(f"{subject:10s} {figures['count']:3d} photos, working size {model.working_size}: "
              f"ours L1 {ours[0]:.4f} PSNR {ours[1]:.2f} dB | mean image L1 {mean[0]:.4f} "
              f"PSNR {mean[1]:.2f} dB | ratio {ours[0] / mean[0]:.3f} (target ≤ 0.8) | "
              f"{figures['ms']:.0f} ms/photo | with the photo's true mean colour (diagnostic): "
              f"L1 {oracle[0]:.4f}, ratio {oracle[0] / mean[0]:.3f}")  # fmt: skip
    for _name, subject, lines, scribbled in drawings():
        if subject not in models:
            continue
        plain = run_sketch(SketchRequest(lines, subject=subject), JobContext(), models[subject])
        steered = run_sketch(SketchRequest(scribbled, subject=subject), JobContext(),
                             models[subject])  # fmt: skip
        rows.append([cell(flatten_on(lines), 160), cell(plain.pixels, 160),
                     cell(flatten_on(scribbled), 160), cell(steered.pixels, 160)])  # fmt: skip
    big = np.tile(drawings()[3][2], (4, 4, 1))
    started = time.perf_counter()
    run_sketch(SketchRequest(big, subject=subjects[-1]), JobContext(), models[subjects[-1]])
    print(f"engine time for a 1024x1024 drawing: {time.perf_counter() - started:.2f} s "
          f"({torch.get_num_threads()} threads)")  # fmt: skip
    write_grid(rows, args.grid)
    print(f"grid (sketch | ours | truth per subject; then drawing | ours | + scribbles | ours): "
          f"{args.grid}")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
