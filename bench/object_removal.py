"""Real object removal at full resolution: whole objects (boats, towers, poles, a cable, a
necklace) erased by the trained model and by a classical fill, side by side for the eye.

Photos: the content images in ../shared/data/eval/style/content (skipped when absent), each
with a hand-drawn mask over one whole object (polygons or thick lines in the photo's own
pixels, below), grown by a few pixels as a user's brush would be. `--scale N` enlarges photo
and mask first (bicubic; a stand-in for bigger photos, softer than a real one). Both methods run
through the engine's Erase (`run_inpaint`: crop around the mask, fill, feathered paste), i.e.
exactly what Backspace gives. Writes one strip per photo, input (mask outlined) | model |
classical, at 100 % (NAME.png, and NAME_zoom.png around the object), and all strips stacked in
grid.png, under --out (not in the repository).

    python bench/object_removal.py --out /tmp/removal [--classical shiftmap] [--scale 1]
        [--only sailboat,chicago_tower]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from editor.engine.context import JobContext  # noqa: E402
from editor.engine.inpaint import (  # noqa: E402
    CLASSICAL_METHODS,
    default_erase_method,
    run_inpaint,
)
from editor.engine.requests import InpaintRequest  # noqa: E402

CONTENT = ROOT.parent / "shared" / "data" / "eval" / "style" / "content"
GROW_PX = 4  # the brush covers a little more than the object
# case -> (file, shapes); a shape is ("poly", [(x, y), ...]) or ("line", [(x, y), ...], width).
CASES: dict[str, tuple[str, list[tuple]]] = {
    "sailboat": ("sailboat.jpg", [("poly", [
        (25, 300), (30, 265), (55, 240), (108, 228), (112, 212), (148, 58), (200, 42),
        (262, 60), (318, 22), (338, 105), (362, 140), (498, 225), (440, 268), (400, 292),
        (340, 302), (150, 314), (38, 314)])]),
    "chicago_tower": ("chicago.jpg", [("poly", [
        (310, 38), (337, 38), (337, 95), (352, 140), (363, 150), (363, 318), (294, 318),
        (294, 210), (303, 150), (307, 95)])]),
    "chicago_red_building": ("chicago.jpg", [("poly", [
        (560, 206), (640, 206), (640, 342), (560, 342)])]),
    "cornell_tower": ("cornell.jpg", [("poly", [
        (298, 78), (334, 0), (374, 78), (374, 270), (298, 270)])]),
    "golden_gate_tower": ("golden_gate.jpg", [("poly", [
        (28, 14), (124, 14), (126, 512), (28, 512)])]),
    "golden_gate_cable": ("golden_gate.jpg", [("line", [
        (104, 28), (160, 95), (230, 160), (300, 215), (360, 258), (420, 292)], 6)]),
    "newyork_spire": ("newyork.jpg", [("poly", [
        (525, 168), (533, 168), (541, 238), (542, 302), (515, 302), (517, 238)])]),
    "flowers_arch": ("flowers.jpg", [("poly", [
        (297, 112), (318, 97), (350, 99), (364, 124), (364, 203), (297, 203)])]),
    "blonde_girl_necklace": ("blonde_girl.jpg", [("poly", [
        (214, 484), (300, 498), (318, 530), (312, 607), (268, 612), (238, 582), (218, 550),
        (210, 510)])]),
    "modern_beam": ("modern.jpg", [("line", [(34, 172), (66, 270), (100, 382)], 16)]),
}  # fmt: skip


def load_rgba(path: Path) -> np.ndarray:
    import cv2

    rgb = cv2.cvtColor(cv2.imread(str(path), cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB)
    return np.dstack([rgb, np.full(rgb.shape[:2], 255, np.uint8)])


def draw_mask(shapes: list[tuple], height: int, width: int) -> np.ndarray:
    """HxW uint8, 255 over the object, grown by GROW_PX."""
    import cv2

    mask = np.zeros((height, width), np.uint8)
    for shape in shapes:
        points = np.asarray(shape[1], np.int32).reshape(-1, 1, 2)
        if shape[0] == "poly":
            cv2.fillPoly(mask, [points], 255)
        else:
            cv2.polylines(mask, [points], False, 255, thickness=shape[2])
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * GROW_PX + 1, 2 * GROW_PX + 1))
    return cv2.dilate(mask, kernel)


def outlined(rgba: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """The input with the mask's outline in yellow (the object stays visible)."""
    import cv2

    rgb = np.ascontiguousarray(rgba[..., :3])
    contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    cv2.drawContours(rgb, contours, -1, (255, 230, 0), 2)
    return rgb


