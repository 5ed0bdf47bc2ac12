"""Operations the user starts: snapshot a request from the document, run it on the engine,
and turn the result into a pending result layer. No widgets here."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
from PySide6.QtCore import QObject, Signal

from editor.core.geometry import Rect
from editor.core.pixels import mask_bbox
from editor.core.selection import combine
from editor.document.document import Document
from editor.document.layers import Layer, LayerKind
from editor.engine.colorize import DEFAULT_VIBRANCE, ColorizeRequest, ColorSuggestRequest
from editor.engine.denoise import DenoiseRequest
from editor.engine.engine import Engine
from editor.engine.inpaint import default_erase_method
from editor.engine.models import (
    FetchModelRequest,
    ImportModelRequest,
    ModelStatus,
    ModelStatusRequest,
    Readiness,
    ReadinessRequest,
)
from editor.engine.requests import InpaintRequest, UpscaleRequest
from editor.engine.results import PatchResult
from editor.engine.select import SmartSelectRequest
from editor.engine.sketch import DEFAULT_SUBJECT, SketchRequest
from editor.engine.stylize import StylizeRequest
from editor.ops.registry import for_request, operation
from editor.settings import Settings


class Operations(QObject):
    busy_changed = Signal(bool)
    message = Signal(str)  # status-bar text
    error = Signal(str)  # shown to the user in a dialog
    models_changed = Signal(object)  # ModelStatus: which weights are on disk for a task
    readiness_changed = Signal()  # not_ready changed: menus grey out what cannot run

    def __init__(self, document: Document, engine: Engine, settings: Settings | None = None,
                 parent: QObject | None = None):  # fmt: skip
        super().__init__(parent)
        self.document = document
        self.engine = engine
        self.settings = settings or Settings()
        self.active_job: int | None = None  # the one user-visible job (progress bar, Cancel)
        self._on_result: dict[int, Callable[[object], None]] = {}
        self._operation_of: dict[int, str] = {}  # job -> the id of the operation it runs
        self._result_operation = ""  # the operation whose result is being shown
        self._notices: list[str] = []  # what the engine said about the job being finished
        self._last_preview: tuple[int, np.ndarray] | None = None  # (job, image) forming live
        self._previewing = False  # the active job is a quick preview that a newer one replaces
        # The pending Colorize result when only its visible part follows the latest hints.
        self.partial_colorize: Layer | None = None
        # Operation id -> why it cannot run (weights missing); filled by refresh_readiness.
        self.not_ready: dict[str, str] = {}
        engine.finished.connect(self._on_finished)
        engine.failed.connect(self._on_failed)
        engine.cancelled.connect(self._on_cancelled)
        engine.noticed.connect(self._on_noticed)
        engine.preview.connect(self._on_preview)
        document.reset.connect(self._on_document_reset)

    def is_busy(self) -> bool:
        return self.active_job is not None

    def is_previewing(self) -> bool:
        """Whether the running job is a quick preview (a newer one replaces it)."""
        return self.is_busy() and self._previewing

    # -- operations
    def erase(self, method: str | None = None) -> int | None:
        """Start erasing the masked area (with the default method unless `method` is given).
        Returns the job id, or None with a message why not."""
        method = method or default_erase_method()
        doc = self.document
        if not self._has_image():
            return None
        if mask_bbox(doc.mask.pixels) is None:
            self.message.emit("Paint over what to erase first (brush, B).")
            return None
        request = InpaintRequest(
            image=doc.canvas_pixels(doc.image_layer), mask=doc.mask.pixels.copy(), method=method
        )
        title = "Erase (fast)" if method == "telea" else "Erase"
        return self._submit(request, title, self._show_patch)

    def upscale(self, scale: int, model: str) -> int | None:
        if not self._has_image():
            return None
        tile = self.settings.tile_size or None
        request = UpscaleRequest(
            image=self.document.canvas_pixels(self.document.image_layer),
            scale=scale,
            model=model,
            tile=tile,
        )
        return self._submit(
            request, f"Upscale ×{scale}", lambda result: self._show_dense(result, scale)
        )

    def smart_select(self, rect, foreground=None, background=None, mode: str = "replace"):
        """GrabCut inside `rect` (refined by hint masks); the result combines with the mask."""
        if not self._has_image():
            return None
        request = SmartSelectRequest(
            self.document.canvas_pixels(self.document.image_layer), rect, foreground, background
        )
        return self._submit(
            request,
            "Smart select",
            lambda result: self.document.set_mask(
                combine(self.document.mask.pixels, result.mask, mode), "Smart select"
            ),
        )

    def stylize(self, style: np.ndarray, strength: float, size: int, iterations: int,
                inside_mask: bool) -> int | None:  # fmt: skip
        """Gatys style transfer; previews appear while it optimises, Cancel keeps the last.
        `size` 0: the photo's own, up to the device's cap."""
        if not self._has_image():
            return None
        doc = self.document
        mask = doc.mask.pixels.copy() if inside_mask and mask_bbox(doc.mask.pixels) else None
        image = doc.canvas_pixels(doc.image_layer)
        request = StylizeRequest(image=image, style=style, strength=strength,
                                 iterations=iterations, size=size or None,
                                 mask=mask)  # fmt: skip
        return self._submit(request, "Style transfer", self._show_patch)

    def colorize(self, hints=(), strength: float = 1.0, inside_mask: bool = False,
                 vibrance: float = DEFAULT_VIBRANCE, region=None, patch: bool = False,
                 then: Callable[[], None] | None = None) -> int | None:  # fmt: skip
        """Colour a B&W photo; `hints` are (x, y, (r, g, b)) points the user placed. With
        `region` (the visible part) it is a quick preview that a newer one replaces. `patch`
        (the hints changed while a Colorize result is pending): the region's colours replace
        that part of the pending result, which is then `partial_colorize` until coloured whole
        again. `then()` runs once the result is shown."""
        region = self._preview_region(region)
        if region is None:
            return None
        doc = self.document
        request = ColorizeRequest(doc.canvas_pixels(doc.image_layer), tuple(hints), strength,
                                  self._mask_if(inside_mask), vibrance, region)  # fmt: skip
        show = self._patch_colorize if patch else self._show_patch

        def shown(result: PatchResult) -> None:
            show(result)
            if then is not None:
                then()

        job = self._submit(request, "Colorize", shown)
        self._previewing = region != doc.full_rect()
        return job

    def _preview_region(self, region: Rect | None) -> Rect | None:
        """The part of the image a previewable job covers (None: all of it), clamped; None
        without an image. A newer preview replaces a running one."""
        if not self._has_image():
            return None
        doc = self.document
        if self.is_busy() and self._previewing:
            self.cancel()
        return (region or doc.full_rect()).clamped(doc.width, doc.height)

    def _patch_colorize(self, result: PatchResult) -> None:
        """Put a re-coloured part into the pending Colorize result (or show it as the result
        when none covers it)."""
        doc, pending, rect = self.document, self.document.preview, result.rect
        covered = (
            pending is not None
            and pending.operation == self._result_operation
            and pending.scale == 1
            and pending.rect.intersected(rect) == rect
        )
        if not covered:
            self._show_patch(result)
        else:
            assert pending is not None
            pixels = pending.pixels.copy()
            pixels[Rect(rect.x - pending.x, rect.y - pending.y, rect.w, rect.h).slices()] = (
                result.pixels
            )
            layer = Layer(result.title, LayerKind.RESULT, pixels, pending.x, pending.y,
                          operation=pending.operation)  # fmt: skip
            doc.set_preview(layer, doc.preview_target)
            self._announce(result.title, "The hints colour the rest as it is accepted.")
        if rect != doc.full_rect():
            self.partial_colorize = doc.preview

    def suggest_colours(self, x: int, y: int, hints, on_result) -> int | None:
        """Ask (in the background, not as the user-visible job) for the model's most likely
        colours at (x, y); `on_result` gets ((r, g, b), probability) pairs."""
        if self.document.is_empty():
            return None
        image = self.document.canvas_pixels(self.document.image_layer)
        job = self.engine.submit(ColorSuggestRequest(image, x, y, tuple(hints)), "Suggesting")
        self._on_result[job] = on_result
        return job

    def sketch_to_photo(
        self, inside_mask: bool = False, subject: str = DEFAULT_SUBJECT
    ) -> int | None:
        """Render the sketch layer as a photo with the `subject`'s model (coloured strokes are
        colour scribbles); the result replaces the drawing (inside the mask only, to sketch an
        object into an existing photo)."""
        if not self._has_image():
            return None
        doc = self.document
        sketches = [layer for layer in doc.layers if layer.kind is LayerKind.SKETCH]
        if not sketches or not sketches[-1].pixels[..., 3].any():
            self.message.emit("Draw on a sketch layer first (sketch pen, P).")
            return None
        sketch = sketches[-1]
        request = SketchRequest(doc.canvas_pixels(sketch), self._mask_if(inside_mask),
                                doc.canvas_pixels(doc.image_layer), subject)  # fmt: skip
        return self._submit(request, "Sketch to photo",
                            lambda result: self._show_patch(result, target=sketch))  # fmt: skip

    def denoise(self, strength: float, inside_mask: bool = False, region=None) -> int | None:
        """Remove noise of about `strength` (sigma, 0-255 units). With `region` (a Rect: the
        visible part) it is a quick preview, and a newer preview replaces a running one."""
        region = self._preview_region(region)
        if region is None:
            return None
        doc = self.document
        image = doc.canvas_pixels(doc.image_layer, region)
        mask = self._mask_if(inside_mask)
        request = DenoiseRequest(
            image, strength, mask[region.slices()].copy() if mask is not None else None
        )
        job = self._submit(request, "Denoise", lambda pixels: self._show_patch(
            PatchResult(region, pixels, "Denoise")))  # fmt: skip
        self._previewing = region != doc.full_rect()
        return job

    def run_operation(self, op_id: str, params, inside_mask: bool = False) -> int | None:
        """Any operation of the registry, from its spec: the request is built from the image
        layer (and the mask, when the operation reads one and `inside_mask`) with `params`; the
        result shows as the pending result by its kind. What the generated menu entries run."""
        from editor.ops.registry import operation
        from editor.ops.spec import Inputs, ResultKind

        op = operation(op_id)
        if not self._has_image():
            return None
        doc = self.document
        files = {item.name: self._mask_if(inside_mask) if item.kind == "mask" else None
                 for item in op.files}  # fmt: skip
        missing = [item.help for item in op.files if item.required and files[item.name] is None]
        if missing or op.build is None:
            self.message.emit(f"{op.title} needs {missing[0] if missing else 'its own tool'}.")
            return None
        request = op.build(Inputs(doc.canvas_pixels(doc.image_layer), files), params)
        full = doc.full_rect()
        on_result = {
            ResultKind.PATCH: self._show_patch,
            ResultKind.IMAGE: lambda pixels: self._show_patch(PatchResult(full, pixels, op.title)),
            ResultKind.RESAMPLE: lambda pixels: self._show_dense(pixels, params.scale),
            ResultKind.MASK: lambda result: doc.set_mask(result.mask, op.title),
        }[op.result]
        return self._submit(request, op.title, on_result)

    def _mask_if(self, inside_mask: bool) -> np.ndarray | None:
        mask = self.document.mask.pixels
        return mask.copy() if inside_mask and mask_bbox(mask) is not None else None

    def refresh_models(self, task: str) -> None:
        """Ask (in the background) which models of `task` have weights; see models_changed."""
        job = self.engine.submit(ModelStatusRequest(task), "Checking models")
        self._on_result[job] = self.models_changed.emit

    def refresh_readiness(self) -> None:
        """Ask (in the background) which menu operations lack weights; see readiness_changed."""
        job = self.engine.submit(ReadinessRequest(), "Checking models")
        self._on_result[job] = self._show_readiness

    def _show_readiness(self, readiness: object) -> None:
        assert isinstance(readiness, Readiness)
        self.not_ready = readiness.not_ready
        self.readiness_changed.emit()

    def fetch_model(self, name: str, task: str) -> int | None:
        return self._submit(FetchModelRequest(name, task), f"Getting {name}", self._show_models)

    def import_model(self, path: Path, task: str) -> int | None:
        return self._submit(
            ImportModelRequest(Path(path), task), f"Importing {Path(path).name}", self._show_models
        )

    def cancel(self) -> None:
        if self.active_job is not None:
            job = self.active_job
            self.engine.cancel(job)
            self._done()
            self._keep_last_preview(job)

    def _on_preview(self, job_id: int, image: np.ndarray) -> None:
        if job_id == self.active_job:
            self._last_preview = (job_id, image)
            self.document.set_preview(self._job_layer(job_id, image, " (forming)"))

    def _keep_last_preview(self, job_id: int) -> None:
        """A cancelled job that showed previews leaves its last one as the pending result."""
        if self._last_preview is not None and self._last_preview[0] == job_id:
            self.document.set_preview(self._job_layer(job_id, self._last_preview[1]))
            self.message.emit(
                "Cancelled: the last preview is kept. Enter to accept, Esc to discard."
            )
        self._last_preview = None

    # -- plumbing
    def _has_image(self) -> bool:
        if self.document.is_empty():
            self.message.emit("Open an image first.")
            return False
        return True

    def _submit(
        self, request: object, title: str, on_result: Callable[[object], None]
    ) -> int | None:
        if self.is_busy():
            self.message.emit("Another operation is running; wait for it or cancel it.")
            return None
        self.active_job = self.engine.submit(request, title)
        self._on_result[self.active_job] = on_result
        self._operation_of[self.active_job] = for_request(request).id
        self.busy_changed.emit(True)
        return self.active_job

    def _done(self) -> None:
        self._on_result.pop(self.active_job, None)
        self.active_job = None
        self.busy_changed.emit(False)

    def _on_document_reset(self) -> None:
        # A result computed for a replaced image must not land; undoing an upscale also resets.
        if self.active_job is not None and self.document.preview is None:
            self.cancel()

    def _on_finished(self, job_id: int, result: object) -> None:
        self._last_preview = None
        handler = self._on_result.pop(job_id, None)
        self._result_operation = self._operation_of.pop(job_id, "")
        if job_id == self.active_job:
            self._done()
        if handler is not None:
            handler(result)

    def _on_failed(self, job_id: int, message: str) -> None:
        self._on_result.pop(job_id, None)
        self._operation_of.pop(job_id, None)
        if job_id == self.active_job:
            self._done()
            self.error.emit(message)

    def _on_cancelled(self, job_id: int) -> None:
        self._on_result.pop(job_id, None)
        if job_id == self.active_job:
            self._done()
            self.message.emit("Cancelled.")
            self._keep_last_preview(job_id)
        self._operation_of.pop(job_id, None)

    def _on_noticed(self, job_id: int, text: str) -> None:
        if job_id in self._on_result:
            self._notices.append(text)

    # -- results
    def _announce(self, title: str, notes: str = "") -> None:
        notes = " ".join([notes, *self._notices]).strip()
        self._notices.clear()
        self.message.emit(f"{title}: Enter to accept, Esc to discard. {notes}".strip())

    def _show_patch(self, result: PatchResult, target: Layer | None = None) -> None:
        layer = Layer(result.title, LayerKind.RESULT, result.pixels, result.rect.x, result.rect.y,
                      operation=self._result_operation)  # fmt: skip
        self.document.set_preview(layer, target)
        self._announce(result.title)

    def _job_layer(self, job_id: int, image: np.ndarray, suffix: str = "") -> Layer:
        """A result layer of the whole image from the running job `job_id`'s operation."""
        op = self._operation_of.get(job_id, "")
        title = operation(op).title if op else "Result"
        return Layer(title + suffix, LayerKind.RESULT, image, operation=op)

    def _show_dense(self, pixels: np.ndarray, scale: int) -> None:
        title = f"Upscale ×{scale}"
        self.document.set_preview(Layer(title, LayerKind.RESULT, pixels, scale=scale,
                                        operation=self._result_operation))  # fmt: skip
        height, width = pixels.shape[:2]
        self._announce(title, f"Result {width}×{height}; zoom in to inspect it.")

    def _show_models(self, status: ModelStatus) -> None:
        self.models_changed.emit(status)
        self.refresh_readiness()  # a fetch or an import may have made an operation ready
        if status.message:
            self.message.emit(status.message)
