"""Crash recovery: kill the editor after an edit; the next start offers the edit back."""

import os
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image
from PySide6.QtWidgets import QMessageBox

from editor.app import build_window
from editor.settings import Settings

CRASHING_EDITOR = """
import os, signal, sys
from PySide6.QtWidgets import QApplication
app = QApplication([])
from editor.app import build_window
from editor.settings import Settings
window = build_window(Settings(autosave_seconds=0))
window.open_path(__import__("pathlib").Path(sys.argv[1]))
stroke = window.document.begin_stroke()
stroke.dab(40, 30, 8, 1.0)
stroke.end()
window.document.new_layer("Notes").pixels[5:10, 5:10] = [0, 255, 0, 255]
assert window.autosaver.save_now()
assert window.autosaver.writer.wait(60)
os.kill(os.getpid(), signal.SIGKILL)
"""


@pytest.fixture
def recovery_dir(tmp_path, monkeypatch):
    folder = tmp_path / "recovery"
    monkeypatch.setenv("RETOUCH_RECOVERY_DIR", str(folder))
    return folder


def _window(qtbot, monkeypatch, answer):
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: answer)
    window = build_window(Settings(autosave_seconds=0))
    qtbot.addWidget(window)
    return window


def test_killed_editor_is_offered_back(qtbot, monkeypatch, recovery_dir, tmp_path, photo):
    Image.fromarray(photo).save(tmp_path / "photo.png")
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    crashed = subprocess.run([sys.executable, "-c", CRASHING_EDITOR, str(tmp_path / "photo.png")],
                             env=env, capture_output=True, text=True, timeout=120)  # fmt: skip
    assert crashed.returncode == -9, crashed.stderr

    window = _window(qtbot, monkeypatch, QMessageBox.StandardButton.Yes)
    assert window.offer_recovery()
    doc = window.document
    assert [layer.name for layer in doc.layers] == ["photo.png", "Notes"]
    assert np.array_equal(doc.layers[0].pixels, photo)
    assert doc.layers[1].pixels[7, 7].tolist() == [0, 255, 0, 255]
    assert doc.mask.pixels[30, 40] == 255
    assert doc.is_modified() and doc.path == tmp_path / "photo.png"
    assert window.autosaver.pending() == []  # taken: not offered twice
    doc.history.set_clean()  # let the window close at the end of the test


def test_declined_recovery_is_removed_and_clean_exit_leaves_nothing(
    qtbot, monkeypatch, recovery_dir, photo
):
    window = _window(qtbot, monkeypatch, QMessageBox.StandardButton.Discard)
    window.document.load(photo.copy())
    window.document.new_layer()
    assert window.autosaver.save_now() and window.autosaver.writer.wait(30)
    assert any(recovery_dir.iterdir())
    window.close()  # a clean exit (changes discarded by the answer above)
    assert not any(recovery_dir.iterdir())


def test_unmodified_documents_are_not_autosaved(qtbot, monkeypatch, recovery_dir, photo):
    window = _window(qtbot, monkeypatch, QMessageBox.StandardButton.Discard)
    window.document.load(photo.copy())
    assert not window.autosaver.save_now()
