"""Undoable edits. Each holds only what it needs to go both ways (tile diffs, not images)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from editor.document.history import Command
from editor.document.layers import Hint, Layer
from editor.document.tiles import TileDiff

if TYPE_CHECKING:
    from editor.document.document import Document


class PixelEditCommand:
    """Pixels of one layer changed in some tiles (a brush stroke, a paste)."""

    def __init__(self, document: Document, layer: Layer, diff: TileDiff, text: str) -> None:
        self.document, self.layer, self.diff, self.text = document, layer, diff, text

    @property
    def nbytes(self) -> int:
        return self.diff.nbytes

    def undo(self) -> None:
        self.diff.restore_before(self.layer.pixels)
        self.document.notify_pixels(self.layer, self.diff.bounds)

    def redo(self) -> None:
        self.diff.restore_after(self.layer.pixels)
        self.document.notify_pixels(self.layer, self.diff.bounds)


class SetPreviewCommand:
    """Show or remove the pending result layer (Discard is this with `new=None`)."""

    def __init__(
        self,
        document: Document,
        old: Layer | None,
        new: Layer | None,
        text: str,
        target: Layer | None = None,
    ) -> None:
        self.document, self.old, self.new, self.text = document, old, new, text
        self.target = target  # the layer the result belongs to

    @property
    def nbytes(self) -> int:
        return sum(layer.nbytes for layer in (self.old, self.new) if layer is not None)

    def undo(self) -> None:
        self.document.set_preview(self.old, self.target if self.old is not None else None)

    def redo(self) -> None:
        self.document.set_preview(self.new, self.target if self.new is not None else None)


class MacroCommand:
    """Several commands as one undo step; undone in reverse order."""

    def __init__(self, text: str, children: Sequence[Command]) -> None:
        self.text, self.children = text, list(children)

    @property
    def nbytes(self) -> int:
        return sum(child.nbytes for child in self.children)

    def undo(self) -> None:
        for child in reversed(self.children):
            child.undo()

    def redo(self) -> None:
        for child in self.children:
            child.redo()


class HintsCommand:
    """The colour hints before and after one edit (a few numbers: both are kept)."""

    nbytes = 0

    def __init__(
        self,
        document: Document,
        before: tuple[Hint, ...],
        after: tuple[Hint, ...],
        text: str,
    ) -> None:
        self.document, self.before, self.after, self.text = document, before, after, text

    def undo(self) -> None:
        self.document.apply_hints(self.before)

    def redo(self) -> None:
        self.document.apply_hints(self.after)
