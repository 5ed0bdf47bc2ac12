"""GPU figures in one command: each operation through the engine, end to end, against its bare
network in the same process.

    python bench/gpu.py [--json retouch-gpu.json] [--repeats 3] [--cases upscale-512,...]

Cases (targets from issue #17):
- upscale-512: Upscale ×4 of a 512² image (run_upscale, Real-ESRGAN x4plus RRDBNet) against one
  bare RRDBNet pass on 512² in the engine's dtype and memory format (target ≤ 1.15×);
- upscale-4k: ×4 of a 3840×2160 image, tiled and blended: time, peak VRAM, and the time per
  pixel against the bare pass's (target ≤ 1.3×, peak ≤ 3 GB);
- erase-512: Erase (model) of a hole whose crop is 512² (run_inpaint) against the bare
  partial-convolution U-Net at its working size (target ≤ 20 ms);
- stylize-512: style transfer of a 512² photo at the default settings (run_stylize) against
  editor.ml.style.stylize alone on the same tensors (target ≤ 2 s);
- colorize-2mp: Colorize of a 2 MP photo (run_colorize) against the bare encoder-decoder at its
  working size (target ≤ 30 ms);
- denoise-12mp: Denoise of a 12 MP photo (run_denoise) against the bare denoiser's time per
  pixel on 1024².
Times are medians of --repeats runs after one warm-up run (weights load, kernels tune), with
the device synchronised; peak VRAM is torch.cuda.max_memory_allocated over the engine's runs.
The engine runs as the editor runs it on CUDA: fp16 and channels_last (editor.engine.devices).
Upscale, stylize and colorize use random weights when the real ones are not on the machine
(their time does not depend on the values; the JSON says which); Erase and Denoise use the
weights shipped in models/.

Without CUDA it stops and measures nothing: it never reports CPU figures as GPU ones.
`--plumbing` runs every case on tiny images on whatever device the engine picks (a CPU here)
to check the script itself; its output and JSON are marked "plumbing" and are not figures.
No Qt.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime
import json
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

CASES = ("upscale-512", "upscale-4k", "erase-512", "stylize-512", "colorize-2mp", "denoise-12mp")
TARGETS = {
    "upscale-512": "engine ≤ 1.15× bare",
    "upscale-4k": "per pixel ≤ 1.3× bare, peak VRAM ≤ 3 GB",
    "erase-512": "≤ 20 ms",
    "stylize-512": "≤ 2 s",
    "colorize-2mp": "≤ 30 ms",
    "denoise-12mp": "",
}
NO_GPU = (
    "bench/gpu.py measures a CUDA GPU and there is none here (torch.cuda.is_available() is "
    "False): nothing was measured. Run it on a machine with an NVIDIA GPU, or add --plumbing "
    "to check the script on this CPU (those runs are not GPU figures)."
)


class NotOnGpu(SystemExit):
    """The run would not measure a GPU: refuse instead of printing CPU figures."""

    def __init__(self, message: str) -> None:
        super().__init__(f"bench/gpu.py: {message}")


@dataclasses.dataclass(frozen=True)
class Sizes:
    """Image sizes (width, height) per case: the issue's, or tiny ones for --plumbing."""

    upscale: int = 512
    large: tuple[int, int] = (3840, 2160)
    tile: int | None = None  # None: the engine sizes tiles from free memory
    erase: tuple[int, int] = (1024, 416)  # image side, hole side: crop = hole + 2 × 48
    stylize: int = 512
    stylize_iterations: int | None = None  # None: the default
    colorize: tuple[int, int] = (1732, 1155)  # 2.0 MP
    denoise: tuple[int, int] = (4240, 2832)  # 12.0 MP
    denoise_bare: int = 1024


# RRDBNet costs ~13 M multiply-adds per input pixel: the plumbing upscales stay tiny.
PLUMBING = Sizes(upscale=16, large=(40, 24), tile=16, erase=(192, 48), stylize=48,
                 stylize_iterations=2, colorize=(120, 80), denoise=(160, 120),
                 denoise_bare=64)  # fmt: skip


