"""Undo history bounded by memory, not only by count.

QUndoStack can only drop old commands by count, and one command here can hold anything from
a few KB (a brush stroke's changed tiles) to hundreds of MB (accepting an upscale), so the
history is this small class: it drops the oldest commands once their bytes exceed a budget.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol


class Command(Protocol):
    text: str

    def undo(self) -> None: ...

    def redo(self) -> None: ...

    @property
    def nbytes(self) -> int: ...


DEFAULT_BUDGET = 1 << 30  # 1 GiB of undo data


class History:
    def __init__(
        self, budget_bytes: int = DEFAULT_BUDGET, on_change: Callable[[], None] | None = None
    ):
        self.budget_bytes = budget_bytes
        self._commands: list[Command] = []
        self._index = 0  # commands[:index] are done
        self._clean_index: int | None = 0
        self._on_change = on_change or (lambda: None)

    # -- queries
    def can_undo(self) -> bool:
        return self._index > 0

    def can_redo(self) -> bool:
        return self._index < len(self._commands)

    def undo_text(self) -> str:
        return self._commands[self._index - 1].text if self.can_undo() else ""

    def redo_text(self) -> str:
        return self._commands[self._index].text if self.can_redo() else ""

    def is_clean(self) -> bool:
        return self._clean_index == self._index

    @property
    def nbytes(self) -> int:
        return sum(command.nbytes for command in self._commands)

    def __len__(self) -> int:
        return len(self._commands)

    # -- changes
    def push(self, command: Command, applied: bool = False) -> None:
        """Add `command`; run its redo() unless the edit was already applied live."""
        if not applied:
            command.redo()
        del self._commands[self._index :]
        top = self._commands[-1] if self._commands else None
        merge = getattr(top, "merge_with", None)
        if merge is not None and self._clean_index != self._index and merge(command):
            self._on_change()  # folded into the previous step (e.g. an opacity slider drag)
            return
        if self._clean_index is not None and self._clean_index > self._index:
            self._clean_index = None  # the saved state can no longer be reached
        self._commands.append(command)
        self._index += 1
        self._trim()
        self._on_change()

    def undo(self) -> None:
        if self.can_undo():
            self._index -= 1
            self._commands[self._index].undo()
            self._on_change()

    def redo(self) -> None:
        if self.can_redo():
            self._commands[self._index].redo()
            self._index += 1
            self._on_change()

    def set_clean(self) -> None:
        self._clean_index = self._index
        self._on_change()

    def mark_unsaved(self) -> None:
        """No reachable state is the saved one (recovered work that was never saved)."""
        self._clean_index = None
        self._on_change()

    def clear(self) -> None:
        self._commands.clear()
        self._index = 0
        self._clean_index = 0
        self._on_change()

    def _trim(self) -> None:
        # Keep at least the newest command so the last edit can always be undone.
        total = self.nbytes
        while total > self.budget_bytes and self._index > 1:
            dropped = self._commands.pop(0)
            total -= dropped.nbytes
            self._index -= 1
            if self._clean_index is not None:
                self._clean_index = self._clean_index - 1 if self._clean_index > 0 else None
