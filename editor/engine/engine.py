"""The engine: one long-lived worker thread that runs queued jobs one at a time.

Signals are emitted from the worker thread; Qt delivers them queued to receivers on the UI
thread. Cancel is honoured between tiles and iterations (JobContext.progress) and inside
model passes (engine.pass_watch). A job that raises anything, even SystemExit, fails alone:
the worker thread goes on with the next job.
"""

from __future__ import annotations

import itertools
import logging
import queue
import threading
from dataclasses import dataclass

from PySide6.QtCore import QObject, QThread, Signal

from editor.engine.context import DEFAULT_MODEL_MEMORY, JobCancelled, JobContext, JobError, Models
from editor.engine.run import execute

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    id: int
    title: str
    request: object


def describe_failure(title: str, error: BaseException) -> str:
    """A sentence for the user; the traceback goes to the log."""
    if isinstance(error, JobError):
        return str(error)
    if isinstance(error, MemoryError):
        return f"{title} ran out of memory. Try a smaller selection or image."
    if type(error).__name__ == "OutOfMemoryError":  # torch.cuda.OutOfMemoryError, no torch import
        return f"{title} ran out of GPU memory. Try a smaller tile size in Settings or the CPU."
    return f"{title} failed: {error}"


class _Worker(QThread):
    def __init__(self, engine: Engine) -> None:
        super().__init__()
        self.engine = engine
        self.jobs: queue.Queue[Job | None] = queue.Queue()

    def run(self) -> None:
        while (job := self.jobs.get()) is not None:
            self.engine._run_job(job)


class Engine(QObject):
    started = Signal(int, str)  # id, title
    progress = Signal(int, float, str)  # id, fraction in [0, 1], text
    preview = Signal(int, object)  # id, RGBA array (style transfer forming)
    finished = Signal(int, object)  # id, result
    failed = Signal(int, str)  # id, message for the user
    cancelled = Signal(int)  # id
    noticed = Signal(int, str)  # id, something the user should know (e.g. "fell back to CPU")

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        # What every job gets (Settings → configure): one model manager and runtime, the
        # device and whether CUDA runs in half precision.
        self.models = Models(DEFAULT_MODEL_MEMORY)
        self.device = "auto"
        self.half_precision = True
        self._ids = itertools.count(1)
        self._cancelled: set[int] = set()
        self._lock = threading.Lock()
        self._worker = _Worker(self)
        self._worker.setObjectName("retouch-engine")
        self._worker.start()

    def configure(self, device: str, half_precision: bool, model_memory_bytes: int) -> None:
        """The Settings' device, half precision and model memory, for the jobs that start
        from now on (a running job keeps what it started with)."""
        with self._lock:
            self.device, self.half_precision = device, half_precision
            self.models.set_memory(model_memory_bytes)

    def submit(self, request: object, title: str) -> int:
        job = Job(next(self._ids), title, request)
        self._worker.jobs.put(job)
        return job.id

    def cancel(self, job_id: int) -> None:
        with self._lock:
            self._cancelled.add(job_id)

    def _is_cancelled(self, job_id: int) -> bool:
        with self._lock:
            return job_id in self._cancelled

    def _run_job(self, job: Job) -> None:
        if self._is_cancelled(job.id):
            self.cancelled.emit(job.id)
            return
        self.started.emit(job.id, job.title)
        ctx = JobContext(
            report=lambda fraction, text: self.progress.emit(job.id, fraction, text),
            show_preview=lambda image: self.preview.emit(job.id, image),
            is_cancelled=lambda: self._is_cancelled(job.id),
            models=self.models,
        )
        with self._lock:
            ctx.device, ctx.half_precision = self.device, self.half_precision
        try:
            result = execute(job.request, ctx)
        except JobCancelled:
            self.cancelled.emit(job.id)
        except BaseException as error:  # noqa: BLE001 - SystemExit too: the thread must live on
            # Every failure reaches the user as a message, and the next job still runs.
            log.exception("job %s (%s) failed", job.id, job.title)
            self.failed.emit(job.id, describe_failure(job.title, error))
        else:
            for text in ctx.notices:
                self.noticed.emit(job.id, text)
            self.finished.emit(job.id, result)
        finally:
            with self._lock:
                self._cancelled.discard(job.id)

    def shutdown(self, timeout_ms: int = 5000) -> None:
        """Cancel everything queued or running and wait for the thread to stop. Idempotent."""
        if not self._worker.isRunning():
            return
        with self._lock:
            self._cancelled.update(range(1, next(self._ids)))
        self._worker.jobs.put(None)
        self._worker.wait(timeout_ms)
