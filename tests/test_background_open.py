"""Files are read on a thread: the window keeps painting, a progress dialog with Cancel shows
for slow reads, and a cancelled or failed read leaves the document as it was."""

from __future__ import annotations

import time

import numpy as np
import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QProgressDialog

from editor.fileio.errors import ImageFileError
from editor.fileio.ora import OraLayer, read_ora, write_ora
from editor.panels.background_task import TaskCancelled, run_in_background


def _many_layers(path, count: int = 30):
    rng = np.random.default_rng(0)
    layers = [OraLayer(f"L{i}", rng.integers(0, 256, (16, 16, 4), dtype=np.uint8), x=i, y=i)
              for i in range(count)]  # fmt: skip
    write_ora(path, 64, 64, layers, np.zeros((64, 64, 4), np.uint8))
    return path


def test_read_ora_reports_progress_per_layer(tmp_path):
    seen: list[float] = []
    read_ora(_many_layers(tmp_path / "many.ora"), progress=seen.append)
    assert len(seen) == 30 and seen == sorted(seen) and seen[-1] == 1.0


def test_quick_work_returns_without_a_dialog(qtbot, window):
    assert run_in_background(window, "Quick", lambda report: 42) == 42
    assert not window.findChildren(QProgressDialog)
    with pytest.raises(ImageFileError, match="bad"):
        run_in_background(window, "Failing", lambda report: (_ for _ in ()).throw(
            ImageFileError("bad file")))  # fmt: skip


def test_slow_work_shows_progress_and_cancel_stops_it(qtbot, window):
    steps: list[int] = []

    def slow(report):
        for step in range(200):
            report(step / 200)
            steps.append(step)
            time.sleep(0.02)
        return "finished"

    def press_cancel():
        dialogs = [d for d in window.findChildren(QProgressDialog) if d.isVisible()]
        assert dialogs and dialogs[0].maximum() == 1000 and dialogs[0].value() > 0
        dialogs[0].cancel()

    QTimer.singleShot(600, press_cancel)
    with pytest.raises(TaskCancelled):
        run_in_background(window, "Slow", slow, quiet_seconds=0.1)
    stopped_at = len(steps)
    time.sleep(0.1)
    assert len(steps) <= stopped_at + 1 < 200  # the worker stopped at its next report


def test_cancelled_open_keeps_the_document(qtbot, window, tmp_path, photo, monkeypatch):
    from editor import main_window

    window.document.load(photo.copy())
    path = _many_layers(tmp_path / "many.ora")

    def cancelled(parent, text, work, quiet_seconds=0.5):
        raise TaskCancelled()

    monkeypatch.setattr(main_window, "run_in_background", cancelled)
    assert not window.open_path(path)
    assert window.document.width == 160 and "cancelled" in window.statusBar().currentMessage()


def test_open_of_a_layered_file_goes_through_the_thread(qtbot, window, tmp_path, monkeypatch):
    from editor import main_window
    from editor.panels import background_task

    calls = []
    real = background_task.run_in_background

    def spy(parent, text, work, quiet_seconds=0.5):
        calls.append(text)
        return real(parent, text, work, quiet_seconds=0.0)  # the dialog path, every time

    monkeypatch.setattr(main_window, "run_in_background", spy)
    assert window.open_path(_many_layers(tmp_path / "many.ora"))
    assert calls == ["Opening many.ora…"] and len(window.document.layers) == 30
