"""Safe weight loading and a memory-bounded LRU cache of ready-to-run models.

Only two readers exist: safetensors (everything we write) and `torch.load(weights_only=True)`
for checkpoints a user imports (official Real-ESRGAN `.pth` files wrap the state dict in
`params_ema` or `params`). Nothing here unpickles code.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable
from pathlib import Path

import torch
from torch import nn

from editor.ml.errors import ModelLoadError
from editor.ml.registry import ModelSpec
from editor.ml.safetensors_meta import read_safetensors_metadata

_WRAPPER_KEYS = ("params_ema", "params", "state_dict", "model")
_SHOWN = 5  # how many offending keys an error message lists

__all__ = ["ModelCache", "build_and_load", "load_state_dict_file", "load_strict",
           "parameter_bytes", "read_safetensors_metadata"]  # fmt: skip


ACCEPTED = (
    "Retouch imports a .pth or .pt checkpoint holding only tensors (a state dict, as "
    "Real-ESRGAN and torchvision publish them) or a .safetensors file."
)


def _unwrap(obj: object, path: Path) -> dict[str, torch.Tensor]:
    if isinstance(obj, dict):
        for key in _WRAPPER_KEYS:
            if key in obj and isinstance(obj[key], dict):
                return _unwrap(obj[key], path)
        if obj and all(isinstance(v, torch.Tensor) for v in obj.values()):
            return dict(obj)
    raise ModelLoadError(f"{path.name} does not hold a state dict of tensors. {ACCEPTED}")


def _unreadable(path: Path, error: Exception) -> ModelLoadError:
    """Say what the file is not, in our words: torch's own message advises re-running with
    weights_only=False (running the file's code), which Retouch never does."""
    if "Weights only load failed" in str(error):
        what = (
            f"{path.name} holds Python objects besides tensors; Retouch never loads those "
            "(loading them could run code from the file)."
        )
    else:
        what = f"{path.name} is not a PyTorch checkpoint (it cannot be read as one)."
    return ModelLoadError(f"{what} {ACCEPTED}")


def load_state_dict_file(path: str | Path) -> dict[str, torch.Tensor]:
    """Read tensors from a .safetensors file, or a .pth/.pt checkpoint with weights_only=True.

    Returns CPU tensors. `.pth` files may wrap the dict in `params_ema` (preferred) / `params`.
    """
    path = Path(path)
    if path.suffix == ".safetensors":
        from safetensors import SafetensorError
        from safetensors.torch import load_file

        try:
            return load_file(str(path), device="cpu")
        except (SafetensorError, OSError) as exc:
            message = f"{path.name} is not a valid .safetensors file ({exc}). {ACCEPTED}"
            raise ModelLoadError(message) from exc
    try:
        obj = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # pickle errors come in many types; all mean "not loadable safely"
        raise _unreadable(path, exc) from exc
    return _unwrap(obj, path)


def _few(keys: list[str]) -> str:
    return str(keys[:_SHOWN]) + (f" and {len(keys) - _SHOWN} more" if len(keys) > _SHOWN else "")


def load_strict(model: nn.Module, state: dict[str, torch.Tensor], label: str = "weights") -> None:
    """Copy `state` into `model`, requiring identical keys and shapes; clear error otherwise."""
    expected = model.state_dict()
    missing = sorted(set(expected) - set(state))
    unexpected = sorted(set(state) - set(expected))
    wrong = sorted(
        k for k in set(expected) & set(state) if tuple(expected[k].shape) != tuple(state[k].shape)
    )
    if missing or unexpected or wrong:
        parts = []
        if missing:
            parts.append(f"missing keys {_few(missing)}")
        if unexpected:
            parts.append(f"unexpected keys {_few(unexpected)}")
        if wrong:
            shapes = [f"{k} {tuple(state[k].shape)} vs {tuple(expected[k].shape)}" for k in wrong]
            parts.append(f"shape mismatch {_few(shapes)}")
        raise ModelLoadError(f"{label} do not fit {type(model).__name__}: " + "; ".join(parts))
    model.load_state_dict(state, strict=True)


def build_and_load(spec: ModelSpec, weights: str | Path) -> nn.Module:
    """Build `spec`'s architecture, load `weights` strictly, return it on the CPU in eval mode."""
    model: nn.Module = spec.build()
    load_strict(model, load_state_dict_file(weights), f"{Path(weights).name}")
    model.eval()
    model.requires_grad_(False)
    return model


def parameter_bytes(model: nn.Module) -> int:
    """Bytes held by the model's parameters and buffers (what the LRU budget counts)."""
    tensors = [*model.parameters(), *model.buffers()]
    return sum(t.numel() * t.element_size() for t in tensors)


class ModelCache:
    """LRU cache of loaded models, bounded by the total bytes of their parameters.

    The newest entry is always kept even if it alone exceeds the budget (a job needs it).
    Keys are any hashable (e.g. (name, weights path, device, dtype)).
    """

    def __init__(self, budget_bytes: int = 2 << 30) -> None:
        self.budget_bytes = budget_bytes
        self._entries: OrderedDict[Hashable, tuple[nn.Module, int]] = OrderedDict()

    def get_or_load(self, key: Hashable, loader: Callable[[], nn.Module]) -> nn.Module:
        if key in self._entries:
            self._entries.move_to_end(key)
            return self._entries[key][0]
        model = loader()
        self._entries[key] = (model, parameter_bytes(model))
        self._evict()
        return model

    def _evict(self) -> None:
        while len(self._entries) > 1 and self.total_bytes > self.budget_bytes:
            self._entries.popitem(last=False)

    @property
    def total_bytes(self) -> int:
        return sum(size for _model, size in self._entries.values())

    def keys(self) -> list[Hashable]:
        return list(self._entries)

    def clear(self) -> None:
        self._entries.clear()
