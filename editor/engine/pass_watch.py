"""Cancel checks inside a model's forward pass, and how long the pass goes without one.

Between tiles is not often enough: on a CPU one tile (or a whole image that fits in memory)
may take a minute. While a PassWatch is active, every leaf module of the model first checks
the job for cancel (raising JobCancelled out of the forward), reports progress through the
pass, and records the longest stretch between two checks, so the tiler can size the next
tiles to keep that stretch short.
"""

from __future__ import annotations

import time
import weakref
from collections.abc import Callable
from types import TracebackType

from torch import nn
from torch.utils.hooks import RemovableHandle

from editor.engine.context import JobContext

REPORT_EVERY_S = 0.1  # progress signals at most this often
# Leaf calls seen in one full pass of each model (shared activations run more than once).
_calls_per_pass: weakref.WeakKeyDictionary[nn.Module, int] = weakref.WeakKeyDictionary()


class PassWatch:
    """Context manager: hooks on `model`'s leaf modules for the length of one forward.

    `on_fraction(f)` receives the estimated fraction of the pass done (leaf calls so far over
    the leaf calls of one pass, which is learned after the first pass).
    """

    def __init__(
        self,
        model: nn.Module,
        ctx: JobContext,
        on_fraction: Callable[[float], None] | None = None,
    ) -> None:
        self.model, self.ctx, self.on_fraction = model, ctx, on_fraction
        self.longest_gap = 0.0
        self.calls = 0
        self._handles: list[RemovableHandle] = []
        self._last = self._last_report = 0.0

    def __enter__(self) -> PassWatch:
        leaves = [module for module in self.model.modules() if not any(module.children())]
        self._expected = _calls_per_pass.get(self.model, len(leaves))
        self._handles = [leaf.register_forward_pre_hook(self._before) for leaf in leaves]
        self._last = self._last_report = time.perf_counter()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        for handle in self._handles:
            handle.remove()
        self._handles.clear()
        self._note_gap(time.perf_counter())
        if kind is None and self.calls:
            _calls_per_pass[self.model] = self.calls

    def _note_gap(self, now: float) -> None:
        self.longest_gap = max(self.longest_gap, now - self._last)
        self._last = now

    def _before(self, module: nn.Module, inputs: tuple[object, ...]) -> None:
        now = time.perf_counter()
        self._note_gap(now)
        self.calls += 1
        self.ctx.check_cancelled()
        if self.on_fraction is not None and now - self._last_report >= REPORT_EVERY_S:
            self._last_report = now
            self.on_fraction(min(self.calls / max(self._expected, 1), 1.0))
