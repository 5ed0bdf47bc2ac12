"""PSNR / SSIM of the denoisers on CBSD68 / Kodak24 / McMaster at sigma 15, 25, 50, and speed.

Every model named in --models is measured on the same noisy images (KAIR's published FFDNet,
fetched through the model manager, and the project's own by default), with the number of
images on which the first beats the second.

Protocol of the published anchors (FFDNet, DnCNN test code): clean 8-bit RGB image in [0, 1],
plus Gaussian noise N(0, (sigma/255)^2) drawn with a fixed seed, not clipped or quantised, fed
to the model at its true sigma; output rounded to 8 bits; PSNR and SSIM on RGB (SSIM: mean over
channels, 11x11 Gaussian window, sigma 1.5; no border shaved). "noisy" is the input's PSNR
after clipping to 8 bits. `--engine` instead runs what users get: the noisy image clipped and
quantised to 8-bit RGBA, through run_denoise (tiling, device choice).

    python bench/denoise_quality.py [--data ../shared/data/eval/denoise] [--weights FILE]
        [--models ffdnet-color,denoise] [--sigmas 15,25,50] [--datasets CBSD68,Kodak24,McMaster]
        [--limit N] [--engine] [--time]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from upscale_quality import psnr, ssim  # noqa: E402

# From ../shared/data/README.md (PSNR dB, colour, the FFDNet paper's protocol).
ANCHORS = {("CBSD68", 25): {"CBM3D": 30.71, "CDnCNN": 31.23, "FFDNet": 31.21}}
TARGET = ("CBSD68", 25, 30.8)
SUFFIXES = (".png", ".bmp", ".tif", ".tiff", ".jpg")


def load_rgb(path: Path) -> np.ndarray:
    with Image.open(path) as image:
        return np.asarray(image.convert("RGB"))


def rgb_psnr(a: np.ndarray, b: np.ndarray) -> float:
    return psnr(a.astype(np.float64), b.astype(np.float64))


def rgb_ssim(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.mean([ssim(a[..., c].astype(np.float64), b[..., c].astype(np.float64))
                          for c in range(3)]))  # fmt: skip


def to_uint8(x: np.ndarray) -> np.ndarray:
    return np.clip(np.round(x * 255.0), 0, 255).astype(np.uint8)


def load_model(name: str, weights: Path | None):
    """(fp32 CPU model, description), or (None, why not). `weights` replaces the project's
    own model ("denoise"); other models come through the model manager (fetched if needed)."""
    from editor.ml.catalog_denoise import DENOISE, FFDNET_COLOR
    from editor.ml.errors import ModelError
    from editor.ml.loading import build_and_load
    from editor.ml.manager import ModelManager
    from editor.ml.registry import Registry
    from editor.training.train_denoise import load_weights

    if name == DENOISE.name and weights is not None:
        return load_weights(weights), str(weights)
    manager = ModelManager(Registry([FFDNET_COLOR, DENOISE]))
    try:
        path = manager.locate(name) if name == DENOISE.name else manager.ensure(name)
    except ModelError as error:
        return None, f"{name}: {error}"
    if path is None:
        return None, "models/denoise.safetensors absent or not matching its sha256 pin"
    return build_and_load(manager.spec(name), path), str(path)


def denoise_float(model, noisy: np.ndarray, sigma: float) -> np.ndarray:
    """HxWx3 float32 (unclipped) -> HxWx3 uint8, one pass on the CPU."""
    import torch

    with torch.inference_mode():
        x = torch.from_numpy(noisy).permute(2, 0, 1)[None]
        out = model(x, sigma / 255.0)[0].permute(1, 2, 0).numpy()
    return to_uint8(out)


def denoise_engine(runtime, name: str, noisy8: np.ndarray, sigma: float) -> np.ndarray:
    from editor.core.pixels import rgb_to_rgba
    from editor.engine.context import JobContext
    from editor.engine.denoise import DenoiseRequest, run_denoise

    request = DenoiseRequest(image=rgb_to_rgba(noisy8), strength=sigma, model=name)
    return run_denoise(request, JobContext(), runtime)[..., :3]


def engine_runtime(weights: Path | None):
    """A ModelRuntime serving the denoisers, with `weights` (if given) as the 'denoise' model."""
    import dataclasses

    from editor.ml.catalog_denoise import DENOISE, FFDNET_COLOR
    from editor.ml.hashing import sha256_file
    from editor.ml.manager import ModelManager
    from editor.ml.registry import Registry
    from editor.ml.runtime import ModelRuntime
    from editor.ml.safetensors_meta import read_safetensors_metadata

    if weights is None:
        return ModelRuntime(ModelManager(Registry([FFDNET_COLOR, DENOISE])))
    meta = read_safetensors_metadata(weights)
    kwargs = {"channels": int(meta["channels"]), "blocks": int(meta["blocks"])}
    spec = dataclasses.replace(DENOISE, sha256=sha256_file(weights), weight_file=weights.name,
                               arch_kwargs=kwargs)  # fmt: skip
    return ModelRuntime(ModelManager(Registry([FFDNET_COLOR, spec]), project_dir=weights.parent))


def evaluate(args: argparse.Namespace, models: dict, runtime) -> None:
    """One row per dataset and sigma: the noisy input, then each model (PSNR / SSIM)."""
    mode = "engine (8-bit clipped input, run_denoise)" if args.engine else "float unclipped input"
    print(f"noise seed {args.seed}; {mode}; PSNR dB / SSIM on RGB")
    names = list(models)
    columns = "  ".join(f"{name[:14]:>14}" for name in names)
    wins = f"  {names[0]} better on" if len(names) > 1 else ""
    print(f"{'set':10} {'sigma':>5} {'n':>3}  {'noisy':>14}  {columns}{wins}  anchors (PSNR)")
    for dataset in args.datasets.split(","):
        folder = args.data / dataset
        files = sorted(p for p in folder.glob("*") if p.suffix.lower() in SUFFIXES)
        if not files:
            print(f"{dataset:10} not present in {args.data} (the shared data does not include "
                  "it; see its README)")  # fmt: skip
            continue
        cleans = [load_rgb(p) for p in files[: args.limit]]
        for sigma in (float(s) for s in args.sigmas.split(",")):
            rng = np.random.default_rng([args.seed, int(sigma)])
            noisy_scores = []
            scores: dict[str, list[tuple[float, float]]] = {name: [] for name in names}
            for clean in cleans:
                noise = rng.standard_normal(clean.shape).astype(np.float32) * (sigma / 255.0)
                noisy = clean.astype(np.float32) / 255.0 + noise
                noisy8 = to_uint8(noisy)
                noisy_scores.append((rgb_psnr(noisy8, clean), rgb_ssim(noisy8, clean)))
                for name, model in models.items():
                    if args.engine:
                        out = denoise_engine(runtime, name, noisy8, sigma)
                    else:
                        out = denoise_float(model, noisy, sigma)
                    scores[name].append((rgb_psnr(out, clean), rgb_ssim(out, clean)))
            n_p, n_s = np.mean(noisy_scores, axis=0)
            means = {name: np.mean(values, axis=0) for name, values in scores.items()}
            shown_models = "  ".join(f"{p:6.2f} / {q:.4f}" for p, q in means.values())
            better = ""
            if len(names) > 1:
                first, second = scores[names[0]], scores[names[1]]
                count = sum(a[0] > b[0] for a, b in zip(first, second, strict=True))
                better = f"  {count:>3d} / {len(cleans)} images"
            anchors = ANCHORS.get((dataset, int(sigma)), {})
            shown = ", ".join(f"{k} {v:.2f}" for k, v in anchors.items()) or "—"
            print(f"{dataset:10} {sigma:5.0f} {len(cleans):3d}  {n_p:6.2f} / {n_s:.4f}  "
                  f"{shown_models}{better}  {shown}", flush=True)  # fmt: skip
            if (dataset, int(sigma)) == TARGET[:2]:
                for name, (m_p, _) in means.items():
                    verdict = "met" if m_p >= TARGET[2] else "NOT met"
                    print(f"{'':10} {name}: target {dataset} sigma {int(sigma)} >= "
                          f"{TARGET[2]} dB: {verdict}")  # fmt: skip


def time_engine(runtime, name: str, sizes: list[tuple[int, int]]) -> None:
    import torch

    from editor.core.pixels import rgb_to_rgba
    from editor.engine.context import JobContext
    from editor.engine.denoise import DenoiseRequest, run_denoise
    from editor.engine.devices import pick_policy

    policy = pick_policy()
    print(f"engine speed of {name}: device {policy.device}, {torch.get_num_threads()} torch "
          f"threads, strength 25")  # fmt: skip
    rng = np.random.default_rng(0)
    warm = rgb_to_rgba(rng.integers(0, 256, (64, 64, 3), dtype=np.uint8))
    run_denoise(DenoiseRequest(image=warm, strength=25, model=name), JobContext(), runtime)
    for width, height in sizes:
        image = rgb_to_rgba(rng.integers(0, 256, (height, width, 3), dtype=np.uint8))
        tiles = []
        ctx = JobContext(report=lambda f, t, seen=tiles: seen.append(f))
        start = time.perf_counter()
        run_denoise(DenoiseRequest(image=image, strength=25, model=name), ctx, runtime)
        seconds = time.perf_counter() - start
        mp = width * height / 1e6
        print(f"  {width}x{height} ({mp:.1f} MP): {seconds:.2f} s  ({seconds / mp:.2f} s/MP, "
              f"{len(tiles)} progress reports)", flush=True)  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared/data/eval/denoise")
    parser.add_argument(
        "--weights", type=Path, help="a .safetensors for our own model (default: models/)"
    )
    parser.add_argument("--models", default="ffdnet-color,denoise",
                        help="registry names, compared in this order")  # fmt: skip
    parser.add_argument("--sigmas", default="15,25,50")
    parser.add_argument("--datasets", default="CBSD68,Kodak24,McMaster")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--limit", type=int, help="first N images of each set only")
    parser.add_argument("--engine", action="store_true", help="8-bit input through run_denoise")
    parser.add_argument("--time", action="store_true", help="time the engine at 512² and 12 MP")
    parser.add_argument("--no-quality", action="store_true", help="only the timing")
    args = parser.parse_args()

    models = {}
    for name in args.models.split(","):
        model, where = load_model(name, args.weights)
        print(f"{name}: {where}" if model is not None else f"skipped {where}")
        if model is not None:
            models[name] = model
    if not models:
        return 0
    runtime = engine_runtime(args.weights) if (args.engine or args.time) else None
    if not args.no_quality:
        if args.data.is_dir():
            evaluate(args, models, runtime)
        else:
            print(f"skipped quality: {args.data} not present (shared research data is optional)")
    if args.time:
        for name in models:
            time_engine(runtime, name, [(512, 512), (4000, 3000)])
    return 0


if __name__ == "__main__":
    sys.exit(main())
