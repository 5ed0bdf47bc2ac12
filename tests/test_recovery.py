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


EDITING_THEN_KILLED = """
import os, signal, sys, time
from PySide6.QtWidgets import QApplication
app = QApplication([])
from editor.app import build_window
from editor.settings import Settings
window = build_window(Settings(autosave_seconds=60))  # the periodic backstop alone: 60 s
window.open_path(__import__("pathlib").Path(sys.argv[1]))
duration, started, index = float(sys.argv[2]), time.time(), 0
while time.time() - started < duration:
    stroke = window.document.begin_stroke()
    stroke.dab(3 + 6 * (index % 25), 5 + 10 * (index // 25), 2, 1.0)
    stroke.end()
    print("edit", index, time.time(), flush=True)
    until = time.time() + 0.4
    while time.time() < until:
        app.processEvents()
        time.sleep(0.01)
    index += 1
print("kill", time.time(), flush=True)
os.kill(os.getpid(), signal.SIGKILL)
"""


def test_kill_during_editing_loses_at_most_ten_seconds(qtbot, monkeypatch, recovery_dir,
                                                       tmp_path, photo):  # fmt: skip
    Image.fromarray(photo).save(tmp_path / "photo.png")
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    crashed = subprocess.run(
        [sys.executable, "-c", EDITING_THEN_KILLED, str(tmp_path / "photo.png"), "12"],
        env=env, capture_output=True, text=True, timeout=180,
    )  # fmt: skip
    assert crashed.returncode == -9, crashed.stderr
    lines = [line.split() for line in crashed.stdout.splitlines()]
    edits = [float(words[2]) for words in lines if words[0] == "edit"]
    killed_at = next(float(words[1]) for words in lines if words[0] == "kill")

    window = _window(qtbot, monkeypatch, QMessageBox.StandardButton.Yes)
    assert window.offer_recovery()  # offered at all: the first save came long before 60 s
    mask = window.document.mask.pixels
    kept = [mask[5 + 10 * (i // 25), 3 + 6 * (i % 25)] == 255 for i in range(len(edits))]
    first_lost = kept.index(False) if False in kept else len(edits)
    assert all(kept[:first_lost])  # the recovery is one consistent moment
    lost_seconds = killed_at - edits[first_lost] if first_lost < len(edits) else 0.0
    print(f"kill -9 after {len(edits)} edits ({first_lost} recovered): {lost_seconds:.1f} s lost")
    assert lost_seconds <= 10.0
    window.document.history.set_clean()


def _store_and_saver(document, tmp_path, seconds=60):
    from editor.autosaver import Autosaver
    from editor.document.autosave import RecoveryStore

    store = RecoveryStore(tmp_path / "recovery")
    return store, Autosaver(document, store, seconds)


def _written(store) -> bool:
    folder = store.session_folder
    return folder is not None and (folder / "info.json").exists()


def test_a_change_is_autosaved_within_seconds_not_at_the_next_tick(qtbot, tmp_path, photo):
    from editor.autosaver import DEBOUNCE_MS
    from editor.document.document import Document

    document = Document()
    document.load(photo.copy())
    store, saver = _store_and_saver(document, tmp_path, seconds=600)
    document.new_layer("Notes")
    qtbot.waitUntil(lambda: _written(store), timeout=DEBOUNCE_MS + 5000)
    written_at = (store.session_folder / "info.json").stat().st_mtime
    document.new_layer("More")  # a change made later is written too
    qtbot.waitUntil(
        lambda: (store.session_folder / "info.json").stat().st_mtime > written_at,
        timeout=DEBOUNCE_MS + 5000,
    )
    saver.finish()


def test_autosave_off_writes_nothing(qtbot, tmp_path, photo):
    from editor.document.document import Document

    document = Document()
    document.load(photo.copy())
    store, saver = _store_and_saver(document, tmp_path, seconds=0)
    document.new_layer("Notes")
    qtbot.wait(2500)
    assert store.session_folder is None
    saver.finish()


def test_recovery_older_than_the_saved_file_is_not_offered(tmp_path, photo):
    import time

    from editor.document.autosave import RecoveryStore, Snapshot
    from editor.fileio.ora import OraLayer

    original = tmp_path / "photo.png"
    crashed = RecoveryStore(tmp_path / "recovery")
    snapshot = Snapshot(160, 120, (OraLayer("photo", photo.copy()),), original, None,
                        time.time() - 30)  # fmt: skip
    crashed.write(snapshot)
    folder = crashed.session_folder
    os.close(crashed._lock_descriptor)  # the instance dies: the OS drops its lock
    crashed._folder = crashed._lock_descriptor = None

    Image.fromarray(photo).save(original)  # saved after the snapshot, then a crash
    later = RecoveryStore(tmp_path / "recovery")
    assert later.pending() == []
    assert not folder.exists()


def test_saving_the_document_drops_its_recovery(recovery_dir, window, qtbot, tmp_path, photo):
    window.autosaver.set_interval(60)
    window.document.load(photo.copy(), tmp_path / "photo.png")
    window.document.new_layer("Notes")
    qtbot.waitUntil(lambda: _written(window.autosaver.store), timeout=8000)
    assert window.save_to(tmp_path / "photo.ora")
    qtbot.waitUntil(lambda: window.autosaver.store.session_folder is None, timeout=8000)
    assert not list(recovery_dir.glob("session-*"))
