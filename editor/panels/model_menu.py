"""A submenu choosing the model for one task, showing which have weights on disk."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QAction, QActionGroup
from PySide6.QtWidgets import QMenu, QWidget


class ModelMenu(QMenu):
    """Radio items per model; models without weights are greyed out with a tooltip that says
    how to get them. Fill it from a ModelStatus (see Operations.models_changed)."""

    changed = Signal()  # the selection or availability changed

    def __init__(self, title: str, task: str, parent: QWidget | None = None) -> None:
        super().__init__(title, parent)
        self.task = task
        self.setToolTipsVisible(True)
        self._group = QActionGroup(self)
        self._choices = ()
        self._selected: str | None = None
        self._group.triggered.connect(self._on_triggered)
        self.addAction("Checking which models are installed…").setEnabled(False)

    def update_status(self, status) -> None:
        if status.task != self.task:
            return
        self._choices = status.choices
        available = [choice.name for choice in status.choices if choice.available]
        if self._selected not in available:
            self._selected = available[0] if available else None
        self.clear()
        for choice in status.choices:
            action = QAction(choice.title, self, checkable=True)
            action.setData(choice.name)
            action.setEnabled(choice.available)
            action.setChecked(choice.name == self._selected)
            action.setToolTip(choice.how_to_get or choice.title)
            self._group.addAction(action)
            self.addAction(action)
        self.changed.emit()

    def _on_triggered(self, action: QAction) -> None:
        self._selected = action.data()
        self.changed.emit()

    def selected(self) -> str | None:
        return self._selected

    def first_missing(self) -> str | None:
        return next((c.name for c in self._choices if not c.available), None)

    def why_unavailable(self) -> str:
        """Tooltip for the task's actions while no model of it can run."""
        if self._selected is not None:
            return ""
        missing = next((c for c in self._choices if not c.available), None)
        return missing.how_to_get if missing else "Checking which models are installed…"
