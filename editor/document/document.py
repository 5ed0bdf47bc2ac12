"""The document: image layers, the mask, the colour hints, a pending result, and the undo
history.

It knows nothing of widgets; views listen to its signals and redraw what changed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import cast

import numpy as np
from PySide6.QtCore import QObject, Signal

from editor.core.brush import dab_rect, stamp_dab
from editor.core.geometry import Rect
from editor.core.merge import merge_patch
from editor.core.pixels import over
from editor.core.resample import resize_mask, resize_rgba
from editor.document.commands import (
    HintsCommand,
    MacroCommand,
    PixelEditCommand,
    SetPreviewCommand,
)
from editor.document.history import DEFAULT_BUDGET, History
from editor.document.layer_commands import (
    DocumentState,
    PropertyCommand,
    ReplaceStateCommand,
    StackCommand,
)
from editor.document.layers import Hint, Layer, LayerKind, hint_layer, no_pixels
from editor.document.tiles import TileRecorder, record_write


class Document(QObject):
    reset = Signal()  # a new image: size and layers changed wholesale
    pixels_changed = Signal(object)  # Rect in document coordinates
    preview_changed = Signal()
    layers_changed = Signal()  # the stack or a layer's properties changed
    active_changed = Signal()
    history_changed = Signal()
    hints_changed = Signal()  # the colour hints changed (an edit, undo or redo)

    def __init__(self, history_budget: int = DEFAULT_BUDGET, parent: QObject | None = None):
        super().__init__(parent)
        self.width = 0
        self.height = 0
        self.layers: list[Layer] = []  # bottom to top
        self.mask = Layer("Mask", LayerKind.MASK, np.zeros((0, 0), np.uint8))
        # Colorize's colour hints, on their own layer: like the mask, beside the stack.
        self.hints = hint_layer(0, 0)
        self.preview: Layer | None = None
        self.preview_target: Layer | None = None  # the layer a pending result replaces
        self.active_layer: Layer | None = None
        self.path: Path | None = None
        self.exif: bytes | None = None
        self.icc_profile: bytes | None = None
        self.history = History(history_budget, on_change=self.history_changed.emit)

    # -- whole-document state
    def is_empty(self) -> bool:
        return not self.layers

    def is_modified(self) -> bool:
        return not self.history.is_clean()

    def load(
        self,
        pixels: np.ndarray,
        path: Path | None = None,
        exif: bytes | None = None,
        icc_profile: bytes | None = None,
    ) -> None:
        """Replace everything with one image layer (history cleared: a new document)."""
        self.height, self.width = pixels.shape[:2]
        name = path.name if path else "Background"
        self.layers = [Layer(name, LayerKind.IMAGE, np.ascontiguousarray(pixels))]
        self.mask = Layer("Mask", LayerKind.MASK, np.zeros((self.height, self.width), np.uint8))
        self.hints = hint_layer(self.width, self.height)
        self.preview = self.preview_target = None
        self.active_layer = self.layers[0]
        self.path, self.exif, self.icc_profile = path, exif, icc_profile
        self.history.clear()
        self.reset.emit()

    def load_layers(
        self,
        width: int,
        height: int,
        layers: list[Layer],
        path: Path | None = None,
        mask: np.ndarray | None = None,
        hints: Layer | None = None,
    ) -> None:
        """Replace everything with a layered document (OpenRaster, crash recovery); `hints`:
        its colour-hint layer, if it has one (points outside the canvas are dropped)."""
        self.width, self.height = width, height
        self.layers = list(layers)
        if mask is None or mask.shape != (height, width):
            mask = np.zeros((height, width), np.uint8)
        self.mask = Layer("Mask", LayerKind.MASK, mask)
        points = [] if hints is None else hints.points
        inside = [(x, y, rgb) for x, y, rgb in points if 0 <= x < width and 0 <= y < height]
        self.hints = hint_layer(width, height, inside, hints is None or hints.visible)
        self.preview = self.preview_target = None
        self.active_layer = self.layers[-1] if self.layers else None
        self.path, self.exif, self.icc_profile = path, None, None
        self.history.clear()
        self.reset.emit()

    @property
    def image_layer(self) -> Layer:
        """The layer operations read from and results are accepted into: the active image
        layer, else the topmost one."""
        active = self.active_layer
        if active is not None and active.kind is LayerKind.IMAGE and active in self.layers:
            return active
        return next(layer for layer in reversed(self.layers) if layer.kind is LayerKind.IMAGE)

    def full_rect(self) -> Rect:
        return Rect(0, 0, self.width, self.height)

    def composite(self, rect: Rect | None = None, with_preview: bool = True) -> np.ndarray:
        """RGBA uint8 of the visible layers inside `rect` (whole document by default)."""
        rect = (rect or self.full_rect()).clamped(self.width, self.height)
        stack = [
            layer for layer in self.layers if layer.visible and layer.kind is not LayerKind.MASK
        ]
        preview = self.preview
        # A denser (upscaled) pending result is drawn by the view at its own resolution.
        at_document_scale = preview is not None and preview.scale == 1
        if with_preview and preview is not None and at_document_scale and preview.visible:
            # The pending result sits right above the layer it will be merged into.
            target = self.preview_target
            position = stack.index(target) + 1 if target in stack else len(stack)
            stack.insert(position, preview)
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
                out[dst_slices] = over(out[dst_slices], src, layer.opacity, layer.blend_mode)
        return out

    def flattened(self) -> np.ndarray:
        """What Save writes: the accepted layers, without a pending result."""
        return self.composite(with_preview=False)

    def canvas_pixels(self, layer: Layer, rect: Rect | None = None) -> np.ndarray:
        """A copy of `layer` in document coordinates, inside `rect` (default: the canvas),
        transparent where the layer does not reach: what operations read, so their results
        line up with the mask and the canvas whatever the layer's size and offset."""
        rect = (rect or self.full_rect()).clamped(self.width, self.height)
        part = layer.rect.intersected(rect)
        src = Rect(part.x - layer.x, part.y - layer.y, part.w, part.h)
        if part == rect:
            return layer.pixels[src.slices()].copy()
        out = np.zeros((rect.h, rect.w, 4), np.uint8)
        if not part.is_empty():
            out[Rect(part.x - rect.x, part.y - rect.y, part.w, part.h).slices()] = layer.pixels[
                src.slices()
            ]
        return out

    # -- notifications used by commands
    def notify_pixels(self, layer: Layer, rect: Rect) -> None:
        self.pixels_changed.emit(Rect(rect.x + layer.x, rect.y + layer.y, rect.w, rect.h))

    def set_preview(self, layer: Layer | None, target: Layer | None = None) -> None:
        """Show `layer` as the pending result for `target` (default: the image layer).

        Not an undo step: results arrive from jobs; Accept and Discard are undoable."""
        old = self.preview
        self.preview = layer
        if layer is not None:
            self.preview_target = target or self.preview_target or self.image_layer
        else:
            self.preview_target = target
        for changed in (old, layer):
            if changed is not None:
                self.pixels_changed.emit(changed.rect)
        self.preview_changed.emit()

    # -- edits
    def begin_stroke(
        self, layer: Layer | None = None, ink: tuple[int, int, int] = (0, 0, 0)
    ) -> MaskStroke:
        """A brush stroke on `layer` (default: the mask); on an RGBA layer it paints `ink`."""
        return MaskStroke(self, layer or self.mask, ink)

    def accept_preview(self) -> None:
        """Merge the pending result into the image layer and clear the mask: one undo step."""
        preview = self.preview
        if preview is None:
            return
        if preview.scale != 1:
            self._accept_resampled(preview)
            return
        target = self.preview_target if self.preview_target in self.layers else self.image_layer
        if target.locked:
            raise LayerLocked(f"“{target.name}” is locked: unlock it to accept the result.")
        # Both layers may sit anywhere (an .ora from Krita or GIMP has offset layers): merge
        # where the result, the target and the canvas overlap, each in its own coordinates.
        rect = preview.rect.intersected(target.rect).intersected(self.full_rect())
        local = Rect(rect.x - target.x, rect.y - target.y, rect.w, rect.h)
        # The one merge rule (editor.core.merge): the result replaces what is under it.
        merged = merge_patch(target.pixels[local.slices()], preview.pixels,
                             preview.x - rect.x, preview.y - rect.y)  # fmt: skip
        image_diff = record_write(target.pixels, local, merged)
        mask_diff = record_write(self.mask.pixels, self.full_rect(), 0)
        self.set_preview(None)
        self.notify_pixels(target, local)
        self.notify_pixels(self.mask, mask_diff.bounds)
        command = MacroCommand(
            f"Accept {preview.name}",
            [
                PixelEditCommand(self, target, image_diff, "Accept"),
                PixelEditCommand(self, self.mask, mask_diff, "Clear mask"),
                SetPreviewCommand(self, preview, None, "Accept", target),
            ],
        )
        self.history.push(command, applied=True)

    def accept_preview_as_layer(self) -> Layer | None:
        """Put the pending result on its own layer right above its target (as Krita's AI tools
        do) and clear the mask: one undo step; the target keeps its pixels, so a locked target
        is fine. A denser result (an upscale) resizes the whole document: accepted as usual."""
        preview = self.preview
        if preview is None:
            return None
        if preview.scale != 1:
            self._accept_resampled(preview)
            return None
        target = self.preview_target if self.preview_target in self.layers else self.image_layer
        # Canvas-sized, like every image layer: operations read layers against the mask.
        pixels = np.zeros((self.height, self.width, 4), np.uint8)
        rect = preview.rect.intersected(self.full_rect())
        inside = Rect(rect.x - preview.x, rect.y - preview.y, rect.w, rect.h)
        pixels[rect.slices()] = preview.pixels[inside.slices()]
        layer = Layer(preview.name, LayerKind.IMAGE, pixels)
        after = list(self.layers)
        after.insert(self.layers.index(target) + 1, layer)
        add = StackCommand(self, self.layers, after, "Add layer").activate_after(layer)
        mask_diff = record_write(self.mask.pixels, self.full_rect(), 0)
        self.set_preview(None)
        self.notify_pixels(self.mask, mask_diff.bounds)
        add.redo()
        command = MacroCommand(
            f"Accept {preview.name} as a new layer",
            [
                SetPreviewCommand(self, preview, None, "Accept", target),
                PixelEditCommand(self, self.mask, mask_diff, "Clear mask"),
                add,
            ],
        )
        self.history.push(command, applied=True)
        return layer

    def discard_preview(self) -> None:
        if self.preview is not None:
            text = f"Discard {self.preview.name}"
            self.history.push(
                SetPreviewCommand(self, self.preview, None, text, self.preview_target)
            )

    def set_mask(self, mask: np.ndarray, text: str) -> None:
        """Replace the mask (a selection, an import) as one undo step storing changed tiles."""
        diff = record_write(self.mask.pixels, self.full_rect(), mask)
        if not diff.is_empty():
            self.notify_pixels(self.mask, diff.bounds)
            self.history.push(PixelEditCommand(self, self.mask, diff, text), applied=True)

    def clear_mask(self) -> None:
        diff = record_write(self.mask.pixels, self.full_rect(), 0)
        if not diff.is_empty():
            self.notify_pixels(self.mask, diff.bounds)
            self.history.push(PixelEditCommand(self, self.mask, diff, "Clear mask"), applied=True)

    # -- colour hints
    def set_hints(self, points: Iterable[Hint], text: str) -> None:
        """Replace the colour hints ((x, y, (r, g, b)) points) as one undo step."""
        points = tuple(
            (int(x), int(y), cast("tuple[int, int, int]", tuple(int(c) for c in rgb)))
            for x, y, rgb in points
        )
        if points != self.hints.points:
            self.history.push(HintsCommand(self, self.hints.points, points, text))

    def apply_hints(self, points: Iterable[Hint]) -> None:
        """Set the hints (used by commands). The layers panel lists the hint layer while it
        holds hints, so it changes when the first comes or the last goes."""
        had = bool(self.hints.points)
        self.hints.points = tuple(points)
        self.hints_changed.emit()
        if had != bool(self.hints.points):
            self.layers_changed.emit()

    # -- the layer stack
    def set_active(self, layer: Layer | None) -> None:
        if layer is not self.active_layer:
            self.active_layer = layer
            self.active_changed.emit()

    def set_layers(self, layers: list[Layer], active: Layer | None = None) -> None:
        """Replace the stack (used by commands); repaints everything."""
        self.layers = list(layers)
        if active in self.layers:
            self.active_layer = active
        elif self.active_layer not in self.layers:
            self.active_layer = self.layers[-1] if self.layers else None
        self.layers_changed.emit()
        self.active_changed.emit()
        self.pixels_changed.emit(self.full_rect())

    def apply_layer_property(self, layer: Layer, prop: str, value: object) -> None:
        setattr(layer, prop, value)
        self.layers_changed.emit()
        if prop in ("opacity", "visible", "blend_mode"):
            self.pixels_changed.emit(layer.rect)

    def set_layer_property(self, layer: Layer, prop: str, value: object) -> None:
        if getattr(layer, prop) != value:
            label = {"visible": "visibility", "blend_mode": "blend mode", "locked": "lock"}
            text = f"Change {label.get(prop, prop)} of {layer.name}"
            self.history.push(PropertyCommand(self, layer, prop, value, text))

    def _push_stack(self, after: list[Layer], text: str, active: Layer | None = None) -> None:
        command = StackCommand(self, self.layers, after, text).activate_after(active)
        self.history.push(command)

    def add_layer(self, layer: Layer, index: int | None = None, text: str = "") -> None:
        after = list(self.layers)
        after.insert(len(after) if index is None else index, layer)
        self._push_stack(after, text or f"Add {layer.name}", layer)

    def new_layer(self, name: str = "Layer", kind: LayerKind = LayerKind.IMAGE) -> Layer:
        """A transparent layer above the active one."""
        layer = Layer(name, kind, np.zeros((self.height, self.width, 4), np.uint8))
        active = self.active_layer
        self.add_layer(layer, self.layers.index(active) + 1 if active in self.layers else None)
        return layer

    def duplicate_layer(self, layer: Layer) -> Layer:
        copy = layer.copy(f"{layer.name} copy")
        copy.locked = False
        self.add_layer(copy, self.layers.index(layer) + 1, f"Duplicate {layer.name}")
        return copy

    def remove_layer(self, layer: Layer) -> None:
        if len(self.layers) <= 1:
            raise LayerLocked("A document keeps at least one layer.")
        if layer is self.preview_target and self.preview is not None:
            raise LayerLocked("Accept or discard the pending result first.")
        after = [other for other in self.layers if other is not layer]
        self._push_stack(after, f"Delete {layer.name}")

    def move_layer(self, layer: Layer, index: int) -> None:
        after = [other for other in self.layers if other is not layer]
        after.insert(min(max(index, 0), len(after)), layer)
        if after != self.layers:
            self._push_stack(after, f"Move {layer.name}", layer)

    def sketch_layer(self) -> Layer:
        """The topmost sketch layer, made (as its own undo step) when there is none."""
        for layer in reversed(self.layers):
            if layer.kind is LayerKind.SKETCH:
                return layer
        active = self.active_layer
        layer = Layer("Sketch", LayerKind.SKETCH, np.zeros((self.height, self.width, 4), np.uint8))
        self.add_layer(layer, len(self.layers), "Add sketch layer")
        self.set_active(active)
        return layer

    def move_active(self, steps: int) -> None:
        """Raise (+) or lower (-) the active layer by `steps` places."""
        layer = self.active_layer
        if layer in self.layers:
            self.move_layer(layer, self.layers.index(layer) + steps)

    def merge_down(self, layer: Layer) -> Layer:
        position = self.layers.index(layer)
        if position == 0:
            raise LayerLocked("There is no layer below to merge into.")
        below = self.layers[position - 1]
        if below.locked:
            raise LayerLocked(f"“{below.name}” is locked: unlock it to merge into it.")
        merged = self._merged([below, layer], below)
        after = self.layers[: position - 1] + [merged] + self.layers[position + 1 :]
        self._push_stack(after, f"Merge {layer.name} down", merged)
        return merged

    def flatten(self) -> Layer:
        count = sum(layer.visible for layer in self.layers)
        base = Layer("Background", LayerKind.IMAGE, self.composite(with_preview=False))
        self._push_stack([base], f"Flatten {count} layers", base)
        return base

    def _merged(self, stack: list[Layer], into: Layer) -> Layer:
        """`into`'s properties with the layers of `stack` composited over it, full size."""
        out = np.zeros((self.height, self.width, 4), np.uint8)
        for layer in stack:
            if not layer.visible and layer is not into:
                continue
            part = layer.rect.intersected(self.full_rect())
            src = layer.pixels[Rect(part.x - layer.x, part.y - layer.y, part.w, part.h).slices()]
            opacity, mode = (1.0, "normal") if layer is into else (layer.opacity, layer.blend_mode)
            out[part.slices()] = over(out[part.slices()], src, opacity, mode)
        return replace(into, pixels=out, x=0, y=0)

    # -- whole-document state (upscale)
    def state(self) -> DocumentState:
        return DocumentState(
            self.width, self.height, tuple(self.layers), self.mask.pixels, self.active_layer
        )

    def restore_state(self, state: DocumentState) -> None:
        self.width, self.height = state.width, state.height
        self.layers = list(state.layers)
        self.mask = Layer("Mask", LayerKind.MASK, state.mask)
        self.hints.pixels = no_pixels(state.width, state.height)
        self.active_layer = state.active
        self.reset.emit()
        self.layers_changed.emit()

    def _accept_resampled(self, preview: Layer) -> None:
        """Accept an upscale: the document becomes `preview.scale` times larger, the target
        layer takes the result and every other layer and the mask are resampled. One step."""
        factor = preview.scale
        target = self.preview_target if self.preview_target in self.layers else self.image_layer
        width, height = self.width * factor, self.height * factor
        layers = []
        for layer in self.layers:
            if layer is target:  # the result covers the whole (larger) canvas
                layers.append(replace(layer, pixels=preview.pixels[:height, :width], x=0, y=0))
                continue
            rect = layer.rect
            pixels = resize_rgba(layer.pixels, rect.w * factor, rect.h * factor)
            layers.append(replace(layer, pixels=pixels, x=layer.x * factor, y=layer.y * factor))
        active = (
            layers[self.layers.index(self.active_layer)]
            if self.active_layer in self.layers
            else None
        )
        after = DocumentState(
            width, height, tuple(layers), resize_mask(self.mask.pixels, width, height), active
        )
        points = self.hints.points
        scaled = tuple((x * factor, y * factor, rgb) for x, y, rgb in points)
        command = MacroCommand(
            f"Accept {preview.name}",
            [
                SetPreviewCommand(self, preview, None, "Accept", target),
                ReplaceStateCommand(self, self.state(), after, "Resample"),
                HintsCommand(self, points, scaled, "Scale colour hints"),
            ],
        )
        self.history.push(command)


