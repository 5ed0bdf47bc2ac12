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
    qtbot.mouseMove(canvas, canvas.image_to_view(80, 60).toPoint())
    # The move event can arrive a little later on a busy machine: the outline needs it.
    qtbot.waitUntil(lambda: canvas._cursor_pos is not None, timeout=5000)
    repaints = []
    monkeypatch.setattr(canvas, "update", lambda *args: repaints.append(args))
    size = window.brush.settings.diameter
    qtbot.keyClick(canvas, Qt.Key.Key_BracketRight)
    assert window.brush.settings.diameter > size and repaints
    repaints.clear()
    qtbot.keyClick(canvas, Qt.Key.Key_BracketLeft)
    assert window.brush.settings.diameter == size and repaints
