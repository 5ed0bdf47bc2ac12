"""Undoable changes to the layer stack and to layer properties."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from editor.document.layers import Layer

if TYPE_CHECKING:
    from editor.document.document import Document


class StackCommand:
    """The list of layers changed (add, delete, duplicate, reorder, merge, flatten).

    Layers are shared, not copied. What the history holds beyond the document is the side
    that is not shown: layers removed (delete, merge, flatten) while done, layers added while
    undone. Both sides are counted, so the memory budget bounds either state.
    """

    def __init__(self, document: Document, before: list[Layer], after: list[Layer], text: str):
        self.document, self.before, self.after, self.text = (
            document,
            list(before),
            list(after),
            text,
        )
        in_before, in_after = {id(layer) for layer in before}, {id(layer) for layer in after}
        removed = [layer for layer in before if id(layer) not in in_after]
        added = [layer for layer in after if id(layer) not in in_before]
        self._held_bytes = sum(layer.nbytes for layer in (*removed, *added))
        self._active_before = document.active_layer
        self._active_after: Layer | None = None

    @property
    def nbytes(self) -> int:
        return self._held_bytes

    def activate_after(self, layer: Layer | None) -> StackCommand:
        self._active_after = layer
        return self

    def undo(self) -> None:
        self.document.set_layers(self.before, self._active_before)

    def redo(self) -> None:
        self.document.set_layers(self.after, self._active_after)


class PropertyCommand:
    """One property of one layer (name, opacity, visibility, blend mode, lock).

    Consecutive changes of the same property merge, so dragging a slider is one undo step.
    """

    def __init__(
        self, document: Document, layer: Layer, prop: str, value: object, text: str
    ) -> None:
        self.document, self.layer, self.prop, self.text = document, layer, prop, text
        self.old, self.new = getattr(layer, prop), value
        self.nbytes = 0

    def undo(self) -> None:
        self.document.apply_layer_property(self.layer, self.prop, self.old)

    def redo(self) -> None:
        self.document.apply_layer_property(self.layer, self.prop, self.new)

    def merge_with(self, newer: object) -> bool:
        if (
            isinstance(newer, PropertyCommand)
            and newer.layer is self.layer
            and newer.prop == self.prop
            and self.prop == "opacity"
        ):
            self.new = newer.new
            return True
        return False


@dataclass(frozen=True)
class DocumentState:
    """Everything that changes when the whole document is resampled (upscale)."""

    width: int
    height: int
    layers: tuple[Layer, ...]
    mask: np.ndarray
    active: Layer | None

    @property
    def nbytes(self) -> int:
        return int(self.mask.nbytes) + sum(layer.nbytes for layer in self.layers)


class ReplaceStateCommand:
    """Swap the whole document state (size, layers, mask) as one undo step."""

    def __init__(self, document: Document, before: DocumentState, after: DocumentState, text: str):
        self.document, self.before, self.after, self.text = document, before, after, text

    @property
    def nbytes(self) -> int:
        return self.before.nbytes + self.after.nbytes

    def undo(self) -> None:
        self.document.restore_state(self.before)

    def redo(self) -> None:
        self.document.restore_state(self.after)
