"""Operations the user starts: snapshot a request from the document, run it on the engine,
and turn the result into a pending result layer. No widgets here."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from editor.core.pixels import mask_bbox
from editor.document.document import Document
from editor.document.layers import Layer, LayerKind
from editor.engine.engine import Engine
from editor.engine.requests import InpaintRequest
from editor.engine.results import PatchResult


class Operations(QObject):
    busy_changed = Signal(bool)
    message = Signal(str)  # status-bar text
    error = Signal(str)  # shown to the user in a dialog

    def __init__(self, document: Document, engine: Engine, parent: QObject | None = None):
        super().__init__(parent)
        self.document = document
        self.engine = engine
        self.active_job: int | None = None
        engine.finished.connect(self._on_finished)
        engine.failed.connect(self._on_failed)
        engine.cancelled.connect(self._on_cancelled)
        document.reset.connect(self.cancel)  # a result for a replaced image must not land

    def is_busy(self) -> bool:
        return self.active_job is not None

    def erase(self, method: str = "telea") -> int | None:
        """Start erasing the masked area. Returns the job id, or None with a message why not."""
        doc = self.document
        if doc.is_empty():
            self.message.emit("Open an image first.")
            return None
        if mask_bbox(doc.mask.pixels) is None:
            self.message.emit("Paint over what to erase first (brush, B).")
            return None
        request = InpaintRequest(
            image=doc.image_layer.pixels.copy(), mask=doc.mask.pixels.copy(), method=method
        )
        title = "Erase (fast)" if method == "telea" else "Erase"
        return self._submit(request, title)

    def _submit(self, request: object, title: str) -> int | None:
        if self.is_busy():
            self.message.emit("Another operation is running; wait for it or cancel it.")
            return None
        self.active_job = self.engine.submit(request, title)
        self.busy_changed.emit(True)
        return self.active_job

    def cancel(self) -> None:
        if self.active_job is not None:
            self.engine.cancel(self.active_job)
            self._done()

    def _done(self) -> None:
        self.active_job = None
        self.busy_changed.emit(False)

    def _on_finished(self, job_id: int, result: object) -> None:
        if job_id != self.active_job:
            return
        self._done()
        if isinstance(result, PatchResult):
            layer = Layer(
                result.title, LayerKind.RESULT, result.pixels, result.rect.x, result.rect.y
            )
            self.document.set_preview(layer)
            notes = " ".join(result.notices)
            self.message.emit(f"{result.title}: Enter to accept, Esc to discard. {notes}".strip())

    def _on_failed(self, job_id: int, message: str) -> None:
        if job_id == self.active_job:
            self._done()
            self.error.emit(message)

    def _on_cancelled(self, job_id: int) -> None:
        if job_id == self.active_job:
            self._done()
            self.message.emit("Cancelled.")
