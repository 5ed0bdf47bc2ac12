"""Autosave and crash recovery, with no Qt: a recovery folder, a store and a background writer.

Layout: <recovery dir>/session-<pid>-<time>-<id>/ holds, for one running instance,
- `lock`: the owner's PID, kept locked (flock / msvcrt) while the instance runs; the OS drops
  the lock when the process dies, even on SIGKILL, so a live session is never taken over;
- `document.ora`: the last snapshot (OpenRaster, written atomically);
- `info.json`: the original file path, the time, the size (written atomically after the .ora).
A clean exit removes the folder (RecoveryStore.clear). Any other session folder whose lock is
free is a crash to recover from.

The recovery dir is platformdirs.user_state_dir("retouch")/recovery, or $RETOUCH_RECOVERY_DIR.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from editor.core.pixels import over
from editor.document.layers import Layer, LayerKind
from editor.fileio.atomic import write_bytes_atomic
from editor.fileio.errors import ImageFileError
from editor.fileio.load import DEFAULT_MAX_PIXELS
from editor.fileio.ora import OVERLAY_KINDS, OraLayer, hint_dots, read_ora, write_ora

ENV_VAR = "RETOUCH_RECOVERY_DIR"
SESSION_PREFIX = "session-"
LOCK_NAME, ORA_NAME, INFO_NAME = "lock", "document.ora", "info.json"
INFO_VERSION = 1
_WINDOWS_LOCK_OFFSET = 4096  # msvcrt locks a byte range; keep it clear of the PID text

log = logging.getLogger(__name__)


def recovery_dir() -> Path:
    """Where recovery sessions live ($RETOUCH_RECOVERY_DIR overrides, e.g. in tests)."""
    override = os.environ.get(ENV_VAR)
    if override:
        return Path(override)
    import platformdirs

    return Path(platformdirs.user_state_dir("retouch")) / "recovery"


# ---------------------------------------------------------------- snapshots


@dataclass(frozen=True, eq=False)
class Snapshot:
    """The document as it was at one moment; owns its arrays (nobody else writes them).

    `layers` bottom to top (RGBA uint8, or HxW uint8 for kind "mask"); `merged` the
    HxWx4 RGBA uint8 composite when the caller has one, else it is made on the writer thread.
    """

    width: int
    height: int
    layers: tuple[OraLayer, ...]
    original_path: Path | None = None
    merged: np.ndarray | None = None
    taken_at: float = field(default_factory=time.time)


def take_snapshot(
    width: int, height: int, layers: Sequence[Layer], original_path: Path | None = None
) -> Snapshot:
    """Copy what autosave needs from live layers; call on the thread that edits them.

    Cost: one memcpy of each layer's pixels (about 10 ms per 12 MP RGBA layer); the
    PNG encoding and writing happen later on the writer thread. A hint layer is kept while it
    has hints, as its points and their dots.
    """
    copies = []
    for layer in layers:
        pixels, x, y = layer.pixels, layer.x, layer.y
        if layer.kind is LayerKind.HINTS:
            if not layer.points:
                continue
            pixels, x, y = hint_dots(layer.points, width, height)
        copies.append(
            OraLayer(
                name=layer.name,
                pixels=pixels.copy(),
                x=x,
                y=y,
                opacity=layer.opacity,
                visible=layer.visible,
                blend_mode=layer.blend_mode,
                locked=layer.locked,
                kind=layer.kind.value,
                hints=layer.points,
            )
        )
    return Snapshot(width, height, tuple(copies), original_path)


def to_layers(ora_layers: Sequence[OraLayer]) -> list[Layer]:
    """Document layers from OraLayers (as read_ora and RecoveryStore.restore return them).

    Bottom to top, arrays shared (not copied); kind strings map to LayerKind, so a "mask"
    layer comes back with HxW uint8 pixels, ready to be the document's mask.
    """
    shared = ("name", "pixels", "x", "y", "visible", "opacity", "blend_mode", "locked")
    return [
        Layer(**{field: getattr(layer, field) for field in shared},
              kind=LayerKind(layer.kind), points=tuple(layer.hints))  # fmt: skip
        for layer in ora_layers
    ]


def compose(width: int, height: int, layers: Sequence[OraLayer]) -> np.ndarray:
    """HxWx4 RGBA uint8 composite of the visible non-mask layers (for mergedimage.png)."""
    out = np.zeros((height, width, 4), np.uint8)
    first = True
    for layer in layers:
        if not layer.visible or layer.kind in OVERLAY_KINDS or layer.pixels.ndim != 3:
            continue
        layer_h, layer_w = layer.pixels.shape[:2]
        left, top = max(layer.x, 0), max(layer.y, 0)
        right, bottom = min(layer.x + layer_w, width), min(layer.y + layer_h, height)
        if right <= left or bottom <= top:
            continue
        src = layer.pixels[top - layer.y : bottom - layer.y, left - layer.x : right - layer.x]
        dst = out[top:bottom, left:right]
        if first and layer.opacity >= 1.0 and dst.shape == out.shape:
            dst[...] = src  # the common opaque background: a copy, not a blend
        else:
            dst[...] = over(dst, src, layer.opacity, layer.blend_mode)
        first = False
    return out


# ---------------------------------------------------------------- session locks


def _pid_alive(pid: int) -> bool:
    """Whether a process with this PID exists (fallback when file locks are unavailable)."""
    if pid <= 0:
        return False
    if os.name == "nt":  # os.kill would terminate the process on Windows
        import ctypes

        synchronize, wait_timeout = 0x00100000, 0x102
        kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined]
        handle = kernel32.OpenProcess(synchronize, False, pid)
        if not handle:
            return False
        try:
            return bool(kernel32.WaitForSingleObject(handle, 0) == wait_timeout)
        finally:
            kernel32.CloseHandle(handle)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _try_lock(descriptor: int) -> bool:
    """Take an exclusive, non-blocking lock; False when another open file holds it."""
    if os.name == "nt":
        import msvcrt

        os.lseek(descriptor, _WINDOWS_LOCK_OFFSET, os.SEEK_SET)
        try:
            # Windows-only: the stubs define msvcrt's functions only when checking for win32.
            msvcrt.locking(descriptor, msvcrt.LK_NBLCK, 1)  # type: ignore[attr-defined]
        except OSError:
            return False
        return True
    import fcntl

    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _unlock(descriptor: int) -> None:
    if os.name == "nt":
        import msvcrt

        os.lseek(descriptor, _WINDOWS_LOCK_OFFSET, os.SEEK_SET)
        with contextlib.suppress(OSError):
            # Windows-only: the stubs define msvcrt's functions only when checking for win32.
            msvcrt.locking(descriptor, msvcrt.LK_UNLCK, 1)  # type: ignore[attr-defined]
        return
    import fcntl

    fcntl.flock(descriptor, fcntl.LOCK_UN)


def session_is_live(folder: Path) -> bool:
    """True while the instance that owns `folder` is running (its lock is held)."""
    lock = folder / LOCK_NAME
    try:
        descriptor = os.open(lock, os.O_RDWR)
    except FileNotFoundError:
        return False
    try:
        if _try_lock(descriptor):
            _unlock(descriptor)
            return False
        return True
    except OSError:
        # No lock support here (some network drives): fall back to the recorded PID.
        try:
            os.lseek(descriptor, 0, os.SEEK_SET)
            pid = int(os.read(descriptor, 64).split(b"\n", 1)[0] or b"0")
        except (OSError, ValueError):
            return False
        return _pid_alive(pid)
    finally:
        os.close(descriptor)


# ---------------------------------------------------------------- the store


@dataclass(frozen=True)
class Recovery:
    """A crashed session's autosave, as offered to the user on start."""

    folder: Path
    original_path: Path | None
    saved_at: float  # seconds since the epoch
    width: int
    height: int
    layer_count: int

    @property
    def ora_path(self) -> Path:
        return self.folder / ORA_NAME

    def is_superseded(self) -> bool:
        """The document's file was written after this snapshot was taken (saved, then the
        editor crashed): restoring it would bring back older work over newer."""
        if self.original_path is None:
            return False
        try:
            return self.original_path.stat().st_mtime >= self.saved_at
        except OSError:
            return False