def erase(image: np.ndarray, mask: np.ndarray, method: str) -> tuple[np.ndarray, float]:
    """The image after Erase with `method` (engine path), and the seconds it took."""
    start = time.perf_counter()
    result = run_inpaint(InpaintRequest(image=image, mask=mask, method=method), JobContext())
    seconds = time.perf_counter() - start
    out = image.copy()
    out[result.rect.slices()] = result.pixels
    return out[..., :3], seconds


def zoom_box(mask: np.ndarray, margin: int = 48) -> tuple[int, int, int, int]:
    """(y0, y1, x0, x1): the mask's bounding box and `margin` around it, inside the image."""
    ys, xs = np.nonzero(mask)
    height, width = mask.shape
    return (max(0, int(ys.min()) - margin), min(height, int(ys.max()) + 1 + margin),
            max(0, int(xs.min()) - margin), min(width, int(xs.max()) + 1 + margin))  # fmt: skip


def strip(tiles: list[np.ndarray], labels: list[str]) -> np.ndarray:
    import cv2

    out = []
    for tile, label in zip(tiles, labels, strict=True):
        tile = np.pad(tile, ((24, 4), (4, 4), (0, 0)), constant_values=255)
        cv2.putText(tile, label, (6, 18), cv2.FONT_HERSHEY_SIMPLEX, 0.55, (0, 0, 0), 1)
        out.append(tile)
    return np.hstack(out)


def main() -> int:
    import cv2

    default_classical = default_erase_method()
    if default_classical not in CLASSICAL_METHODS:
        default_classical = "shiftmap"
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True, help="folder for the strips and grid")
    parser.add_argument("--content", type=Path, default=CONTENT)
    parser.add_argument("--classical", default=default_classical, choices=CLASSICAL_METHODS)
    parser.add_argument("--scale", type=int, default=1, help="enlarge photo and mask first")
    parser.add_argument("--only", default="", help="comma-separated case names")
    args = parser.parse_args()
    if not args.content.is_dir():
        print(f"skipped: no content images under {args.content}")
        return 0
    cases = {k: v for k, v in CASES.items() if not args.only or k in args.only.split(",")}
    args.out.mkdir(parents=True, exist_ok=True)
    strips = []
    print(f"{'case':22s} {'size':>10s} {'hole %':>6s} {'model s':>8s} {args.classical + ' s':>12s}")
    for name, (file, shapes) in cases.items():
        path = args.content / file
        if not path.is_file():
            print(f"{name:22s} skipped: {file} not found")
            continue
        image = load_rgba(path)
        mask = draw_mask(shapes, *image.shape[:2])
        if args.scale > 1:
            height, width = image.shape[:2]
            size = (width * args.scale, height * args.scale)
            image = cv2.resize(image, size, interpolation=cv2.INTER_CUBIC)
            mask = cv2.resize(mask, size, interpolation=cv2.INTER_NEAREST)
        model, model_s = erase(image, mask, "model")
        classical, classical_s = erase(image, mask, args.classical)
        height, width = image.shape[:2]
        print(f"{name:22s} {f'{width}x{height}':>10s} {100 * (mask > 0).mean():6.1f}"
              f" {model_s:8.2f} {classical_s:12.2f}")  # fmt: skip
        tiles = [outlined(image, mask), model, classical]
        labels = ["input", "model", args.classical]
        row = strip(tiles, [f"{name}: {labels[0]}", *labels[1:]])
        cv2.imwrite(str(args.out / f"{name}.png"), cv2.cvtColor(row, cv2.COLOR_RGB2BGR))
        strips.append(row)
        y0, y1, x0, x1 = zoom_box(mask)
        zoom = strip([t[y0:y1, x0:x1] for t in tiles], labels)
        cv2.imwrite(str(args.out / f"{name}_zoom.png"), cv2.cvtColor(zoom, cv2.COLOR_RGB2BGR))
    if strips:
        width = max(s.shape[1] for s in strips)
        grid = np.vstack([np.pad(s, ((0, 0), (0, width - s.shape[1]), (0, 0)),
                                 constant_values=255) for s in strips])  # fmt: skip
        cv2.imwrite(str(args.out / "grid.png"), cv2.cvtColor(grid, cv2.COLOR_RGB2BGR))
        print(f"strips (input | model | {args.classical}) and grid.png in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