def require_gpu(plumbing: bool):
    """The DevicePolicy the engine will use; NotOnGpu unless it is CUDA with fp16 and
    channels_last (or --plumbing, which may run anywhere and says so)."""
    import torch

    from editor.engine.devices import pick_policy

    if not plumbing and not torch.cuda.is_available():
        raise NotOnGpu(NO_GPU)
    policy = pick_policy()
    if plumbing:
        return policy
    if policy.device.type != "cuda":
        raise NotOnGpu(f"the engine would run on {policy.device} (is RETOUCH_DEVICE set?): "
                       "those would not be GPU figures; nothing was measured.")  # fmt: skip
    if policy.dtype != torch.float16 or not policy.channels_last:
        raise NotOnGpu(f"the engine's CUDA policy is {policy.dtype}, channels_last "
                       f"{policy.channels_last}; the figures are for fp16 and "
                       "channels_last.")  # fmt: skip
    return policy


def on_device(module, policy, plumbing: bool) -> None:
    """Refuse figures from a model that is not where the policy says (a silent CPU fallback)."""
    if plumbing:
        return
    device = next(module.parameters()).device
    if device.type != policy.device.type:
        raise NotOnGpu(f"a model ran on {device}, not {policy.device}: no figures reported.")


def _sync(policy) -> None:
    import torch

    if policy.device.type == "cuda":
        torch.cuda.synchronize(policy.device)


def timed(fn: Callable[[], object], policy, repeats: int) -> float:
    """Median seconds of `repeats` calls after one warm-up call, the device synchronised."""
    fn()
    _sync(policy)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        _sync(policy)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def peak_vram(fn: Callable[[], object], policy) -> float | None:
    """GiB of peak allocated device memory during one call (None off CUDA)."""
    import torch

    if policy.device.type != "cuda":
        fn()
        return None
    torch.cuda.empty_cache()
    torch.cuda.reset_peak_memory_stats(policy.device)
    fn()
    _sync(policy)
    return torch.cuda.max_memory_allocated(policy.device) / (1 << 30)


def photo(width: int, height: int, seed: int = 0) -> np.ndarray:
    """HxWx4 RGBA uint8: smooth gradients plus noise (a stand-in for a photo)."""
    rng = np.random.default_rng(seed)
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float32)
    rgb = np.stack([xs / width, ys / height, (xs + ys) / (width + height)], axis=2) * 200 + 20
    rgb += rng.normal(0, 10, rgb.shape).astype(np.float32)
    out = np.full((height, width, 4), 255, np.uint8)
    out[..., :3] = np.clip(rgb, 0, 255)
    return out


# ---- cases -------------------------------------------------------------------------------