@dataclass
class Restored:
    """A recovery read back: canvas size, layers bottom to top (as in read_ora), notices."""

    width: int
    height: int
    layers: list[OraLayer]
    original_path: Path | None
    notices: list[str] = field(default_factory=list)


class RecoveryStore:
    """This instance's recovery session, and the crashed sessions of earlier instances.

    Nothing is created on disk until the first write. `write` may run on a worker thread;
    `clear` waits for a write in progress.
    """

    def __init__(
        self,
        root: Path | None = None,
        compress_level: int = 1,
        composer: Callable[[int, int, Sequence[OraLayer]], np.ndarray] = compose,
    ) -> None:
        self.root = Path(root) if root is not None else recovery_dir()
        self.compress_level = compress_level
        self.composer = composer
        self._guard = threading.Lock()
        self._folder: Path | None = None
        self._lock_descriptor: int | None = None

    @property
    def session_folder(self) -> Path | None:
        """This instance's folder, once something was written."""
        return self._folder

    def _open_session(self) -> Path:
        if self._folder is not None and self._folder.is_dir():
            return self._folder
        if self._lock_descriptor is not None:  # the folder was deleted under us: start anew
            os.close(self._lock_descriptor)
            self._folder = self._lock_descriptor = None
        name = f"{SESSION_PREFIX}{os.getpid()}-{int(time.time())}-{uuid.uuid4().hex[:8]}"
        folder = self.root / name
        try:
            folder.mkdir(parents=True)
            descriptor = os.open(folder / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as error:
            raise ImageFileError(
                f"Could not create the recovery folder {folder}: {error.strerror or error}"
            ) from error
        try:
            locked = _try_lock(descriptor)
        except OSError:
            locked = False  # no lock support: the PID below is the fallback
        if not locked:
            log.warning("recovery session %s is not locked; relying on its PID", folder)
        os.lseek(descriptor, 0, os.SEEK_SET)
        os.write(descriptor, f"{os.getpid()}\n".encode())
        self._folder, self._lock_descriptor = folder, descriptor
        return folder

    def write(self, snapshot: Snapshot) -> Path:
        """Write `snapshot` atomically (.ora, then info.json). Returns the .ora path.

        Raises ImageFileError when the disk refuses; the previous recovery stays intact.
        """
        merged = snapshot.merged
        if merged is None:
            merged = self.composer(snapshot.width, snapshot.height, snapshot.layers)
        info = {
            "version": INFO_VERSION,
            "original_path": str(snapshot.original_path) if snapshot.original_path else None,
            "saved_at": snapshot.taken_at,
            "width": snapshot.width,
            "height": snapshot.height,
            "layers": len(snapshot.layers),
            "pid": os.getpid(),
        }
        with self._guard:
            folder = self._open_session()
            ora_path = folder / ORA_NAME
            write_ora(
                ora_path,
                snapshot.width,
                snapshot.height,
                snapshot.layers,
                merged,
                compress_level=self.compress_level,
            )
            write_bytes_atomic(folder / INFO_NAME, json.dumps(info, indent=1).encode())
        return ora_path

    def pending(self) -> list[Recovery]:
        """Recoveries left by instances that are no longer running, newest first.

        Dead sessions that never wrote anything, and recoveries older than their document's
        file on disk (it was saved after them), are removed on the way.
        """
        if not self.root.is_dir():
            return []
        found: list[Recovery] = []
        for folder in self.root.iterdir():
            if not folder.name.startswith(SESSION_PREFIX) or not folder.is_dir():
                continue
            if folder == self._folder or session_is_live(folder):
                continue
            recovery = _read_info(folder)
            if recovery is None:
                if not (folder / ORA_NAME).exists():
                    shutil.rmtree(folder, ignore_errors=True)
                continue
            if recovery.is_superseded():
                log.info("recovery %s is older than %s: removed", folder, recovery.original_path)
                shutil.rmtree(folder, ignore_errors=True)
                continue
            found.append(recovery)
        found.sort(key=lambda recovery: recovery.saved_at, reverse=True)
        return found

    def restore(self, recovery: Recovery, max_pixels: int = DEFAULT_MAX_PIXELS) -> Restored:
        """Read a recovery back (raises ImageFileError when it is damaged)."""
        image = read_ora(recovery.ora_path, max_pixels)
        return Restored(
            image.width, image.height, image.layers, recovery.original_path, image.notices
        )

    def discard(self, recovery: Recovery) -> None:
        """Delete a crashed session's files (after restoring it, or when the user declines)."""
        if recovery.folder == self._folder or session_is_live(recovery.folder):
            raise ValueError(f"{recovery.folder} belongs to a running instance")
        shutil.rmtree(recovery.folder, ignore_errors=True)

    def clear(self) -> None:
        """Remove this instance's session (clean exit, or the document was saved/closed)."""
        with self._guard:
            folder, descriptor = self._folder, self._lock_descriptor
            self._folder = self._lock_descriptor = None
            if folder is None:
                return
            # info.json first: a folder without it is never offered, even while unlocked.
            with contextlib.suppress(OSError):
                (folder / INFO_NAME).unlink()
            if descriptor is not None:
                with contextlib.suppress(OSError):
                    _unlock(descriptor)
                os.close(descriptor)
            shutil.rmtree(folder, ignore_errors=True)


def _read_info(folder: Path) -> Recovery | None:
    """The recovery described by folder/info.json, or None when it is missing or unreadable."""
    try:
        info = json.loads((folder / INFO_NAME).read_text(encoding="utf-8"))
        if not (folder / ORA_NAME).is_file():
            return None
        original = info.get("original_path")
        return Recovery(
            folder=folder,
            original_path=Path(original) if original else None,
            saved_at=float(info["saved_at"]),
            width=int(info["width"]),
            height=int(info["height"]),
            layer_count=int(info["layers"]),
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None


# ---------------------------------------------------------------- background writer


@dataclass(frozen=True)
class AutosaveOutcome:
    """How one background write went: `path` on success, `error` (a message) on failure."""

    path: Path | None
    error: str | None
    seconds: float


class AutosaveWriter:
    """Writes snapshots to a RecoveryStore on one background thread, one at a time.

    A snapshot offered while a write is running is dropped (the next timer tick brings a
    newer one). `on_done(outcome)` runs ON THE WORKER THREAD: forward it to the UI thread
    (e.g. emit a Qt signal with a queued connection) before touching widgets.
    """

    def __init__(
        self, store: RecoveryStore, on_done: Callable[[AutosaveOutcome], None] | None = None
    ) -> None:
        self.store = store
        self.on_done = on_done
        self.last_outcome: AutosaveOutcome | None = None
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="retouch-autosave")
        self._state = threading.Lock()
        self._future: Future[None] | None = None
        self._closed = False

    @property
    def busy(self) -> bool:
        with self._state:
            return self._future is not None and not self._future.done()

    def submit(self, snapshot: Snapshot) -> bool:
        """Queue `snapshot` for writing; False (dropped) while a write is running."""
        return self.submit_lazy(lambda: snapshot)

    def submit_lazy(self, make_snapshot: Callable[[], Snapshot]) -> bool:
        """Call `make_snapshot` (on this thread) and queue its result, only when idle.

        Saves the copy entirely when a write is still running. False when dropped.
        """
        with self._state:
            if self._closed or (self._future is not None and not self._future.done()):
                return False
            snapshot = make_snapshot()
            self._future = self._executor.submit(self._write, snapshot)
            return True

    def _write(self, snapshot: Snapshot) -> None:
        started = time.perf_counter()
        try:
            path = self.store.write(snapshot)
            outcome = AutosaveOutcome(path, None, time.perf_counter() - started)
        except ImageFileError as error:
            outcome = AutosaveOutcome(None, str(error), time.perf_counter() - started)
        except Exception as error:  # a bug: keep the app running, report it loudly
            log.exception("autosave failed")
            outcome = AutosaveOutcome(
                None, f"Autosave failed: {error!r}", time.perf_counter() - started
            )
        self.last_outcome = outcome
        if self.on_done is not None:
            self.on_done(outcome)

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the running write (if any) ends; False on timeout."""
        with self._state:
            future = self._future
        if future is None:
            return True
        try:
            future.result(timeout)
        except TimeoutError:
            return False
        return True

    def close(self, wait: bool = True) -> None:
        """Stop accepting snapshots; with `wait`, let a running write finish first."""
        with self._state:
            self._closed = True
        self._executor.shutdown(wait=wait)
