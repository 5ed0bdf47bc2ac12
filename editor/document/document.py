"""The document: image layers, the mask, a pending result, and the undo history.

It knows nothing of widgets; views listen to its signals and redraw what changed.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PySide6.QtCore import QObject, Signal

from editor.core.brush import dab_rect, stamp_dab
from editor.core.geometry import Rect
from editor.core.pixels import over
from editor.document.commands import MacroCommand, PixelEditCommand, SetPreviewCommand
from editor.document.history import DEFAULT_BUDGET, History
from editor.document.layers import Layer, LayerKind
from editor.document.tiles import TileRecorder, record_write


class Document(QObject):
    reset = Signal()  # a new image: size and layers changed wholesale
    pixels_changed = Signal(object)  # Rect in document coordinates
    preview_changed = Signal()
    history_changed = Signal()

    def __init__(self, history_budget: int = DEFAULT_BUDGET, parent: QObject | None = None):
        super().__init__(parent)
        self.width = 0
        self.height = 0
        self.layers: list[Layer] = []  # bottom to top
        self.mask = Layer("Mask", LayerKind.MASK, np.zeros((0, 0), np.uint8))
        self.preview: Layer | None = None
        self.path: Path | None = None
        self.exif: bytes | None = None
        self.icc_profile: bytes | None = None
        self.history = History(history_budget, on_change=self.history_changed.emit)

    # -- whole-document state
    def is_empty(self) -> bool:
        return not self.layers

    def is_modified(self) -> bool:
        return not self.history.is_clean()

    def load(self, pixels: np.ndarray, path: Path | None = None, exif=None, icc_profile=None):
        """Replace everything with one image layer (history cleared: a new document)."""
        self.height, self.width = pixels.shape[:2]
        name = path.name if path else "Background"
        self.layers = [Layer(name, LayerKind.IMAGE, np.ascontiguousarray(pixels))]
        self.mask = Layer("Mask", LayerKind.MASK, np.zeros((self.height, self.width), np.uint8))
        self.preview = None
        self.path, self.exif, self.icc_profile = path, exif, icc_profile
        self.history.clear()
        self.reset.emit()

    @property
    def image_layer(self) -> Layer:
        """The layer operations read from and results are accepted into."""
        return next(layer for layer in reversed(self.layers) if layer.kind is LayerKind.IMAGE)

    def full_rect(self) -> Rect:
        return Rect(0, 0, self.width, self.height)

    def composite(self, rect: Rect | None = None, with_preview: bool = True) -> np.ndarray:
        """RGBA uint8 of the visible layers inside `rect` (whole document by default)."""
        rect = (rect or self.full_rect()).clamped(self.width, self.height)
        stack = [
            layer for layer in self.layers if layer.visible and layer.kind is not LayerKind.MASK
        ]
        if with_preview and self.preview is not None and self.preview.visible:
            stack.append(self.preview)
        out = np.zeros((rect.h, rect.w, 4), np.uint8)
        for index, layer in enumerate(stack):
            part = layer.rect.intersected(rect)
            if part.is_empty():
                continue
            src = layer.pixels[Rect(part.x - layer.x, part.y - layer.y, part.w, part.h).slices()]
            dst_slices = Rect(part.x - rect.x, part.y - rect.y, part.w, part.h).slices()
            if index == 0 and layer.opacity >= 1.0 and part == rect:
                out[...] = src  # the common case: an opaque background fills the rect
            else:
                out[dst_slices] = over(out[dst_slices], src, layer.opacity)
        return out

    def flattened(self) -> np.ndarray:
        """What Save writes: the accepted layers, without a pending result."""
        return self.composite(with_preview=False)

    # -- notifications used by commands
    def notify_pixels(self, layer: Layer, rect: Rect) -> None:
        self.pixels_changed.emit(Rect(rect.x + layer.x, rect.y + layer.y, rect.w, rect.h))

    def set_preview(self, layer: Layer | None) -> None:
        """Show `layer` as the pending result (not an undo step: results arrive from jobs)."""
        old = self.preview
        self.preview = layer
        for changed in (old, layer):
            if changed is not None:
                self.pixels_changed.emit(changed.rect)
        self.preview_changed.emit()

    # -- edits
    def begin_stroke(self, layer: Layer | None = None) -> MaskStroke:
        return MaskStroke(self, layer or self.mask)

    def accept_preview(self) -> None:
        """Merge the pending result into the image layer and clear the mask: one undo step."""
        preview = self.preview
        if preview is None:
            return
        target = self.image_layer
        rect = preview.rect.clamped(self.width, self.height)
        merged = over(target.pixels[rect.slices()], preview.pixels[: rect.h, : rect.w])
        image_diff = record_write(target.pixels, rect, merged)
        mask_diff = record_write(self.mask.pixels, self.full_rect(), 0)
        self.set_preview(None)
        self.notify_pixels(target, rect)
        self.notify_pixels(self.mask, mask_diff.bounds)
        command = MacroCommand(
            f"Accept {preview.name}",
            [
                PixelEditCommand(self, target, image_diff, "Accept"),
                PixelEditCommand(self, self.mask, mask_diff, "Clear mask"),
                SetPreviewCommand(self, preview, None, "Accept"),
            ],
        )
        self.history.push(command, applied=True)

    def discard_preview(self) -> None:
        if self.preview is not None:
            self.history.push(
                SetPreviewCommand(self, self.preview, None, f"Discard {self.preview.name}")
            )

    def clear_mask(self) -> None:
        diff = record_write(self.mask.pixels, self.full_rect(), 0)
        if not diff.is_empty():
            self.notify_pixels(self.mask, diff.bounds)
            self.history.push(PixelEditCommand(self, self.mask, diff, "Clear mask"), applied=True)


class MaskStroke:
    """One brush stroke on a mask layer: dabs are applied live, the stroke is one undo step."""

    def __init__(self, document: Document, layer: Layer) -> None:
        self.document, self.layer = document, layer
        self._recorder = TileRecorder(layer.pixels)

    def dab(self, x: float, y: float, radius: float, hardness: float, erase: bool = False) -> None:
        lx, ly = x - self.layer.x, y - self.layer.y
        height, width = self.layer.pixels.shape[:2]
        self._recorder.touch(dab_rect(lx, ly, radius).clamped(width, height))
        changed = stamp_dab(self.layer.pixels, lx, ly, radius, hardness, erase=erase)
        if changed is not None:
            self.document.notify_pixels(self.layer, changed)

    def end(self, text: str = "Brush stroke") -> None:
        diff = self._recorder.finish()
        if not diff.is_empty():
            self.document.history.push(
                PixelEditCommand(self.document, self.layer, diff, text), applied=True
            )
