"""Creating QActions the same way everywhere: shortcut in the tooltip, live without a menu."""

from __future__ import annotations

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QWidget

from editor.document.document import LayerLocked


def make_action(owner: QWidget, text: str, slot, shortcut=None, tip: str = "") -> QAction:
    """An action on `owner` (so its shortcut works even when the menu bar is hidden)."""
    action = QAction(text, owner)
    tip = tip or text.replace("&", "")
    if shortcut is not None:
        shortcuts = shortcut if isinstance(shortcut, list) else [shortcut]
        action.setShortcuts([QKeySequence(s) for s in shortcuts])
        keys = ", ".join(
            QKeySequence(s).toString(QKeySequence.SequenceFormat.NativeText) for s in shortcuts
        )
        tip = f"{tip} ({keys})"
    action.setToolTip(tip)
    action.setStatusTip(tip)
    action.triggered.connect(slot)
    owner.addAction(action)
    return action


def enable_operation(action: QAction, enabled: bool, why_not_ready: str) -> None:
    """Enable an operation's action when `enabled` and its weights can load; greyed out for lack
    of weights, its tooltip says what is missing (editor.ops.readiness), else its own tip."""
    action.setEnabled(enabled and not why_not_ready)
    action.setToolTip(why_not_ready or action.statusTip())


def guarded(show_error, edit):
    """Wrap a document edit so a refused edit (locked layer, ...) becomes a message."""

    def run(*_args) -> None:
        try:
            edit()
        except LayerLocked as refusal:
            show_error(str(refusal))

    return run
