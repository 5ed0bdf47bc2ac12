"""One image through one operation, in whatever process runs it (a pool worker, a Ray actor,
or the driver itself): hash the input, load it, run the operation, save the result atomically.

A Worker is made once per process; its Models (editor.engine.context: one model manager and
runtime, handed to every job) and the colorizer's and the generators' lru_caches keep the models
loaded from one image to the next. Every failure of one image becomes an Outcome with the
error text: nothing one file does stops the batch. No Qt.
"""

from __future__ import annotations

import hashlib
import os
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

_CHUNK = 1 << 20


def file_sha256(path: str | os.PathLike[str]) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


@dataclass(frozen=True)
class Task:
    """src: the input file; dst: the output file (absolute); output: its name relative to
    OUTDIR (the manifest key); side: per-image files by option name (None where absent)."""

    src: str
    dst: str
    output: str
    side: dict[str, str | None] = field(default_factory=dict)


@dataclass(frozen=True)
class Outcome:
    """status: "done", "failed" or "cancelled" (stopped before it finished: not recorded)."""

    output: str
    status: str
    seconds: float
    error: str | None = None
    sha256: str | None = None
    size: int | None = None
    mtime_ns: int | None = None
    notices: tuple[str, ...] = ()
    source: str = ""  # the input (the manifest's input column)


def torch_threads(workers: int, cores: int | None = None) -> int:
    """Torch threads per worker so that `workers` processes fill the cores, not more."""
    cores = cores or os.cpu_count() or 1
    return max(1, cores // max(1, workers))


def _expected_errors() -> tuple[type[BaseException], ...]:
    from editor.engine.context import JobError
    from editor.fileio.errors import ImageFileError
    from editor.ml.errors import ModelError

    return (JobError, ImageFileError, ModelError, OSError, ValueError)


class Worker:
    """Runs `operation` with `options` on tasks; `cancelled()` is polled between tiles."""

    def __init__(
        self,
        operation: str,
        options: dict[str, Any],
        threads: int | None = None,
        cancelled: Callable[[], bool] | None = None,
    ):
        self.operation = operation
        self.options = options
        self.cancelled = cancelled or (lambda: False)
        from editor.engine.context import Models

        self.models = Models()  # one runtime for every image of this process
        if threads:
            import torch

            torch.set_num_threads(threads)

    def __call__(self, task: Task) -> Outcome:
        from editor.batch.operations import Work, run_operation
        from editor.engine.context import JobCancelled, JobContext
        from editor.fileio.load import load_image
        from editor.fileio.save import save_image

        start = time.perf_counter()
        digest = size = mtime = None
        try:
            info = os.stat(task.src)
            size, mtime = info.st_size, info.st_mtime_ns
            digest = file_sha256(task.src)
            image = load_image(task.src)
            ctx = JobContext(is_cancelled=self.cancelled, models=self.models)
            pixels, notices = run_operation(
                self.operation, Work(image, task.side, self.options, ctx)
            )
            Path(task.dst).parent.mkdir(parents=True, exist_ok=True)
            saved = save_image(task.dst, pixels, image.exif, image.icc_profile)
            notices = [*image.notices, *notices, *ctx.notices, *saved]
        except JobCancelled:
            return Outcome(task.output, "cancelled", time.perf_counter() - start, source=task.src)
        except _expected_errors() as exc:
            return self._failed(task, start, str(exc) or type(exc).__name__, digest, size, mtime)
        except Exception as exc:  # an engine bug must not stop the other files: recorded
            where = traceback.extract_tb(exc.__traceback__)[-1]
            text = f"{type(exc).__name__}: {exc} ({Path(where.filename).name}:{where.lineno})"
            return self._failed(task, start, text, digest, size, mtime)
        return Outcome(task.output, "done", time.perf_counter() - start, None, digest, size,
                       mtime, tuple(notices), task.src)  # fmt: skip

    @staticmethod
    def _failed(task: Task, start: float, error: str, digest, size, mtime) -> Outcome:
        return Outcome(task.output, "failed", time.perf_counter() - start, error, digest, size,
                       mtime, source=task.src)  # fmt: skip


# ---- the local process pool's side: one Worker per process -------------------------------------

_worker: Worker | None = None


def init_pool_worker(operation: str, options: dict[str, Any], threads: int, stop: Any) -> None:
    """Process-pool initializer: Ctrl+C is the driver's to handle (it sets `stop`, which the
    running image sees between tiles), torch gets `threads` threads, one Worker per process."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    global _worker
    _worker = Worker(operation, options, threads, stop.is_set)


def run_in_pool(task: Task) -> Outcome:
    assert _worker is not None, "init_pool_worker was not run in this process"
    return _worker(task)