class LayerLocked(Exception):
    """An edit the layer stack does not allow; the message is shown to the user."""


class MaskStroke:
    """One brush stroke: dabs are applied live, the stroke is one undo step. On a mask the
    dabs set coverage; on an RGBA layer (a sketch) they set the alpha of its lines, and where a
    dab adds coverage the line takes the ink colour (black lines, coloured scribbles)."""

    def __init__(self, document: Document, layer: Layer,
                 ink: tuple[int, int, int] = (0, 0, 0)) -> None:  # fmt: skip
        self.document, self.layer = document, layer
        self._recorder = TileRecorder(layer.pixels)
        self._coverage = layer.pixels if layer.pixels.ndim == 2 else layer.pixels[..., 3]
        self._ink = None if layer.pixels.ndim == 2 else np.array(ink, np.uint8)

    def dab(self, x: float, y: float, radius: float, hardness: float, erase: bool = False) -> None:
        lx, ly = x - self.layer.x, y - self.layer.y
        height, width = self.layer.pixels.shape[:2]
        area = dab_rect(lx, ly, radius).clamped(width, height)
        self._recorder.touch(area)
        inking = self._ink is not None and not erase and not area.is_empty()
        before = self._coverage[area.slices()].copy() if inking else None
        changed = stamp_dab(self._coverage, lx, ly, radius, hardness, erase=erase)
        if before is not None:
            grew = self._coverage[area.slices()] > before
            self.layer.pixels[area.slices()][grew, :3] = self._ink
        if changed is not None:
            self.document.notify_pixels(self.layer, changed)

    def end(self, text: str = "Brush stroke") -> None:
        diff = self._recorder.finish()
        if not diff.is_empty():
            self.document.history.push(
                PixelEditCommand(self.document, self.layer, diff, text), applied=True
            )
