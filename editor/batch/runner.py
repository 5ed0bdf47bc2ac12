"""Plan a batch (inputs, outputs, what the manifest says is done) and run it on a backend: this
process, a pool of worker processes, or a Ray cluster (editor.batch.ray_backend).

`run_batch(job, backend, on_outcome, stop)` is the whole batch for the CLI and the GUI alike:
it skips what the manifest says is done, feeds the backend a bounded number of tasks at a time
(memory stays flat with a million files), records every result in the manifest as it arrives
and returns a Summary. Setting `stop` (Ctrl+C, the dialog's Cancel) stops cleanly: no new image
starts, running ones stop at their next tile, finished ones are recorded; a rerun continues.
No Qt; torch only in the workers.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from editor.batch.inputs import Input, discover, output_name, side_file
from editor.batch.manifest import Manifest, Row, canonical_options, is_current
from editor.batch.operations import batch_operation, per_image
from editor.batch.worker import Outcome, Task, Worker, init_pool_worker, run_in_pool, torch_threads


@dataclass(frozen=True)
class BatchJob:
    """operation: an OPERATIONS id; inputs: files, folders, globs; options: the operation's
    (per-image ones hold a folder or a file); suffix: output format (".png"...), None = the
    input's; redo: run everything again, whatever the manifest says."""

    operation: str
    inputs: tuple[str, ...]
    outdir: Path
    options: dict[str, Any]
    suffix: str | None = None
    redo: bool = False


@dataclass
class Plan:
    """What a batch will do: `count` images to run (made lazily by `tasks()`, a second pass
    over the inputs, so a million files never sit in memory as tasks), `skipped` already done,
    `rejected` inputs (input, why) that would overwrite another's output."""

    count: int
    skipped: int
    rejected: list[tuple[str, str]]
    models: str
    options: str
    tasks: Callable[[], Iterator[Task]]


@dataclass
class Summary:
    planned: int = 0
    done: int = 0
    skipped: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)  # (input, error)
    stopped: bool = False
    seconds: float = 0.0
    backend: str = ""

    @property
    def remaining(self) -> int:
        return self.planned - self.done - len(self.failed)


def _scan(job: BatchJob, manifest: Manifest, options: str, models: str) -> Iterator[Any]:
    """One pass over the inputs: a Task to run, "skip" (done) or ("reject", input, why)."""
    outdir = Path(job.outdir)
    outputs: set[str] = set()  # outputs seen: two inputs must not write the same file
    names = per_image(job.operation)
    found: Iterator[Input] = discover(list(job.inputs), outdir)
    for item in found:
        output = output_name(item.relative, job.suffix)
        if output in outputs:
            yield ("reject", str(item.path), f"another input already writes {output}")
            continue
        outputs.add(output)
        dst = outdir / output
        if not job.redo and is_current(manifest.get(output), job.operation, options, models,
                                       item.path, dst):  # fmt: skip
            yield "skip"
            continue
        side: dict[str, str | None] = {}
        for name in names:
            value = job.options.get(name)
            if value is None:
                side[name] = None
            elif Path(value).is_dir():
                found_side = side_file(Path(value), item.relative)
                side[name] = str(found_side) if found_side else None
            else:
                side[name] = str(value)
        yield Task(str(item.path), str(dst), output, side)


def plan(job: BatchJob, manifest: Manifest, models: str) -> Plan:
    """Count what the manifest does not show as done with these settings (see Plan)."""
    options = canonical_options(job.options)
    count = skipped = 0
    rejected: list[tuple[str, str]] = []
    for entry in _scan(job, manifest, options, models):
        if isinstance(entry, Task):
            count += 1
        elif entry == "skip":
            skipped += 1
        else:
            rejected.append((entry[1], entry[2]))

    def tasks() -> Iterator[Task]:
        return (entry for entry in _scan(job, manifest, options, models)
                if isinstance(entry, Task))  # fmt: skip

    return Plan(count, skipped, rejected, models, options, tasks)


# ---- backends ----------------------------------------------------------------------------------


class Backend(Protocol):
    name: str

    def run(self, job: BatchJob, tasks: Iterable[Task], on_outcome: Callable[[Outcome], None],
            stop: threading.Event) -> None: ...  # fmt: skip


class InProcess:
    """Every image in this process, one after another (debugging, tests, --workers 0)."""

    name = "this process"

    def run(self, job, tasks, on_outcome, stop):
        worker = Worker(job.operation, job.options, None, stop.is_set)
        for task in tasks:
            if stop.is_set():
                return
            on_outcome(worker(task))


