"""Help → Keyboard Shortcuts: a sheet generated from the window's actions."""

from __future__ import annotations

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDialog, QHeaderView, QTableWidget, QTableWidgetItem, QVBoxLayout


def shortcut_rows(menus: dict[str, list[QAction | None]]) -> list[tuple[str, str, str]]:
    """(menu, action, keys) for every action that has a shortcut."""
    rows = []
    for menu, actions in menus.items():
        for action in actions:
            if not isinstance(action, QAction) or not action.shortcuts():
                continue
            keys = ", ".join(
                s.toString(QKeySequence.SequenceFormat.NativeText) for s in action.shortcuts()
            )
            rows.append((menu.replace("&", ""), action.text().replace("&", ""), keys))
    return rows


class ShortcutsDialog(QDialog):
    def __init__(
        self, rows: list[tuple[str, str, str]], extra: list[tuple[str, str, str]], parent=None
    ):
        super().__init__(parent)
        self.setWindowTitle("Keyboard Shortcuts")
        self.resize(520, 560)
        table = QTableWidget(len(rows) + len(extra), 3)
        table.setHorizontalHeaderLabels(["Menu", "Action", "Keys"])
        for row, values in enumerate([*rows, *extra]):
            for column, value in enumerate(values):
                table.setItem(row, column, QTableWidgetItem(value))
        table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        QVBoxLayout(self).addWidget(table)
        self.table = table
