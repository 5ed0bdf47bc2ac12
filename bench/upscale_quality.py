"""x4 PSNR-Y / SSIM-Y of bicubic and each upscale model on Set5 / Set14 / B100.

Conventions of the SR literature: Y from BT.601 (MATLAB rgb2ycbcr: 16 + 65.481R + 128.553G +
24.966B on [0,1] RGB), `border` pixels shaved on every side (4 for x4), SSIM with an 11x11
Gaussian window (sigma 1.5), HR images mod-cropped to the scale. Models run through the engine
(run_upscale: tiling, device choice), i.e. what users get.

    python bench/upscale_quality.py [--data ../shared/data/eval/sr] [--models a,b]
        [--datasets Set5,Set14,B100] [--model-datasets realesrgan-x4plus=Set5]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from editor.engine.context import JobContext  # noqa: E402
from editor.engine.upscale import UpscaleRequest, run_upscale  # noqa: E402

SCALE = 4


def rgb_to_y(rgb: np.ndarray) -> np.ndarray:
    """HxWx3 uint8 RGB -> HxW float64 Y in [16, 235] (BT.601, MATLAB rgb2ycbcr)."""
    x = rgb.astype(np.float64) / 255.0
    return 16.0 + 65.481 * x[..., 0] + 128.553 * x[..., 1] + 24.966 * x[..., 2]


def psnr(a: np.ndarray, b: np.ndarray) -> float:
    mse = np.mean((a - b) ** 2)
    return float("inf") if mse == 0 else 10.0 * np.log10(255.0**2 / mse)


def ssim(a: np.ndarray, b: np.ndarray) -> float:
    """SSIM of two float64 planes in [0, 255] (Wang et al. 2004, Gaussian 11x11, sigma 1.5)."""
    c1, c2 = (0.01 * 255) ** 2, (0.03 * 255) ** 2
    window = cv2.getGaussianKernel(11, 1.5)
    window = window @ window.T

    def filt(x: np.ndarray) -> np.ndarray:
        return cv2.filter2D(x, -1, window)[5:-5, 5:-5]  # "valid" part only

    mu_a, mu_b = filt(a), filt(b)
    var_a = filt(a * a) - mu_a**2
    var_b = filt(b * b) - mu_b**2
    cov = filt(a * b) - mu_a * mu_b
    num = (2 * mu_a * mu_b + c1) * (2 * cov + c2)
    den = (mu_a**2 + mu_b**2 + c1) * (var_a + var_b + c2)
    return float(np.mean(num / den))


def load_rgb(path: Path) -> np.ndarray:
    with Image.open(path) as image:
        return np.asarray(image.convert("RGB")).copy()


def pairs(data: Path, dataset: str) -> list[tuple[str, Path, Path]] | None:
    """(name, HR path, LR x4 path) for a dataset, or None when it is absent."""
    folder = data / dataset
    if (folder / "HR").is_dir() and (folder / "LR_bicubic" / "X4").is_dir():
        out = []
        for hr in sorted((folder / "HR").glob("*.png")):
            lr = folder / "LR_bicubic" / "X4" / f"{hr.stem}x4.png"
            if lr.is_file():
                out.append((hr.stem, hr, lr))
        return out
    if (folder / "x4").is_dir():
        out = []
        for hr in sorted((folder / "x4").glob("*_HR.png")):
            lr = hr.with_name(hr.name.replace("_HR.png", "_LR.png"))
            if lr.is_file():
                out.append((hr.stem.replace("_SRF_4_HR", ""), hr, lr))
        return out
    return None


def score(sr: np.ndarray, hr: np.ndarray, border: int) -> tuple[float, float]:
    h, w = sr.shape[:2]
    hr = hr[:h, :w]
    ys, yh = rgb_to_y(sr), rgb_to_y(hr)
    if border:
        ys, yh = ys[border:-border, border:-border], yh[border:-border, border:-border]
    return psnr(ys, yh), ssim(ys, yh)


def bicubic(lr: np.ndarray) -> np.ndarray:
    h, w = lr.shape[:2]
    return np.asarray(Image.fromarray(lr).resize((w * SCALE, h * SCALE), Image.BICUBIC))


def model_upscale(name: str):
    def run(lr: np.ndarray) -> np.ndarray:
        rgba = np.dstack([lr, np.full(lr.shape[:2], 255, np.uint8)])
        return run_upscale(UpscaleRequest(rgba, SCALE, name), JobContext())[..., :3]

    return run


def candidate_upscale(path: Path):
    """A trained Photo (fast) file not yet in the catalog (python -m editor.training upscale),
    run whole on the CPU in fp32: the figures its shipping would be judged by."""
    import torch
    from safetensors.torch import load_file

    from editor.ml.archs.srvgg import SRVGGNetCompact
    from editor.ml.safetensors_meta import read_safetensors_metadata

    meta = read_safetensors_metadata(path)
    model = SRVGGNetCompact(num_feat=int(meta["num_feat"]), num_conv=int(meta["num_conv"]),
                            upscale=int(meta["scale"]))  # fmt: skip
    model.load_state_dict({k: v.float() for k, v in load_file(str(path)).items()})
    model.eval()

    def run(lr: np.ndarray) -> np.ndarray:
        with torch.inference_mode():
            x = torch.from_numpy(lr).permute(2, 0, 1)[None].float().div(255.0)
            out = model(x)[0].clamp(0, 1).mul(255).round().byte()
        return out.permute(1, 2, 0).numpy()

    return run


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    default_data = ROOT.parent / "shared" / "data" / "eval" / "sr"
    parser.add_argument("--data", type=Path, default=default_data)
    parser.add_argument("--datasets", default="Set5,Set14,B100")
    parser.add_argument("--models", default="realesr-animevideov3,realesrgan-x4plus")
    parser.add_argument(
        "--model-datasets",
        default="",
        help="restrict a model to datasets, e.g. realesrgan-x4plus=Set5 (slow on CPU)",
    )
    parser.add_argument("--border", type=int, default=SCALE)
    parser.add_argument("--weights", type=Path, action="append", default=[],
                        help="a trained upscale.safetensors to measure too (repeatable)")
    args = parser.parse_args()

    restrict = {}
    for item in filter(None, args.model_datasets.split(",")):
        model, _, sets = item.partition("=")
        restrict[model] = set(sets.split("+"))
    methods = [("bicubic", bicubic)] + [
        (name, model_upscale(name)) for name in filter(None, args.models.split(","))
    ] + [(f"file {path.name}", candidate_upscale(path)) for path in args.weights]
    from editor.engine.devices import pick_policy

    print(f"x{SCALE} PSNR-Y / SSIM-Y, border {args.border}, device {pick_policy().device}")
    print(f"data: {args.data}")
    print(f"{'dataset':8} {'method':24} {'images':>6} {'PSNR-Y':>8} {'SSIM':>7} {'time s':>8}")
    for dataset in args.datasets.split(","):
        items = pairs(args.data, dataset)
        if items is None:
            print(f"{dataset:8} absent (no {args.data / dataset}); skipped")
            continue
        for name, method in methods:
            if name in restrict and dataset not in restrict[name]:
                print(f"{dataset:8} {name:24} skipped (--model-datasets)")
                continue
            scores, start = [], time.perf_counter()
            for _stem, hr_path, lr_path in items:
                sr = method(load_rgb(lr_path))
                scores.append(score(sr, load_rgb(hr_path), args.border))
            elapsed = time.perf_counter() - start
            p, s = np.mean(scores, axis=0)
            print(f"{dataset:8} {name:24} {len(items):6d} {p:8.2f} {s:7.4f} {elapsed:8.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