def default_workers() -> int:
    """One per GPU; on CPUs, one per two cores (each with two torch threads), at least one."""
    gpus = _gpu_count()
    if gpus:
        return gpus
    return max(1, (os.cpu_count() or 1) // 2)


def _gpu_count() -> int:
    try:
        import torch

        return torch.cuda.device_count()
    except ImportError:
        return 0


class LocalPool:
    """`workers` processes (spawned, so no state leaks in from the parent); each loads the
    models once. With GPUs, worker i sees only GPU i (CUDA_VISIBLE_DEVICES)."""

    def __init__(self, workers: int | None = None, threads: int | None = None):
        self.workers = workers or default_workers()
        self.threads = threads or torch_threads(self.workers)
        self.name = f"{self.workers} worker process{'es' if self.workers != 1 else ''}"

    def _pool(self, job: BatchJob, stop_flag: Any) -> ProcessPoolExecutor:
        context = multiprocessing.get_context("spawn")
        gpus = _gpu_count()
        gpu_ids = None
        if gpus:
            gpu_ids = context.Queue()
            for index in range(self.workers):
                gpu_ids.put(str(index % gpus))
        return ProcessPoolExecutor(
            self.workers, mp_context=context, initializer=_init_local,
            initargs=(job.operation, job.options, self.threads, stop_flag, gpu_ids),
        )  # fmt: skip

    def run(self, job, tasks, on_outcome, stop):
        stop_flag = multiprocessing.get_context("spawn").Event()
        pool = self._pool(job, stop_flag)
        pending: dict[Future, Task] = {}
        window = 2 * self.workers  # queued beyond the running ones: back-pressure

        def collect(timeout: float | None) -> None:
            nonlocal pool
            done, _ = wait(list(pending), timeout=timeout, return_when=FIRST_COMPLETED)
            broken = False
            for future in done:
                task = pending.pop(future)
                try:
                    on_outcome(future.result())
                except BrokenProcessPool:
                    broken = True
                    on_outcome(Outcome(task.output, "failed", 0.0,
                                       "the worker process died while on this image "
                                       "(out of memory, or a crash in a library)",
                                       source=task.src))  # fmt: skip
            if broken:  # every queued task is lost with the pool: start a new one
                for task in pending.values():
                    on_outcome(Outcome(task.output, "failed", 0.0,
                                       "the worker process died while on this image",
                                       source=task.src))  # fmt: skip
                pending.clear()
                pool.shutdown(wait=False, cancel_futures=True)
                pool = self._pool(job, stop_flag)

        try:
            for task in tasks:
                while len(pending) >= window and not stop.is_set():
                    collect(0.2)
                if stop.is_set():
                    break
                pending[pool.submit(run_in_pool, task)] = task
            while pending:
                if stop.is_set():
                    stop_flag.set()
                    for future in [f for f in pending if f.cancel()]:
                        del pending[future]
                collect(0.2)
        finally:
            stop_flag.set()
            pool.shutdown(wait=True, cancel_futures=True)


def _init_local(operation, options, threads, stop_flag, gpu_ids) -> None:
    if gpu_ids is not None:
        os.environ["CUDA_VISIBLE_DEVICES"] = gpu_ids.get()
    init_pool_worker(operation, options, threads, stop_flag)


# ---- the batch ---------------------------------------------------------------------------------


def run_batch(
    job: BatchJob,
    backend: Backend,
    on_outcome: Callable[[Outcome, Summary], None] | None = None,
    stop: threading.Event | None = None,
    on_plan: Callable[[Summary], None] | None = None,
) -> Summary:
    """Run `job` on `backend`; see the module docstring. `on_plan` hears the counts before the
    first image starts, `on_outcome` each finished image (from this thread)."""
    from editor.batch.operations import model_digest

    batch_operation(job.operation)  # JobError unless the registry says it is batchable
    stop = stop or threading.Event()
    started = time.perf_counter()
    models = model_digest(job.operation, job.options)
    summary = Summary(backend=backend.name)
    with Manifest.in_folder(job.outdir) as manifest:
        work = plan(job, manifest, models)
        summary.planned = work.count + len(work.rejected)
        summary.skipped = work.skipped
        summary.failed.extend(work.rejected)
        if on_plan is not None:
            on_plan(summary)

        def record(outcome: Outcome) -> None:
            if outcome.status == "cancelled":
                return
            source = outcome.source
            manifest.record(Row(
                outcome.output, source, outcome.size, outcome.mtime_ns, outcome.sha256,
                job.operation, work.options, work.models, outcome.status,
                round(outcome.seconds, 4), outcome.error, None,
            ))  # fmt: skip
            if outcome.status == "done":
                summary.done += 1
            else:
                summary.failed.append((source, outcome.error or "failed"))
            if on_outcome is not None:
                on_outcome(outcome, summary)

        if work.count:
            backend.run(job, work.tasks(), record, stop)
    summary.stopped = stop.is_set() and summary.remaining > 0
    summary.seconds = time.perf_counter() - started
    return summary
