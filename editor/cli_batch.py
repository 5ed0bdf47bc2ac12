"""`retouch batch OPERATION INPUT... -o OUTDIR [operation options] [--workers N] [--ray ADDRESS]`.

Every batchable operation (editor.batch.operations) is a sub-command with the single-image
command's own options. A progress bar (tqdm: rate and ETA) while it runs, a summary table at
the end; Ctrl+C stops cleanly (the rerun continues), a second Ctrl+C quits at once. Exit status:
0 all done, 1 some inputs failed (see the table and the manifest), 130 stopped.
No Qt and no torch at import.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from pathlib import Path
from typing import Any

RAY_INSTALL = (
    "--ray needs Ray, an optional extra: pip install 'retouch[scale]' "
    "(from a checkout: pip install -e \".[scale]\")"
)


HELP = "run an operation over many files (folders, globs); resumable"


def add_subcommands(subparsers: Any, help: str = HELP) -> None:
    """Register `batch` (with one sub-command per batchable operation)."""
    from editor.batch.operations import add_options, operations

    batch = subparsers.add_parser(
        "batch", help=help,
        description="Run one operation over files, folders (recursive) or globs into OUTDIR, "
        "keeping the relative layout. A manifest in OUTDIR (retouch-batch.sqlite) records "
        "every result; a rerun skips what is done and retries failures.",
    )  # fmt: skip
    commands = batch.add_subparsers(dest="operation", required=True, metavar="OPERATION")
    for operation in operations().values():
        parser = commands.add_parser(operation.id, help=operation.summary,
                                     description=f"{operation.summary}, for many images")
        parser.add_argument("inputs", nargs="+", metavar="INPUT",
                            help="image files, folders (recursive) or glob patterns")  # fmt: skip
        parser.add_argument("-o", "--output", dest="outdir", type=Path, required=True,
                            metavar="OUTDIR", help="where results and the manifest go")  # fmt: skip
        group = parser.add_argument_group(f"{operation.id} options (as `retouch {operation.id}`)")
        add_options(group, operation)  # type: ignore[arg-type]
        runs = parser.add_argument_group("batch options")
        runs.add_argument("--workers", type=int, default=None,
                          help="worker processes (default: one per GPU, else one per two "
                          "cores); 0 runs in this process")  # fmt: skip
        runs.add_argument("--threads", type=int, default=None,
                          help="torch threads per worker (default: cores / workers)")
        runs.add_argument("--ray", metavar="ADDRESS", default=None,
                          help="run on a Ray cluster: auto (the one this machine is part of), "
                          "ray://HOST:10001 or HOST:6379, or local (start one here)")  # fmt: skip
        runs.add_argument("--format", choices=("png", "jpg", "webp", "tif"), default=None,
                          help="output format (default: the input's; BMP becomes PNG)")
        runs.add_argument("--redo", action="store_true",
                          help="process every input again, whatever the manifest says")
        parser.set_defaults(handler=_batch, batch_operation=operation)


def _backend(args: argparse.Namespace):
    from editor.batch.runner import InProcess, LocalPool
    from editor.engine.context import JobError

    if args.ray:
        try:
            from editor.batch.ray_backend import RayBackend
        except ImportError:
            raise JobError(RAY_INSTALL) from None
        return RayBackend(args.ray, args.workers, args.threads)
    if args.workers == 0:
        return InProcess()
    if args.workers is not None and args.workers < 0:
        raise JobError("--workers must be 0 or more")
    return LocalPool(args.workers, args.threads)


class _Interrupts:
    """First Ctrl+C sets `stop` (a clean stop); the second quits at once."""

    def __init__(self, stop: threading.Event):
        self.stop = stop
        self.previous: Any = None

    def __enter__(self) -> _Interrupts:
        if threading.current_thread() is threading.main_thread():
            self.previous = signal.signal(signal.SIGINT, self._handle)
        return self

    def _handle(self, signum: int, frame: Any) -> None:
        if self.stop.is_set():
            raise KeyboardInterrupt
        self.stop.set()
        print("\nretouch batch: stopping after the images in progress (Ctrl+C again to quit "
              "now; a rerun continues)", file=sys.stderr)  # fmt: skip

    def __exit__(self, *exc: object) -> None:
        if self.previous is not None:
            signal.signal(signal.SIGINT, self.previous)


def _batch(args: argparse.Namespace) -> None:
    from tqdm import tqdm

    from editor.batch.operations import options_from
    from editor.batch.report import summary_table
    from editor.batch.runner import BatchJob, run_batch
    from editor.engine.context import JobCancelled, JobError
    from editor.fileio.errors import ImageFileError
    from editor.ml.errors import ModelError

    try:
        options = options_from(args, args.batch_operation)
    except ValueError as exc:
        raise JobError(str(exc)) from exc
    job = BatchJob(
        args.operation, tuple(args.inputs), args.outdir, options,
        f".{args.format}" if args.format else None, args.redo,
    )  # fmt: skip
    stop = threading.Event()
    bar: list[tqdm] = []

    def started(summary) -> None:
        print(f"retouch batch {job.operation}: {summary.planned} to process, "
              f"{summary.skipped} already done, on {summary.backend}", file=sys.stderr)  # fmt: skip
        bar.append(tqdm(total=summary.planned, unit="img", file=sys.stderr, dynamic_ncols=True,
                        smoothing=0.1))  # fmt: skip
        bar[0].update(len(summary.failed))  # refused at planning (two inputs, one output)

    def finished(outcome, summary) -> None:
        bar[0].update(1)
        if summary.failed:
            bar[0].set_postfix(failed=len(summary.failed), refresh=False)

    try:
        with _Interrupts(stop):
            summary = run_batch(job, _backend(args), finished, stop, started)
    except (FileNotFoundError, ImageFileError, ModelError) as exc:
        raise JobError(str(exc)) from exc
    finally:
        if bar:
            bar[0].close()
    print(summary_table(summary, job.outdir), file=sys.stderr)
    if summary.stopped:
        raise JobCancelled()
    if summary.failed:
        raise _some_failed(len(summary.failed))


def _some_failed(count: int) -> Exception:
    from editor.engine.context import JobError

    return JobError(f"{count} input{'s' if count != 1 else ''} failed: see the table above "
                    "(and the manifest); a rerun retries them")  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    """Standalone entry (python -m editor.cli_batch batch OPERATION ...), as editor.cli."""
    from editor.engine.context import JobCancelled, JobError

    parser = argparse.ArgumentParser(prog="retouch")
    add_subcommands(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    try:
        args.handler(args)
    except JobError as exc:
        print(f"retouch batch: {exc}", file=sys.stderr)
        return 1
    except JobCancelled:
        print("retouch batch: stopped; run the same command again to continue", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
