"""Tiled inference for image-to-image models with a fixed integer scale (upscalers).

The image is split into a grid of non-overlapping "cores". Each tile fed to the model is its
core plus `overlap` pixels of context on every side that has a neighbour. Outputs are blended
with weights that are 1 over the core and fall linearly to 0 across the inner half of the
context, then divided by the summed weights: neighbouring tiles cross-fade over `overlap`
pixels, so there are no seams, and pixels computed with less than overlap/2 of context are
never used.

On out-of-memory the tile size halves and the failed core is split and retried; below a floor
the job moves to the CPU and says so through ctx.notice.

Tiles are also sized for responsiveness: cancel is checked before every layer of the model
(engine.pass_watch), and the next tile is resized so that the longest stretch between two
checks stays near TARGET_CHECK_GAP_S (never above the memory-sized tile). On the CPU the first
tile starts at CPU_START_TILE / scale, so an image that fits in memory is still not one
minute-long pass. Cores are cut from the caller's grid, splitting with even starts (models that
halve the resolution rely on them). Progress moves within each tile and says how long is left.
"""

from __future__ import annotations

import copy
import math
import time
from collections import deque
from collections.abc import Callable

import torch
from torch import nn

from editor.core.geometry import Rect
from editor.engine.context import JobContext, JobError
from editor.engine.devices import DevicePolicy, activation_budget, policy_for, prepare_input
from editor.engine.pass_watch import PassWatch

MIN_TILE = 32  # below this, OOM means "this device cannot do it": fall back to the CPU
DEFAULT_OVERLAP = 16
_DEFAULT_ELEMS_PER_PIXEL = 64 * (3 * 16 + 4)  # RRDBNet x4-like peak activations per input px
TARGET_CHECK_GAP_S = 0.15  # cancel answered within about this (a layer on one tile)
# Core side of the first CPU tile, before any time was measured, divided by the model's scale
# (an x4 model's last layers run on 16 times the pixels).
CPU_START_TILE = 384


def _is_oom(exc: BaseException) -> bool:
    if isinstance(exc, torch.cuda.OutOfMemoryError):
        return True
    return isinstance(exc, RuntimeError) and "out of memory" in str(exc).lower()


def _policy_of(model: nn.Module) -> DevicePolicy:
    param = next(model.parameters())
    base = policy_for(param.device)
    return DevicePolicy(param.device, param.dtype, base.channels_last)


