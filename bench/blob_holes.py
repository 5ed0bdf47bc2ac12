"""Erase on object-sized holes with ground truth: what a user's brush over a whole object leaves.

bench/inpaint_quality.py measures the NVIDIA irregular masks on 160-px photos, where every crop
is within the network's working size. Here the holes are one solid blob each (a seeded random
polygon over 8–20 % of the photo, somewhere in its middle) on the held-out CBSD68 photos
enlarged ×2 (962×642, bicubic): crops of 400–700 px, so the default Erase takes its
big-hole path (network at 256 px, PatchMatch on the shrunk crop, then the lift to full
resolution: editor/engine/big_hole.py). Every method runs through
the engine's `run_inpaint` (crop, fill, feathered paste), as Backspace does. Per method: hole
PSNR, the deep-feature distance and GMSD over the hole's box (editor/ml/perceptual.py), and the
median seconds per photo. The truth under a blob is often the photo's subject, which no fill can
know: these figures say how close a fill comes, not how plausible it looks (the object-removal
strips do that). Writes a grid (masked | each method | truth) to --grid.

    python bench/blob_holes.py [--limit 68] [--methods model,telea,shiftmap] [--scale 2]
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.inpaint_quality import feature_net, masked_view, rgba, write_grid  # noqa: E402
from bench.object_removal import erase  # noqa: E402
from editor.engine.inpaint import ERASE_METHODS  # noqa: E402
from editor.ml.perceptual import deep_distance, gmsd, hole_box  # noqa: E402
from editor.training.evaluate import hole_errors  # noqa: E402

PHOTOS = ROOT.parent / "shared" / "data" / "eval" / "denoise" / "CBSD68"


def blob_mask(height: int, width: int, rng: np.random.Generator) -> np.ndarray:
    """HxW uint8, 255 over one random polygon: 7–11 vertices around a centre in the photo's
    middle, 8–20 % of its area, stretched 0.4–2.5× (a person, a pole, a car)."""
    import cv2

    area = rng.uniform(0.08, 0.20) * height * width
    centre_y, centre_x = rng.uniform(0.3, 0.7) * height, rng.uniform(0.3, 0.7) * width
    corners = int(rng.integers(7, 12))
    angles = np.sort(rng.uniform(0, 2 * np.pi, corners))
    stretch = np.sqrt(rng.uniform(0.4, 2.5))
    radii = np.sqrt(area / np.pi) * rng.uniform(0.7, 1.3, corners)
    points = np.stack([centre_x + radii * np.cos(angles) * stretch,
                       centre_y + radii * np.sin(angles) / stretch], axis=1)  # fmt: skip
    mask = np.zeros((height, width), np.uint8)
    cv2.fillPoly(mask, [points.astype(np.int32)], 255)
    return mask


def main() -> int:
    import cv2
    import torch

    parser = argparse.ArgumentParser()
    parser.add_argument("--photos", type=Path, default=PHOTOS)
    parser.add_argument("--limit", type=int, default=68)
    parser.add_argument("--methods", default="model,telea,shiftmap")
    parser.add_argument("--scale", type=int, default=2, help="enlarge the photos first")
    parser.add_argument("--grid", type=Path, default=Path("/tmp/retouch-blob-holes.png"))
    args = parser.parse_args()
    methods = [m for m in args.methods.split(",") if m]
    unknown = sorted(set(methods) - set(ERASE_METHODS))
    if unknown:
        parser.error(f"unknown methods {unknown}; choose from {', '.join(ERASE_METHODS)}")
    files = sorted(args.photos.glob("*.png"))[: args.limit]
    if not files:
        print(f"skipped: no photos under {args.photos} (shared research data)")
        return 0
    torch.set_num_threads(2)
    net = feature_net()
    measures: dict[str, dict[str, list[float]]] = {
        method: {"psnr": [], "deep": [], "gmsd": [], "s": []} for method in methods
    }
    rows = []
    for index, file in enumerate(files):
        rgb = cv2.cvtColor(cv2.imread(str(file)), cv2.COLOR_BGR2RGB)
        height, width = rgb.shape[0] * args.scale, rgb.shape[1] * args.scale
        rgb = cv2.resize(rgb, (width, height), interpolation=cv2.INTER_CUBIC)
        mask = blob_mask(height, width, np.random.default_rng(index))
        box = hole_box(mask)
        row = [masked_view(rgb, mask)]
        for method in methods:
            out, seconds = erase(rgba(rgb), mask, method)
            psnr, _ = hole_errors(out, rgb, mask)
            figures = measures[method]
            figures["psnr"].append(psnr)
            figures["deep"].append(deep_distance(net, rgb, out, box))
            figures["gmsd"].append(gmsd(rgb, out, box))
            figures["s"].append(seconds)
            row.append(out)
        if index % max(1, len(files) // 6) == 0:
            rows.append([*row, rgb])
    print(f"{len(files)} photos from {args.photos} ×{args.scale}, one blob hole each (8–20 %);"
          f" hole PSNR dB / deep distance / GMSD over the hole's box (lower is better for the"
          f" last two) / median s per photo")  # fmt: skip
    for method in methods:
        figures = measures[method]
        print(f"{method:10s} {statistics.fmean(figures['psnr']):6.2f}"
              f" {statistics.fmean(figures['deep']):7.4f} {statistics.fmean(figures['gmsd']):7.4f}"
              f" {statistics.median(figures['s']):6.2f} s")  # fmt: skip
    first = methods[0]
    for other in methods[1:]:
        closer = sum(a < b for a, b in zip(measures[first]["deep"], measures[other]["deep"],
                                           strict=True))  # fmt: skip
        print(f"{first} has the lower deep distance than {other} on {closer}/{len(files)} photos")
    write_grid(rows, args.grid, 200)
    print(f"grid (masked | {' | '.join(methods)} | truth): {args.grid}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
