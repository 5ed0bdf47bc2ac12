"""Crash recovery in the editor: soon after each change an edited document is written, off the
UI thread, to a recovery folder; the next start after a crash offers it back.

A change starts a short debounce (a burst of strokes is one write); a long burst is still
written within MAX_DELAY_MS of its first change; a change made while a write runs is written
right after it. The periodic timer (Settings) is only a backstop. At most about
MAX_DELAY_MS plus one write's time of work can be lost to a crash.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer, Signal

from editor.document.autosave import (
    AutosaveOutcome,
    AutosaveWriter,
    Recovery,
    RecoveryStore,
    take_snapshot,
    to_layers,
)
from editor.document.document import Document
from editor.document.layers import LayerKind

DEBOUNCE_MS = 1500
MAX_DELAY_MS = 6000


class Autosaver(QObject):
    failed = Signal(str)  # a recovery write failed (disk full, ...): shown in the status bar
    _written = Signal(object)  # AutosaveOutcome, carried from the writer thread

    def __init__(self, document: Document, store: RecoveryStore, seconds: int, parent=None):
        super().__init__(parent)
        self.document = document
        self.store = store
        self.writer = AutosaveWriter(store, on_done=self._written.emit)
        self._written.connect(self._on_written)
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.save_now)
        self._debounce = self._single_shot(DEBOUNCE_MS)
        self._deadline = self._single_shot(MAX_DELAY_MS)
        self._unwritten = False  # a change not yet handed to the writer
        self._clear_when_idle = False  # saved while a write ran: drop the recovery after it
        self.enabled = False
        document.history_changed.connect(self._on_change)
        self.set_interval(seconds)

    def _single_shot(self, milliseconds: int) -> QTimer:
        timer = QTimer(self)
        timer.setSingleShot(True)
        timer.setInterval(milliseconds)
        timer.timeout.connect(self._flush)
        return timer

    def set_interval(self, seconds: int) -> None:
        """Autosave on (the backstop timer every `seconds`) or off (0)."""
        self.timer.stop()
        self.enabled = seconds > 0
        if self.enabled:
            self.timer.start(seconds * 1000)
        else:
            self._debounce.stop()
            self._deadline.stop()

    def _on_change(self) -> None:
        if not self.enabled:
            return
        self._unwritten = True
        self._debounce.start()
        if not self._deadline.isActive():
            self._deadline.start()

    def _flush(self) -> None:
        self._debounce.stop()
        self._deadline.stop()
        if not self.save_now() and self._unwritten:
            self._debounce.start()  # a write is running: try again shortly

    def save_now(self) -> bool:
        """Write a snapshot if there are unsaved changes and no write is running."""
        doc = self.document
        if doc.is_empty() or not doc.is_modified():
            self._unwritten = False
            return False
        layers = [*doc.layers, doc.mask, doc.hints]
        submitted = self.writer.submit_lazy(
            lambda: take_snapshot(doc.width, doc.height, layers, doc.path)
        )
        if submitted:
            self._unwritten = False
            self._clear_when_idle = False
        return submitted

    def saved(self) -> None:
        """The document was saved whole: its recovery is older than the file, drop it."""
        self._unwritten = False
        self._debounce.stop()
        self._deadline.stop()
        if self.writer.busy:
            self._clear_when_idle = True  # never block the UI thread on a running write
        else:
            self.store.clear()

    def _on_written(self, outcome: AutosaveOutcome) -> None:
        if outcome.error:
            self.failed.emit(f"Autosave failed: {outcome.error}")
        if self._clear_when_idle:  # that write began before the save: it is stale
            self._clear_when_idle = False
            self.store.clear()
        if self._unwritten and self.enabled:
            self._flush()  # changes made during that write

    # -- after a crash
    def pending(self) -> list[Recovery]:
        return self.store.pending()

    def restore(self, recovery: Recovery, max_pixels: int) -> list[str]:
        """Load `recovery` into the document as unsaved work; the recovery is then removed."""
        restored = self.store.restore(recovery, max_pixels)
        layers = to_layers(restored.layers)
        masks = [layer.pixels for layer in layers if layer.kind is LayerKind.MASK]
        hints = [layer for layer in layers if layer.kind is LayerKind.HINTS]
        stack = [layer for layer in layers if layer.kind not in (LayerKind.MASK, LayerKind.HINTS)]
        self.document.load_layers(
            restored.width,
            restored.height,
            stack,
            restored.original_path,
            masks[0] if masks else None,
            hints[0] if hints else None,
        )
        self.document.history.mark_unsaved()
        self.store.discard(recovery)
        return restored.notices

    def discard(self, recovery: Recovery) -> None:
        self.store.discard(recovery)

    def finish(self) -> None:
        """A clean exit: stop writing and remove this session's recovery files."""
        self.timer.stop()
        self._debounce.stop()
        self._deadline.stop()
        self.writer.close(wait=True)
        self.store.clear()