class Bench:
    def __init__(self, policy, sizes: Sizes, repeats: int, plumbing: bool, folder: Path):
        self.policy, self.sizes, self.repeats = policy, sizes, repeats
        self.plumbing, self.folder = plumbing, folder
        self._upscaler = None
        self.bare_upscale_s_per_px: float | None = None
        from editor.engine.context import JobContext

        # One context for every run, as the engine's worker keeps one: models load once.
        self.ctx = JobContext()

    def time(self, fn: Callable[[], object]) -> float:
        return timed(fn, self.policy, self.repeats)

    def upscaler(self):
        """(runtime, spec, model): Real-ESRGAN x4plus with random weights, pinned in a
        temporary models folder (the real file is 64 MB and its values do not change the
        time), loaded the way the engine loads it."""
        if self._upscaler is None:
            from editor.ml.catalog import REALESRGAN_X4PLUS
            from editor.ml.hashing import sha256_file
            from editor.ml.loading import ModelCache
            from editor.ml.manager import ModelManager, save_weights
            from editor.ml.registry import Registry
            from editor.ml.runtime import ModelRuntime

            spec = REALESRGAN_X4PLUS
            path = save_weights(spec.build().state_dict(), self.folder / spec.weight_file, {})
            pinned = dataclasses.replace(spec, sha256=sha256_file(path), sources=())
            manager = ModelManager(Registry([pinned]), project_dir=self.folder)
            runtime = ModelRuntime(manager, ModelCache())
            p = self.policy
            _, model = runtime.get(spec.name, p.device, p.dtype, p.channels_last)
            self._upscaler = (runtime, pinned, model)
        return self._upscaler

    def upscale_512(self) -> dict:
        import torch

        from editor.engine.devices import prepare_input
        from editor.engine.upscale import UpscaleRequest, run_upscale

        runtime, spec, model = self.upscaler()
        side = self.sizes.upscale
        request = UpscaleRequest(photo(side, side), scale=4, model=spec.name)
        engine = self.time(lambda: run_upscale(request, self.ctx, runtime))
        on_device(model, self.policy, self.plumbing)
        x = prepare_input(torch.rand(1, 3, side, side), self.policy)

        def bare() -> None:
            with torch.inference_mode():
                model(x)

        bare_s = self.time(bare)
        self.bare_upscale_s_per_px = bare_s / side**2
        return {"size": [side, side], "engine_s": engine, "bare_s": bare_s,
                "ratio": engine / bare_s, "weights": "random"}  # fmt: skip

    def upscale_4k(self) -> dict:
        from editor.engine.upscale import UpscaleRequest, run_upscale

        if self.bare_upscale_s_per_px is None:
            self.upscale_512()
        assert self.bare_upscale_s_per_px is not None
        runtime, spec, model = self.upscaler()
        width, height = self.sizes.large
        request = UpscaleRequest(photo(width, height), 4, spec.name, self.sizes.tile)
        engine = self.time(lambda: run_upscale(request, self.ctx, runtime))
        peak = peak_vram(lambda: run_upscale(request, self.ctx, runtime), self.policy)
        per_px = engine / (width * height)
        return {"size": [width, height], "engine_s": engine, "peak_vram_gib": peak,
                "engine_s_per_mpx": per_px * 1e6,
                "bare_s_per_mpx": self.bare_upscale_s_per_px * 1e6,
                "ratio_per_pixel": per_px / self.bare_upscale_s_per_px,
                "weights": "random"}  # fmt: skip

    def erase_512(self) -> dict:
        import torch

        from editor.engine.inpaint import run_inpaint
        from editor.engine.inpaint_model import load_model, shipped_model_file
        from editor.engine.requests import InpaintRequest
        from editor.ml.inpaint_nets import predict_padded

        side, hole = self.sizes.erase
        image = photo(side, side)
        mask = np.zeros((side, side), np.uint8)
        start = (side - hole) // 2
        mask[start : start + hole, start : start + hole] = 255
        request = InpaintRequest(image=image, mask=mask, method="model")
        result = run_inpaint(request, self.ctx)
        engine = self.time(lambda: run_inpaint(request, self.ctx))
        device = self.policy.device.type
        model, working = load_model(str(shipped_model_file(self.ctx)), device, self.ctx)
        on_device(model, self.policy, self.plumbing)
        crop = max(result.rect.w, result.rect.h)
        small = min(crop, working)
        x = torch.rand(1, 3, small, small, device=self.policy.device)
        known = torch.ones(1, 1, small, small, device=self.policy.device)
        known[..., small // 4 : 3 * small // 4, small // 4 : 3 * small // 4] = 0

        def bare() -> None:
            with (
                torch.inference_mode(),
                torch.autocast(device_type=device, dtype=torch.float16, enabled=device == "cuda"),
            ):
                predict_padded(model, x * known, known)

        bare_s = self.time(bare)
        return {"crop": [result.rect.w, result.rect.h], "network_size": [small, small],
                "engine_s": engine, "bare_s": bare_s, "ratio": engine / bare_s,
                "weights": "models/erase_fill.safetensors"}  # fmt: skip

    def stylize_512(self) -> dict:
        from editor.engine.stylize import (
            BASE_STYLE_WEIGHT,
            StylizeRequest,
            fit_long_side,
            rgb_to_tensor,
            run_stylize,
        )
        from editor.ml.style import (
            EFFICIENTNET_LAYERS,
            FeatureTaps,
            StyleSettings,
            build_backbone,
            load_backbone,
            locate_weights,
            stylize,
        )

        device = self.policy.device
        try:
            weights = "efficientnet-lite0-imagenet"
            backbone = load_backbone("efficientnet", locate_weights("efficientnet", fetch=False))
        except Exception:  # noqa: BLE001 - not on this machine: the same network, random values
            weights = "random"
            backbone = build_backbone("efficientnet").eval().requires_grad_(False)
        taps = FeatureTaps(backbone.to(device), EFFICIENTNET_LAYERS)
        side = self.sizes.stylize
        image = photo(side, side)
        style = photo(side * 3 // 4, side, seed=1)[..., :3]
        extra = {} if self.sizes.stylize_iterations is None else {
            "iterations": self.sizes.stylize_iterations}  # fmt: skip
        request = StylizeRequest(image, style, preview_every=0, **extra)
        engine = self.time(lambda: run_stylize(request, self.ctx, taps=taps))
        on_device(taps.backbone, self.policy, self.plumbing)
        content = rgb_to_tensor(image[..., :3], device)
        style_t = rgb_to_tensor(fit_long_side(style, side, allow_upscale=True), device)
        settings = StyleSettings(iterations=request.iterations, preview_every=0,
                                 style_weight=BASE_STYLE_WEIGHT * request.strength)  # fmt: skip
        counted: list[object] = []
        stylize(taps, content, style_t, settings, counted.append)
        bare_s = self.time(lambda: stylize(taps, content, style_t, settings))
        return {"size": [side, side], "iterations": request.iterations,
                "evaluations": len(counted), "engine_s": engine, "bare_s": bare_s,
                "ratio": engine / bare_s, "ms_per_evaluation": 1000 * bare_s / len(counted),
                "weights": weights}  # fmt: skip

    def colorize_2mp(self) -> dict:
        import torch

        from editor.engine.colorize import ColorizeRequest, run_colorize
        from editor.engine.colorize_model import ColorizeModel, load_colorizer
        from editor.engine.context import JobError
        from editor.ml.archs.colorizer import OUTPUT_STRIDE, ColorDecoder, Colorizer
        from editor.ml.colorization import predict_logits

        try:
            model = load_colorizer()
            weights = "models/colorize.safetensors"
        except JobError:  # the Lite0 encoder is not on this machine: random values
            from editor.ml.ab_bins import grid_centres
            from editor.ml.archs.efficientnet_lite import EfficientNetLite0

            decoder = ColorDecoder(grid_centres().shape[0])
            module = Colorizer(EfficientNetLite0(), decoder).eval().requires_grad_(False)
            device = str(self.policy.device)
            model = ColorizeModel(module.to(device), device, 256)
            weights = "random"
        width, height = self.sizes.colorize
        gray = photo(width, height)
        gray[..., :3] = gray[..., :3].mean(axis=2, keepdims=True).astype(np.uint8)
        request = ColorizeRequest(gray)
        engine = self.time(lambda: run_colorize(request, self.ctx, model))
        on_device(model.module, self.policy, self.plumbing)
        scale = model.working_size / max(width, height)
        h, w = max(1, round(height * scale)), max(1, round(width * scale))
        rgb = torch.rand(1, 3, h, w, device=model.device)
        hints = torch.zeros(1, 3, -(-h // OUTPUT_STRIDE), -(-w // OUTPUT_STRIDE),
                            device=model.device)  # fmt: skip
        bare_s = self.time(lambda: predict_logits(model.module, rgb, hints))
        return {"size": [width, height], "network_size": [w, h], "engine_s": engine,
                "bare_s": bare_s, "ratio": engine / bare_s, "weights": weights}  # fmt: skip

    def denoise_12mp(self) -> dict:
        import torch

        from editor.engine.denoise import (
            DenoiseRequest,
            ensure_registered,
            pick_denoise_model,
            run_denoise,
        )
        from editor.engine.devices import prepare_input
        from editor.ml.archs.denoiser import FixedSigma
        from editor.ml.runtime import ModelRuntime

        runtime = ModelRuntime()
        ensure_registered(runtime)
        name = pick_denoise_model(runtime.manager)
        width, height = self.sizes.denoise
        request = DenoiseRequest(photo(width, height), 25.0)
        engine = self.time(lambda: run_denoise(request, self.ctx, runtime))
        peak = peak_vram(lambda: run_denoise(request, self.ctx, runtime), self.policy)
        p = self.policy
        _, model = runtime.get(name, p.device, p.dtype, p.channels_last)
        on_device(model, self.policy, self.plumbing)
        side = self.sizes.denoise_bare
        x = prepare_input(torch.rand(1, 3, side, side), p)
        bound = FixedSigma(model, 25.0 / 255.0)

        def bare() -> None:
            with torch.inference_mode():
                bound(x)

        bare_per_px = self.time(bare) / side**2
        per_px = engine / (width * height)
        return {"size": [width, height], "model": name, "engine_s": engine,
                "peak_vram_gib": peak, "engine_s_per_mpx": per_px * 1e6,
                "bare_s_per_mpx": bare_per_px * 1e6, "ratio_per_pixel": per_px / bare_per_px,
                "weights": f"models/ ({name})"}  # fmt: skip


def _line(name: str, figures: dict) -> str:
    parts = []
    for key in ("engine_s", "bare_s", "ratio", "engine_s_per_mpx", "bare_s_per_mpx",
                "ratio_per_pixel", "peak_vram_gib", "ms_per_evaluation"):  # fmt: skip
        value = figures.get(key)
        if value is not None:
            parts.append(f"{key} {value:.4g}")
    target = TARGETS.get(name, "")
    return f"{name:13} " + ", ".join(parts) + (f"   [target {target}]" if target else "")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path, default=Path("retouch-gpu.json"))
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--cases", default=",".join(CASES))
    parser.add_argument("--plumbing", action="store_true",
                        help="tiny images on any device, to test the script (not GPU "
                        "figures)")  # fmt: skip
    args = parser.parse_args(argv)
    cases = args.cases.split(",")
    unknown = sorted(set(cases) - set(CASES))
    if unknown:
        parser.error(f"unknown cases {unknown}; choose from {', '.join(CASES)}")
    policy = require_gpu(args.plumbing)
    import torch

    gpu = torch.cuda.get_device_name(policy.device) if policy.device.type == "cuda" else None
    kind = "PLUMBING RUN (tiny images; NOT GPU figures)" if args.plumbing else f"GPU: {gpu}"
    print(f"{kind}; engine device {policy.device}, {policy.dtype}, channels_last "
          f"{policy.channels_last}; torch {torch.__version__}; median of "
          f"{args.repeats}")  # fmt: skip
    report: dict = {
        "plumbing": args.plumbing,
        "gpu": None if args.plumbing else gpu,
        "device": str(policy.device),
        "dtype": str(policy.dtype),
        "channels_last": policy.channels_last,
        "torch": torch.__version__,
        "cuda": torch.version.cuda,
        "python": platform.python_version(),
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "repeats": args.repeats,
        "targets": {name: TARGETS[name] for name in cases},
        "cases": {},
    }
    sizes = PLUMBING if args.plumbing else Sizes()
    with tempfile.TemporaryDirectory(prefix="retouch-gpu-") as folder:
        bench = Bench(policy, sizes, args.repeats, args.plumbing, Path(folder))
        for name in cases:
            figures = getattr(bench, name.replace("-", "_"))()
            report["cases"][name] = figures
            print(_line(name, figures), flush=True)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(report, indent=2) + "\n")
    print(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
