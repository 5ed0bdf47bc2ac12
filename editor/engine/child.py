"""Run one uninterruptible library call in a child process, so Cancel can stop it.

OpenCV's fills (Telea, Navier–Stokes, FSR, shift-map) and GrabCut are single C++ calls that
never look at the job: on a large hole they run for seconds. `call_in_child` runs such a call
in a fresh child process while the job's thread waits for the answer, checking for Cancel every
POLL_S; on Cancel the child is killed and JobCancelled raised at once.

Children are forked from a forkserver (a clean process started once, on first use, with
OpenCV and NumPy already imported), so each call costs a few milliseconds plus copying its
arrays; where the platform has no forkserver (Windows) they are spawned. The function and its
arguments must be picklable (a module-level function, arrays, numbers, strings); an exception
it raises is raised again here.
"""

from __future__ import annotations

import functools
import multiprocessing
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any, TypeVar

from editor.engine.context import JobContext, JobError

POLL_S = 0.02  # how often the waiting thread looks for Cancel
# Imported once by the forkserver, so a forked child starts with them loaded.
PRELOAD = ["numpy", "cv2", "editor.core.selection", "editor.engine.inpaint"]

T = TypeVar("T")


@functools.cache
def _context() -> Any:
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(PRELOAD)
        return context
    return multiprocessing.get_context("spawn")


def warm_up() -> None:
    """Start the forkserver now and wait for it (it imports OpenCV and NumPy: about a second,
    more on a busy machine), so that the first call does not wait for it; that wait cannot be
    cancelled. Call it off the UI thread."""
    call_in_child(int, ctx=JobContext())


def _child_main(
    connection: Connection, function: Callable[..., Any], args: tuple[Any, ...]
) -> None:
    try:
        answer: tuple[str, object] = ("ok", function(*args))
    except Exception as error:  # noqa: BLE001 - sent to the parent, which raises it again
        answer = ("error", error)
    try:
        connection.send(answer)
    except Exception as error:  # noqa: BLE001 - an unpicklable result or error
        connection.send(("error", JobError(f"The operation's answer could not be sent: {error}")))
    finally:
        connection.close()


def call_in_child(function: Callable[..., T], *args: Any, ctx: JobContext) -> T:
    """`function(*args)` computed in a child process; JobCancelled within about POLL_S of
    Cancel (the child is killed). Raises what `function` raised, or JobError when the child
    died without answering (killed by the system, out of memory)."""
    ctx.check_cancelled()
    context = _context()
    receive, send = context.Pipe(duplex=False)
    process = context.Process(target=_child_main, args=(send, function, args), daemon=True)
    process.start()
    send.close()  # only the child writes: reading sees EOF if it dies
    try:
        while not receive.poll(POLL_S):
            ctx.check_cancelled()
        try:
            status, value = receive.recv()
        except (EOFError, OSError) as error:
            process.join(1.0)
            raise JobError(
                f"The operation stopped unexpectedly (exit code {process.exitcode})."
            ) from error
    finally:
        if process.is_alive() and process.exitcode is None:
            process.kill()
        process.join()
        process.close()
        receive.close()
    if status == "error":
        raise value
    result: T = value  # what `function` returned (received unpickled, so untyped)
    return result
