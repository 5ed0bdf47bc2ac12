"""Small things users of other editors expect: Ctrl+, opens Settings, and the brush outline
resizes on `[` / `]` without waiting for the mouse to move."""

from __future__ import annotations

from PIL import Image
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence

from editor.panels.settings_dialog import SettingsDialog


def test_ctrl_comma_opens_settings(qtbot, window, monkeypatch):
    opened = []
    monkeypatch.setattr(SettingsDialog, "exec", lambda dialog: opened.append(dialog) or 0)
    assert QKeySequence("Ctrl+,") in window.settings_action.shortcuts()
    qtbot.keyClick(window.canvas, Qt.Key.Key_Comma, Qt.KeyboardModifier.ControlModifier)
    assert len(opened) == 1


def test_brackets_redraw_the_outline_at_once(qtbot, window, tmp_path, photo, monkeypatch):
    Image.fromarray(photo).save(tmp_path / "p.png")
    assert window.open_path(tmp_path / "p.png")
    canvas = window.canvas
    # A synthetic move: QTest moves the real cursor, which sends nothing when an earlier test
    # left it at the same screen position.
    from PySide6.QtCore import QEvent
    from PySide6.QtGui import QMouseEvent
    from PySide6.QtWidgets import QApplication

    where = canvas.image_to_view(80, 60)
    QApplication.sendEvent(canvas, QMouseEvent(
        QEvent.Type.MouseMove, where, canvas.mapToGlobal(where), Qt.MouseButton.NoButton,
        Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier))  # fmt: skip
    assert canvas._cursor_pos is not None
    repaints = []
    monkeypatch.setattr(canvas, "update", lambda *args: repaints.append(args))
    size = window.brush.settings.diameter
    qtbot.keyClick(canvas, Qt.Key.Key_BracketRight)
    assert window.brush.settings.diameter > size and repaints
    repaints.clear()
    qtbot.keyClick(canvas, Qt.Key.Key_BracketLeft)
    assert window.brush.settings.diameter == size and repaints
