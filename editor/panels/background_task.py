"""Run a slow step (reading a large file) on a thread while the window stays painted, with a
modal progress dialog and Cancel once it takes long enough to notice."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

from PySide6.QtCore import QEventLoop, Qt
from PySide6.QtWidgets import QApplication, QProgressDialog, QWidget

T = TypeVar("T")

QUIET_SECONDS = 0.5  # shorter steps finish without a dialog flashing up
_POLL_SECONDS = 0.05


class TaskCancelled(Exception):
    """The user pressed Cancel; whatever the step made is dropped."""


def run_in_background(
    parent: QWidget,
    text: str,
    work: Callable[[Callable[[float], None]], T],
    quiet_seconds: float = QUIET_SECONDS,
) -> T:
    """`work(report)` on a thread; returns its result or raises what it raised.

    `report(fraction)` moves the bar (an indeterminate bar until first called) and raises
    TaskCancelled in the worker once the user cancelled. On Cancel this returns at once with
    TaskCancelled, even if the work cannot stop before it ends (its result is then dropped).
    """
    cancelled = threading.Event()
    state: dict[str, object] = {"fraction": None}

    def report(fraction: float) -> None:
        state["fraction"] = fraction
        if cancelled.is_set():
            raise TaskCancelled()

    def run() -> None:
        try:
            state["result"] = work(report)
        except BaseException as error:  # noqa: BLE001 - handed to the UI thread below
            state["error"] = error

    thread = threading.Thread(target=run, name="retouch-background", daemon=True)
    thread.start()
    thread.join(quiet_seconds)
    if thread.is_alive():
        _wait_with_dialog(parent, text, thread, state, cancelled)
    if cancelled.is_set():
        raise TaskCancelled()
    if "error" in state:
        raise state["error"]  # type: ignore[misc]
    return state["result"]  # type: ignore[return-value]


def _wait_with_dialog(parent, text, thread, state, cancelled: threading.Event) -> None:
    focus = QApplication.focusWidget()
    dialog = QProgressDialog(text, "Cancel", 0, 0, parent)
    dialog.setWindowModality(Qt.WindowModality.WindowModal)  # no other edits meanwhile
    dialog.setMinimumDuration(0)
    dialog.canceled.connect(cancelled.set)
    dialog.show()
    while thread.is_alive() and not cancelled.is_set():
        if dialog.wasCanceled():  # Escape, the button or cancel(): not all emit canceled
            cancelled.set()
            break
        fraction = state["fraction"]
        if isinstance(fraction, float | int):
            dialog.setMaximum(1000)
            dialog.setValue(int(fraction * 1000))
        QApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
        thread.join(_POLL_SECONDS)
    dialog.canceled.disconnect(cancelled.set)
    dialog.close()
    dialog.deleteLater()
    parent.window().activateWindow()  # shortcuts go to the window again, not the gone dialog
    QApplication.processEvents()  # ...before the caller goes on
    if focus is not None:
        focus.setFocus()
