"""Crash recovery in the editor: every few seconds an edited document is written, off the UI
thread, to a recovery folder; the next start after a crash offers it back."""

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
        self.set_interval(seconds)

    def set_interval(self, seconds: int) -> None:
        self.timer.stop()
        if seconds > 0:
            self.timer.start(seconds * 1000)

    def save_now(self) -> bool:
        """Write a snapshot if there are unsaved changes and no write is running."""
        doc = self.document
        if doc.is_empty() or not doc.is_modified():
            return False
        layers = [*doc.layers, doc.mask]
        return self.writer.submit_lazy(
            lambda: take_snapshot(doc.width, doc.height, layers, doc.path)
        )

    def _on_written(self, outcome: AutosaveOutcome) -> None:
        if outcome.error:
            self.failed.emit(f"Autosave failed: {outcome.error}")

    # -- after a crash
    def pending(self) -> list[Recovery]:
        return self.store.pending()

    def restore(self, recovery: Recovery, max_pixels: int) -> list[str]:
        """Load `recovery` into the document as unsaved work; the recovery is then removed."""
        restored = self.store.restore(recovery, max_pixels)
        layers = to_layers(restored.layers)
        masks = [layer.pixels for layer in layers if layer.kind is LayerKind.MASK]
        stack = [layer for layer in layers if layer.kind is not LayerKind.MASK]
        self.document.load_layers(
            restored.width,
            restored.height,
            stack,
            restored.original_path,
            masks[0] if masks else None,
        )
        self.document.history.mark_unsaved()
        self.store.discard(recovery)
        return restored.notices

    def discard(self, recovery: Recovery) -> None:
        self.store.discard(recovery)

    def finish(self) -> None:
        """A clean exit: stop writing and remove this session's recovery files."""
        self.timer.stop()
        self.writer.close(wait=True)
        self.store.clear()