def choose_tile(
    model: nn.Module, height: int, width: int, overlap: int, policy: DevicePolicy
) -> int:
    """Largest core size whose tile (core + context) fits the device's activation budget.

    Returns max(height, width) when the whole image fits in one pass (no tiling overhead).
    """
    elems = getattr(model, "activation_elems_per_pixel", _DEFAULT_ELEMS_PER_PIXEL)
    bytes_per_px = elems * torch.tensor([], dtype=policy.dtype).element_size()
    budget_px = activation_budget(policy) / bytes_per_px
    if height * width <= budget_px:
        return max(height, width)
    side = int(math.sqrt(budget_px)) - 2 * overlap
    return max(MIN_TILE, side // 8 * 8)


def split_evenly(length: int, tile: int, align: int = 1) -> list[tuple[int, int]]:
    """Cut [0, length) into ceil(length / tile) nearly equal intervals; inner bounds are
    multiples of `align` (models that halve the resolution need even tile starts)."""
    count = max(1, math.ceil(length / tile))
    bounds = [round(i * length / count / align) * align for i in range(count)] + [length]
    return [(bounds[i], bounds[i + 1]) for i in range(count) if bounds[i + 1] > bounds[i]]


def grid(
    height: int, width: int, tile: int, origin: Rect | None = None, align: int = 1
) -> list[Rect]:
    """Row-major cores of at most `tile` pixels covering `origin` (default the whole image)."""
    area = origin or Rect(0, 0, width, height)
    rows = split_evenly(area.h, tile, align)
    cols = split_evenly(area.w, tile, align)
    return [
        Rect(area.x + x0, area.y + y0, x1 - x0, y1 - y0) for (y0, y1) in rows for (x0, x1) in cols
    ]


def _ramp(lo: int, hi: int, core_lo: int, core_hi: int, overlap: int, scale: int) -> torch.Tensor:
    """1-D weights over output pixels [lo*scale, hi*scale): 1 on the core, 0 outside.

    Across the inner half of the context the weight falls linearly from 1 to 0 (the feather);
    the outer half, computed with the least context, gets weight 0. Distances are measured in
    input pixels from output pixel centres, so the ramp is smooth at the output resolution.
    Every pixel lies in exactly one core, so the summed weight is always >= 1.
    """
    feather = max(overlap / 2, 1.0)
    centres = (torch.arange(lo * scale, hi * scale, dtype=torch.float32) + 0.5) / scale
    before = (core_lo - centres).clamp(min=0)
    after = (centres - core_hi).clamp(min=0)
    distance = torch.maximum(before, after)
    return (1.0 - distance / feather).clamp(min=0.0)


def _run_tile(model: nn.Module, x: torch.Tensor, policy: DevicePolicy) -> torch.Tensor:
    out: torch.Tensor = model(prepare_input(x, policy))
    return out.cpu().float()  # transfer before widening: half the bytes over PCIe for fp16


def upscale_tiled(
    model: nn.Module,
    image: torch.Tensor,
    scale: int,
    tile: int | None = None,
    overlap: int = DEFAULT_OVERLAP,
    ctx: JobContext | None = None,
    policy: DevicePolicy | None = None,
    cpu_fallback: Callable[[], nn.Module] | None = None,
    words: tuple[str, str] = ("Upscaling", "Upscaled"),
) -> torch.Tensor:
    """Run `model` over `image` tile by tile and blend the outputs.

    image: float32 (1, 3, H, W) RGB in [0, 1], on the CPU. model: already on `policy`'s
    device/dtype (see devices.prepare_model), output `scale` times its input size.
    tile: core size in input pixels (None: chosen from free memory). Returns float32
    (1, 3, H*scale, W*scale) on the CPU, clamped to [0, 1]. `words`: what the progress text
    says while running and when done (the operation's own, e.g. ("Denoising", "Denoised")).
    """
    ctx = ctx or JobContext()
    policy = policy or _policy_of(model)
    _, _, height, width = image.shape
    if tile is None:
        tile = choose_tile(model, height, width, overlap, policy)
    tile = grid_tile = max(1, int(tile))
    if policy.device.type == "cpu":  # time, not memory, is what runs short there
        tile = min(tile, max(MIN_TILE, CPU_START_TILE // max(scale, 1)))
    if tile >= max(height, width):
        single = _single_pass(model, image, ctx, policy, words)
        if single is not None:
            return single
        tile = max(MIN_TILE, max(height, width) // 2)  # one pass ran out of memory: tile it
    out = torch.zeros((1, 3, height * scale, width * scale), dtype=torch.float32)
    weight = torch.zeros((height * scale, width * scale), dtype=torch.float32)
    queue: deque[Rect] = deque(grid(height, width, grid_tile))
    progress = _TileProgress(ctx, height * width, words[0])
    with torch.inference_mode():
        while queue:
            core = queue.popleft()
            if max(core.w, core.h) > tile:  # the tile shrank (memory, responsiveness): split
                queue.extendleft(reversed(grid(height, width, tile, core, align=2)))
                continue
            progress.start(core.w * core.h, len(queue) + 1)
            y0, y1 = max(0, core.y - overlap), min(height, core.y + core.h + overlap)
            x0, x1 = max(0, core.x - overlap), min(width, core.x + core.w + overlap)
            try:
                with PassWatch(model, ctx, progress.within) as watch:
                    result = _run_tile(model, image[:, :, y0:y1, x0:x1], policy)
            except Exception as exc:
                if not _is_oom(exc):
                    raise
                model, policy, tile = _recover_from_oom(model, policy, tile, ctx, cpu_fallback)
                queue.appendleft(core)
                continue
            tile = _responsive_tile(tile, watch.longest_gap, grid_tile)
            wy = _ramp(y0, y1, core.y, core.y + core.h, overlap, scale)
            wx = _ramp(x0, x1, core.x, core.x + core.w, overlap, scale)
            w2 = wy[:, None] * wx[None, :]
            ys, xs = slice(y0 * scale, y1 * scale), slice(x0 * scale, x1 * scale)
            out[:, :, ys, xs] += result * w2
            weight[ys, xs] += w2
            progress.finish()
        ctx.progress(1.0, words[1])
        return out.div_(weight).clamp_(0.0, 1.0)  # in place: 4K x4 outputs are gigabytes


def _single_pass(
    model: nn.Module, image: torch.Tensor, ctx: JobContext, policy: DevicePolicy,
    words: tuple[str, str] = ("Upscaling", "Upscaled"),
) -> torch.Tensor | None:  # fmt: skip
    """The whole image in one forward (no blending work), or None when it ran out of memory."""
    ctx.progress(0.0, words[0])
    try:
        with torch.inference_mode(), PassWatch(model, ctx, lambda f: ctx.progress(f, words[0])):
            result = _run_tile(model, image, policy).clamp_(0.0, 1.0)
    except Exception as exc:
        if not _is_oom(exc):
            raise
        if policy.is_cuda:
            torch.cuda.empty_cache()
        return None
    ctx.progress(1.0, words[1])
    return result


def _responsive_tile(tile: int, longest_gap: float, ceiling: int) -> int:
    """The next tile side: a layer's time grows with the tile's area, so scale the side by
    sqrt(target / longest gap): smaller when a layer ran too long without a cancel check,
    larger (at most twice, never above `ceiling`) when it was much quicker than needed."""
    if TARGET_CHECK_GAP_S / 2 <= longest_gap <= TARGET_CHECK_GAP_S:
        return tile
    factor = min(2.0, math.sqrt(TARGET_CHECK_GAP_S / max(longest_gap, 1e-6)))
    side = int(tile * factor) // 8 * 8
    return max(MIN_TILE, min(ceiling, side))


class _TileProgress:
    """Progress by area done, moving within a tile too, with the time left estimated from
    the pace so far."""

    def __init__(self, ctx: JobContext, total_area: int, doing: str = "Upscaling") -> None:
        self.ctx, self.total, self.doing = ctx, max(total_area, 1), doing
        self.done = self.current = 0
        self.index = 0
        self.tiles_left = 0
        self.started = time.perf_counter()

    def start(self, area: int, tiles_left: int) -> None:
        self.current, self.tiles_left = area, tiles_left
        self.index += 1
        self.within(0.0)

    def within(self, fraction: float) -> None:
        done = (self.done + self.current * fraction) / self.total
        tiles = self.index + self.tiles_left - 1
        self.ctx.progress(done, f"{self.doing} tile {self.index} of {tiles}"
                          f"{self._time_left(done)}")  # fmt: skip

    def finish(self) -> None:
        self.done += self.current
        self.current = 0

    def _time_left(self, done: float) -> str:
        elapsed = time.perf_counter() - self.started
        if done <= 0.02 or elapsed < 1.0:
            return ""
        left = elapsed * (1.0 - done) / done
        return f", about {left:.0f} s left" if left < 90 else f", about {left / 60:.0f} min left"


def _recover_from_oom(
    model: nn.Module,
    policy: DevicePolicy,
    tile: int,
    ctx: JobContext,
    cpu_fallback: Callable[[], nn.Module] | None,
) -> tuple[nn.Module, DevicePolicy, int]:
    """Halve the tile; below MIN_TILE move to the CPU (telling the user), else give up."""
    if policy.is_cuda:
        torch.cuda.empty_cache()
    if tile // 2 >= MIN_TILE:
        return model, policy, tile // 2
    if policy.device.type == "cpu":
        raise JobError("Not enough memory to upscale this image, even in small tiles")
    ctx.notice(f"Out of memory on {policy.device.type.upper()}: finished on the CPU (slower)")
    cpu = policy_for("cpu")
    if cpu_fallback is not None:
        cpu_model = cpu_fallback()
    else:
        cpu_model = copy.deepcopy(model).to(device="cpu", dtype=cpu.dtype)
    cpu_model = cpu_model.to(memory_format=torch.contiguous_format).eval()
    return cpu_model, cpu, max(tile, 256)
