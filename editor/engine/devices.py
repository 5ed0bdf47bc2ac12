"""Where inference runs: CUDA, else MPS, else CPU; fp16 + channels_last on CUDA.

`RETOUCH_DEVICE=cpu|cuda|mps` forces a device (e.g. to compare, or to dodge a flaky driver).
Imports torch: only reached from run functions.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import torch

DEVICE_ENV = "RETOUCH_DEVICE"
_CPU_TILE_BUDGET = 1 << 30  # bytes of activations we allow per tile on the CPU
_GPU_TILE_BUDGET = int(2.5 * (1 << 30))  # keeps a 4K upscale under ~3 GB of VRAM


@dataclass(frozen=True)
class DevicePolicy:
    """A device and how to feed it: dtype of weights/activations and memory format."""

    device: torch.device
    dtype: torch.dtype = torch.float32
    channels_last: bool = False

    @property
    def is_cuda(self) -> bool:
        return self.device.type == "cuda"


def _mps_available() -> bool:
    backend = getattr(torch.backends, "mps", None)
    return bool(backend is not None and backend.is_available())


def policy_for(device: torch.device | str, half_precision: bool = True) -> DevicePolicy:
    """fp16 + channels_last on CUDA (fp32 when `half_precision` is off), fp32 elsewhere."""
    device = torch.device(device)
    if device.type == "cuda":
        dtype = torch.float16 if half_precision else torch.float32
        return DevicePolicy(device, dtype, channels_last=True)
    return DevicePolicy(device, torch.float32, channels_last=False)


def pick_policy(prefer: str | None = None, half_precision: bool = True) -> DevicePolicy:
    """The best available device, unless `prefer` (Settings) or $RETOUCH_DEVICE names one; a
    named device that is not there falls back to the CPU."""
    wanted = (prefer or os.environ.get(DEVICE_ENV, "")).strip().lower()
    if wanted == "cpu":
        return policy_for("cpu")
    if wanted in ("cuda", "") and torch.cuda.is_available():
        return policy_for("cuda", half_precision)
    if wanted in ("mps", "") and _mps_available():
        return policy_for("mps")
    return policy_for("cpu")


def cpu_policy() -> DevicePolicy:
    return policy_for("cpu")


def free_memory_bytes(device: torch.device) -> int:
    """Free memory usable for activations on `device` (best effort; conservative on error)."""
    if device.type == "cuda":
        free, _total = torch.cuda.mem_get_info(device)
        return int(free)
    try:
        return int(os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE"))
    except (ValueError, OSError, AttributeError):
        return 4 << 30


def activation_budget(policy: DevicePolicy) -> int:
    """Bytes one tile's activations may use: half the free memory, capped per device kind."""
    cap = _GPU_TILE_BUDGET if policy.device.type != "cpu" else _CPU_TILE_BUDGET
    return max(64 << 20, min(free_memory_bytes(policy.device) // 2, cap))


def prepare_model(model: torch.nn.Module, policy: DevicePolicy) -> torch.nn.Module:
    """Move `model` (in place) to the policy's device, dtype and memory format."""
    model = model.to(device=policy.device, dtype=policy.dtype)
    if policy.channels_last:
        model = model.to(memory_format=torch.channels_last)
    return model.eval()


def prepare_input(x: torch.Tensor, policy: DevicePolicy) -> torch.Tensor:
    x = x.to(device=policy.device, dtype=policy.dtype, non_blocking=True)
    return x.contiguous(memory_format=torch.channels_last) if policy.channels_last else x
