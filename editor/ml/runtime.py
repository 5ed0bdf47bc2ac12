"""Ready-to-run models: weights located/fetched by a ModelManager, modules kept in a ModelCache.

One ModelRuntime lives as long as the worker that owns it; it is handed to run functions so
that consecutive jobs reuse loaded models instead of re-reading weights.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import nn

from editor.ml.loading import ModelCache, build_and_load
from editor.ml.manager import ModelManager
from editor.ml.registry import ModelSpec

DEFAULT_BUDGET_BYTES = 1 << 30


class ModelRuntime:
    def __init__(self, manager: ModelManager | None = None, cache: ModelCache | None = None):
        self.manager = manager or ModelManager()
        self.cache = cache or ModelCache(DEFAULT_BUDGET_BYTES)

    def get(
        self,
        name: str,
        device: torch.device,
        dtype: torch.dtype = torch.float32,
        channels_last: bool = False,
        progress: Callable[[float, str], None] | None = None,
        cancelled: Callable[[], bool] | None = None,
    ) -> tuple[ModelSpec, nn.Module]:
        """The spec and an eval-mode model for `name` on `device`/`dtype` (fetching if needed)."""
        spec = self.manager.spec(name)
        path = self.manager.ensure(name, progress, cancelled)
        key = (name, str(path), path.stat().st_mtime_ns, str(device), str(dtype), channels_last)

        def load() -> nn.Module:
            model = build_and_load(spec, path).to(device=device, dtype=dtype)
            if channels_last:
                model = model.to(memory_format=torch.channels_last)
            return model

        return spec, self.cache.get_or_load(key, load)
