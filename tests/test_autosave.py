"""Autosave and crash recovery (editor.document.autosave), without Qt."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import numpy as np
import pytest

from editor.document.autosave import (
    ENV_VAR,
    AutosaveWriter,
    RecoveryStore,
    Snapshot,
    recovery_dir,
    take_snapshot,
    to_layers,
)
from editor.document.layers import Layer, LayerKind
from editor.fileio.ora import OraLayer

ROOT = Path(__file__).resolve().parents[1]


def _layers() -> list[Layer]:
    rng = np.random.default_rng(5)
    image = rng.integers(0, 256, (30, 40, 4), dtype=np.uint8)
    image[..., 3] = 255
    sketch = rng.integers(0, 256, (10, 12, 4), dtype=np.uint8)
    mask = np.zeros((30, 40), np.uint8)
    mask[3:9, 4:20] = 255
    return [
        Layer("Photo", LayerKind.IMAGE, image),
        Layer("Lines", LayerKind.SKETCH, sketch, x=3, y=-2, opacity=0.5, blend_mode="multiply"),
        Layer("Mask", LayerKind.MASK, mask, locked=True),
    ]


def _assert_same(restored: list[OraLayer], layers: list[Layer]) -> None:
    assert [layer.name for layer in restored] == [layer.name for layer in layers]
    for read, live in zip(restored, layers, strict=True):
        np.testing.assert_array_equal(read.pixels, live.pixels)
        assert (read.x, read.y, read.opacity, read.visible) == (
            live.x,
            live.y,
            live.opacity,
            live.visible,
        )
        assert (read.blend_mode, read.locked, read.kind) == (
            live.blend_mode,
            live.locked,
            live.kind.value,
        )


def test_recovery_dir_honours_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv(ENV_VAR, str(tmp_path / "rec"))
    assert recovery_dir() == tmp_path / "rec"
    monkeypatch.delenv(ENV_VAR)
    assert recovery_dir().name == "recovery" and "retouch" in str(recovery_dir())


def test_write_pending_restore_clear(tmp_path):
    layers = _layers()
    store = RecoveryStore(tmp_path)
    assert store.session_folder is None and store.pending() == []
    ora = store.write(take_snapshot(40, 30, layers, Path("/pictures/cat.png")))
    assert ora.is_file() and store.session_folder is not None
    info = json.loads((store.session_folder / "info.json").read_text())
    assert info["original_path"] == "/pictures/cat.png" and info["layers"] == 3
    assert store.pending() == []  # our own, live session is never offered

    other = RecoveryStore(tmp_path)
    assert other.pending() == []  # held by a live store (in this process)
    os.close(store._lock_descriptor)  # simulate the owner dying: the OS drops its lock
    store._lock_descriptor = None
    (recovery,) = other.pending()
    assert recovery.original_path == Path("/pictures/cat.png")
    assert (recovery.width, recovery.height, recovery.layer_count) == (40, 30, 3)
    restored = other.restore(recovery)
    assert (restored.width, restored.height) == (40, 30)
    assert restored.original_path == Path("/pictures/cat.png")
    _assert_same(restored.layers, layers)
    back = to_layers(restored.layers)
    assert [layer.kind for layer in back] == [layer.kind for layer in layers]
    assert back[2].pixels.shape == (30, 40) and back[1].blend_mode == "multiply"
    other.discard(recovery)
    assert other.pending() == [] and not recovery.folder.exists()


def test_clean_exit_removes_the_session(tmp_path):
    store = RecoveryStore(tmp_path)
    store.write(take_snapshot(40, 30, _layers()))
    folder = store.session_folder
    store.clear()
    assert not folder.exists() and store.session_folder is None
    assert RecoveryStore(tmp_path).pending() == []
    store.write(take_snapshot(40, 30, _layers()))  # usable again after clear
    assert store.session_folder.is_dir() and store.session_folder != folder
    store.clear()


def test_snapshot_keeps_the_state_it_was_taken_at(tmp_path):
    layers = _layers()
    expected = [layer.pixels.copy() for layer in layers]
    snapshot = take_snapshot(40, 30, layers)
    for layer in layers:  # keep painting after the snapshot
        layer.pixels[...] = 7
    writer = AutosaveWriter(RecoveryStore(tmp_path / "a"))
    assert writer.submit(snapshot)
    assert writer.wait(30)
    writer.close()
    assert writer.last_outcome.error is None
    restored = RecoveryStore(tmp_path / "b").restore(_only_recovery(tmp_path / "a"))
    for read, pixels in zip(restored.layers, expected, strict=True):
        np.testing.assert_array_equal(read.pixels, pixels)


def _only_recovery(root: Path):
    """The single recovery under `root`, read as if its writer had died."""
    from editor.document.autosave import _read_info

    (folder,) = [p for p in root.iterdir() if p.is_dir()]
    return _read_info(folder)


class _SlowStore(RecoveryStore):
    def __init__(self, root: Path) -> None:
        super().__init__(root)
        self.release = threading.Event()
        self.written: list[Snapshot] = []

    def write(self, snapshot: Snapshot) -> Path:
        assert self.release.wait(30)
        self.written.append(snapshot)
        return super().write(snapshot)


def test_writer_drops_snapshots_while_busy_and_reports_on_done(tmp_path):
    store = _SlowStore(tmp_path)
    outcomes = []
    writer = AutosaveWriter(store, on_done=outcomes.append)
    first = take_snapshot(40, 30, _layers())
    assert writer.submit(first) and writer.busy
    assert not writer.submit(take_snapshot(40, 30, _layers()))
    calls = []
    assert not writer.submit_lazy(lambda: calls.append(1))  # not even copied while busy
    assert calls == []
    store.release.set()
    assert writer.wait(30)
    assert not writer.busy and store.written == [first]
    assert len(outcomes) == 1 and outcomes[0].error is None and outcomes[0].path.is_file()
    assert writer.submit_lazy(lambda: take_snapshot(40, 30, _layers()))
    writer.close()
    assert len(store.written) == 2
    assert not writer.submit(first)  # closed
    store.clear()


def test_write_errors_are_reported_not_raised(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("a file where the recovery folder should be")
    outcomes = []
    writer = AutosaveWriter(RecoveryStore(blocker / "recovery"), on_done=outcomes.append)
    assert writer.submit(take_snapshot(40, 30, _layers()))
    writer.close()
    (outcome,) = outcomes
    assert outcome.path is None and "recovery folder" in outcome.error


_CHILD = textwrap.dedent(
    """
    import os, signal, sys
    from pathlib import Path
    import numpy as np
    from editor.document.autosave import AutosaveWriter, RecoveryStore, take_snapshot
    from editor.document.layers import Layer, LayerKind

    pixels = np.zeros((20, 30, 4), np.uint8)
    pixels[..., 3] = 255
    pixels[5:10, 5:10, 0] = 255  # the edit that must survive
    layers = [Layer("Edited", LayerKind.IMAGE, pixels)]
    writer = AutosaveWriter(RecoveryStore())
    assert writer.submit(take_snapshot(30, 20, layers, Path("/tmp/edited.png")))
    assert writer.wait(60) and writer.last_outcome.error is None, writer.last_outcome
    if sys.argv[1] == "crash":
        os.kill(os.getpid(), signal.SIGKILL)
    print("ready", flush=True)
    sys.stdin.read()  # stay alive until the parent lets go
    """
)


def _child(tmp_path: Path, mode: str) -> subprocess.Popen:
    env = dict(os.environ, **{ENV_VAR: str(tmp_path)})
    return subprocess.Popen(
        [sys.executable, "-c", _CHILD, mode],
        cwd=ROOT,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )


@pytest.mark.skipif(os.name != "posix", reason="SIGKILL is POSIX")
def test_a_killed_process_leaves_a_recovery_the_next_start_finds(tmp_path):
    child = _child(tmp_path, "crash")
    child.communicate(timeout=120)
    assert child.returncode == -signal.SIGKILL
    (recovery,) = RecoveryStore(tmp_path).pending()
    assert recovery.original_path == Path("/tmp/edited.png")
    restored = RecoveryStore(tmp_path).restore(recovery)
    (layer,) = restored.layers
    assert layer.name == "Edited" and (layer.pixels[5:10, 5:10, 0] == 255).all()
    assert layer.pixels[..., 0].sum() == 25 * 255


def test_a_live_session_of_another_process_is_not_offered(tmp_path):
    child = _child(tmp_path, "live")
    try:
        assert child.stdout.readline().strip() == "ready"
        sessions = [p for p in tmp_path.iterdir() if p.is_dir()]
        assert len(sessions) == 1 and (sessions[0] / "document.ora").is_file()
        assert (sessions[0] / "lock").read_text().strip() == str(child.pid)
        store = RecoveryStore(tmp_path)
        assert store.pending() == []
        with pytest.raises(ValueError):
            store.discard(_only_recovery(tmp_path))
    finally:
        child.kill()
        child.communicate(timeout=60)
    assert len(RecoveryStore(tmp_path).pending()) == 1  # once it is gone, it is a crash


def test_dead_sessions_without_a_snapshot_are_swept(tmp_path):
    empty = tmp_path / "session-1-2-abc"
    empty.mkdir()
    (empty / "lock").write_text("999999\n")
    (tmp_path / "unrelated").mkdir()
    assert RecoveryStore(tmp_path).pending() == []
    assert not empty.exists() and (tmp_path / "unrelated").exists()


def test_a_deleted_session_folder_is_recreated_and_merged_image_is_composed(tmp_path):
    import shutil

    from editor.core.pixels import over
    from editor.fileio.ora import read_merged

    store = RecoveryStore(tmp_path)
    layers = _layers()
    store.write(take_snapshot(40, 30, layers))
    shutil.rmtree(store.session_folder)  # someone cleaned the state folder
    ora = store.write(take_snapshot(40, 30, layers))
    assert ora.is_file()
    # mergedimage.png: the photo, the sketch multiplied at half opacity, no mask.
    expected = layers[0].pixels.copy()
    region = expected[0:8, 3:15]
    region[...] = over(region, layers[1].pixels[2:10, 0:12], 0.5, "multiply")
    np.testing.assert_array_equal(read_merged(ora), expected)
    store.clear()
