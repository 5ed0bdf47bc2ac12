"""Engine end-to-end upscale time vs the bare model forward, same device, same run.

For each model: the bare forward on a SIZE x SIZE tensor already on the device (the floor),
then run_upscale on a SIZE x SIZE RGBA image (uint8 in/out, tiling, alpha, transfers), then
run_upscale on a big image (4K by default on CUDA), compared per pixel with the bare forward.
Peak VRAM is printed on CUDA. On CPU the defaults are smaller (say so in any report):

    python bench/upscale_speed.py [--models a,b] [--size 512] [--big 3840x2160] [--repeat 3]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from editor.engine.context import JobContext  # noqa: E402
from editor.engine.devices import pick_policy, prepare_input  # noqa: E402
from editor.engine.upscale import UpscaleRequest, run_upscale  # noqa: E402
from editor.ml.runtime import ModelRuntime  # noqa: E402


def sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def timed(fn, device: torch.device, repeat: int) -> float:
    """Best of `repeat` wall times in seconds (after the caller's warm-up)."""
    best = float("inf")
    for _ in range(repeat):
        sync(device)
        start = time.perf_counter()
        fn()
        sync(device)
        best = min(best, time.perf_counter() - start)
    return best


def rgba(width: int, height: int) -> np.ndarray:
    rng = np.random.default_rng(0)
    image = rng.integers(0, 256, (height, width, 4), dtype=np.uint8)
    image[..., 3] = 255
    return image


def bench_model(name: str, args: argparse.Namespace, runtime, policy, big_size) -> None:
    cuda = policy.device.type == "cuda"
    big_w, big_h = big_size
    spec, model = runtime.get(name, policy.device, policy.dtype, policy.channels_last)
    size = args.size
    x = prepare_input(torch.rand(1, 3, size, size), policy)
    with torch.inference_mode():
        model(x)  # warm-up (cuDNN autotune, allocator)
        bare = timed(lambda: model(x), policy.device, args.repeat)
    tile_reports: list[str] = []
    ctx = JobContext(report=lambda f, t: tile_reports.append(t))

    def engine_run(image: np.ndarray) -> None:
        run_upscale(UpscaleRequest(image, 4, name, args.tile), ctx, runtime)

    small = rgba(size, size)
    engine_run(small)  # warm-up of the engine path as well
    if cuda:
        torch.cuda.reset_peak_memory_stats()
    engine = timed(lambda: engine_run(small), policy.device, args.repeat)
    print(f"\n{name} ({spec.title}), x{spec.scale}")
    line = f"  {size}x{size}: bare forward {bare:.3f} s, engine {engine:.3f} s"
    line += f", ratio {engine / bare:.2f}x"
    if cuda:
        line += f", peak VRAM {torch.cuda.max_memory_allocated() / 2**30:.2f} GiB"
    print(line)
    large = rgba(big_w, big_h)
    if cuda:
        torch.cuda.reset_peak_memory_stats()
    tile_reports.clear()
    big = timed(lambda: engine_run(large), policy.device, 1)
    tiles = sum(1 for text in tile_reports if text.startswith("Upscaling ("))
    per_px_ratio = (big / (big_w * big_h)) / (bare / (size * size))
    line = (
        f"  {big_w}x{big_h} ({tiles or 1} tiles): engine {big:.2f} s, per pixel {per_px_ratio:.2f}x"
    )
    line += f" the bare {size}x{size} forward"
    if cuda:
        line += f", peak VRAM {torch.cuda.max_memory_allocated() / 2**30:.2f} GiB"
    print(line)
    for notice in ctx.notices:
        print(f"  notice: {notice}")


def main() -> int:
    policy = pick_policy()
    cuda = policy.device.type == "cuda"
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--models",
        default="realesr-animevideov3,realesrgan-x4plus" if cuda else "realesr-animevideov3",
    )
    parser.add_argument("--size", type=int, default=512)
    parser.add_argument("--big", default="3840x2160" if cuda else "1920x1080")
    parser.add_argument("--repeat", type=int, default=3 if cuda else 1)
    parser.add_argument("--tile", type=int, default=None)
    args = parser.parse_args()
    big_w, big_h = (int(v) for v in args.big.lower().split("x"))
    runtime = ModelRuntime()
    print(f"device {policy.device} dtype {policy.dtype} channels_last {policy.channels_last}")
    print(f"torch {torch.__version__}, threads {torch.get_num_threads()}")
    for name in filter(None, args.models.split(",")):
        bench_model(name, args, runtime, policy, (big_w, big_h))
    return 0


if __name__ == "__main__":
    sys.exit(main())
