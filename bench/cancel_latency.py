"""Cancel latency per operation: from the moment Cancel is pressed to the job giving up.

python bench/cancel_latency.py [--trials 5] [--ops upscale-x4plus,denoise,...] [--seed 0]

Each trial runs the operation's run function on a worker thread with a JobContext (as the
engine does), presses Cancel after a random delay, and times how long the job takes to stop
(JobCancelled raised, or the result returned when it finished first). Prints the median and
the worst per operation; the target is a median under 200 ms and a worst under 500 ms.

Upscalers use random weights with the real architectures (their cost is what matters);
denoise, Erase and Sketch to Photo use the shipped models/ weights, Colorize those and the
EfficientNet-Lite0 encoder in the user cache, style transfer that encoder's ImageNet weights;
each is skipped without them. Erase (fast) and Smart select (GrabCut) need no weights.
A job that finishes before Cancel counts as 0 ms (nothing left to stop).
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from editor.engine.context import JobCancelled, JobContext

Job = Callable[[JobContext], object]


def _photo(width: int, height: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float32)
    rgb = np.stack([xs / width, ys / height, (xs + ys) / (width + height)], axis=2) * 255
    rgb += rng.normal(0, 12, rgb.shape)
    out = np.full((height, width, 4), 255, np.uint8)
    out[..., :3] = np.clip(rgb, 0, 255)
    return out


def _upscale_job(spec_name: str, folder: Path, image: np.ndarray) -> Job:
    """run_upscale with a random-weight copy of a registered upscaler (sha256-pinned)."""
    from editor.engine.upscale import UpscaleRequest, run_upscale
    from editor.ml.catalog import REALESR_ANIMEVIDEOV3, REALESRGAN_X4PLUS
    from editor.ml.hashing import sha256_file
    from editor.ml.loading import ModelCache
    from editor.ml.manager import ModelManager, save_weights
    from editor.ml.registry import Registry
    from editor.ml.runtime import ModelRuntime

    spec = {"x4plus": REALESRGAN_X4PLUS, "compact": REALESR_ANIMEVIDEOV3}[spec_name]
    path = save_weights(spec.build().state_dict(), folder / spec.weight_file, {})
    pinned = dataclasses.replace(spec, sha256=sha256_file(path), sources=())
    runtime = ModelRuntime(ModelManager(Registry([pinned]), project_dir=folder), ModelCache())
    request = UpscaleRequest(image=image, scale=4, model=spec.name)
    return lambda ctx: run_upscale(request, ctx, runtime)


def _jobs(names: list[str], megapixels: float, seed: int, folder: Path) -> dict[str, Job]:
    from editor.core.geometry import Rect
    from editor.engine.colorize import ColorizeRequest, run_colorize
    from editor.engine.denoise import DenoiseRequest, run_denoise
    from editor.engine.inpaint import run_inpaint
    from editor.engine.requests import InpaintRequest
    from editor.engine.select import SmartSelectRequest, run_smart_select
    from editor.engine.sketch import SketchRequest, run_sketch
    from editor.engine.stylize import StylizeRequest, run_stylize

    side = int((megapixels * 1e6 / 1.5) ** 0.5)
    large = _photo(int(side * 1.5), side, seed)
    small = _photo(600, 400, seed)  # the upscale case
    mask = np.zeros(large.shape[:2], np.uint8)
    mask[side // 3 : side // 2, side // 2 : side] = 255
    gray = large.copy()
    gray[..., :3] = large[..., :3].mean(axis=2, keepdims=True).astype(np.uint8)
    box = Rect(side // 4, side // 4, side, side // 2)  # an object in the middle
    style = _photo(512, 384, seed + 1)
    makers: dict[str, Callable[[], Job]] = {
        "upscale-x4plus": lambda: _upscale_job("x4plus", folder, small),
        "upscale-compact": lambda: _upscale_job("compact", folder, small),
        "denoise": lambda: lambda ctx: run_denoise(DenoiseRequest(large, 25.0), ctx),
        "erase-model": lambda: (
            lambda ctx: run_inpaint(InpaintRequest(image=large, mask=mask, method="model"), ctx)
        ),
        "sketch": lambda: lambda ctx: run_sketch(SketchRequest(large), ctx),
        "erase-fast": lambda: (
            lambda ctx: run_inpaint(InpaintRequest(image=large, mask=mask, method="telea"), ctx)
        ),
        "erase": lambda: (
            lambda ctx: run_inpaint(InpaintRequest(image=large, mask=mask, method="ns"), ctx)
        ),
        "colorize": lambda: lambda ctx: run_colorize(ColorizeRequest(gray), ctx),
        "colorize-hints": lambda: (
            lambda ctx: run_colorize(ColorizeRequest(gray, hints=_hints(gray, 8, seed)), ctx)
        ),
        "smart-select": lambda: lambda ctx: run_smart_select(SmartSelectRequest(large, box), ctx),
        # At the photo's own size up to the CPU cap (1024 px): the longest evaluations.
        "stylize": lambda: lambda ctx: run_stylize(StylizeRequest(large, style), ctx),
    }
    return {name: makers[name]() for name in names}


def _hints(image: np.ndarray, count: int, seed: int) -> tuple:
    """`count` colour hints at random points (their cost is what matters)."""
    rng = np.random.default_rng(seed)
    height, width = image.shape[:2]
    points = []
    for _ in range(count):
        rgb = tuple(int(c) for c in rng.integers(0, 256, 3))
        points.append((int(rng.integers(width)), int(rng.integers(height)), rgb))
    return tuple(points)


def cancel_latency(job: Job, delay: float) -> tuple[float, str]:
    """Seconds from Cancel to the job stopping, and how it stopped."""
    pressed = threading.Event()
    ended: list[tuple[float, str]] = []

    def work() -> None:
        ctx = JobContext(is_cancelled=pressed.is_set)
        try:
            job(ctx)
            how = "finished"
        except JobCancelled:
            how = "cancelled"
        except Exception as error:  # noqa: BLE001 - reported, the bench goes on
            how = f"failed: {error}"
        ended.append((time.perf_counter(), how))

    thread = threading.Thread(target=work, daemon=True)
    thread.start()
    thread.join(delay)
    pressed_at = time.perf_counter()
    pressed.set()
    thread.join()
    stopped_at, how = ended[0]
    return max(0.0, stopped_at - pressed_at), how


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=5)
    parser.add_argument(
        "--ops",
        default="upscale-x4plus,upscale-compact,denoise,erase-model,sketch,erase-fast,erase,"
        "colorize,colorize-hints,smart-select,stylize",
    )
    parser.add_argument("--megapixels", type=float, default=6.0, help="denoise/erase image")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    import torch

    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    print(f"device: cpu, {torch.get_num_threads()} threads")
    from editor.engine.child import warm_up

    warm_up()  # OpenCV's calls run in children of a forkserver: start it before timing
    with tempfile.TemporaryDirectory(prefix="retouch-cancel-") as temp:
        for name, job in _jobs(args.ops.split(","), args.megapixels, args.seed, Path(temp)).items():
            try:
                cancel_latency(job, 0.0)  # warm-up: weights load, caches fill
            except Exception as error:  # noqa: BLE001 - weights missing: skip this one
                print(f"{name:16} skipped: {error}")
                continue
            results = [
                cancel_latency(job, float(rng.uniform(0.3, 2.0))) for _ in range(args.trials)
            ]
            latencies = [seconds * 1000 for seconds, _ in results]
            hows = sorted({how for _, how in results})
            print(f"{name:16} median {statistics.median(latencies):6.0f} ms   worst "
                  f"{max(latencies):6.0f} ms   ({args.trials} trials; {', '.join(hows)})",
                  flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
