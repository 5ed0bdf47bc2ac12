"""One default erase method: the editor's Backspace and `retouch inpaint` both read it from
editor.engine.inpaint."""

from __future__ import annotations

import pytest
from PIL import Image
from PySide6.QtCore import Qt

from editor.cli import build_parser
from editor.engine import inpaint


@pytest.mark.parametrize("default", list(inpaint.ERASE_METHODS))
def test_backspace_and_the_cli_use_the_one_default(qtbot, window, tmp_path, photo, monkeypatch,
                                                   default):  # fmt: skip
    monkeypatch.setattr(inpaint, "DEFAULT_ERASE_METHOD", default)
    args = build_parser().parse_args(["inpaint", "in.png", "--mask", "m.png", "-o", "o.png"])
    assert args.method == default

    Image.fromarray(photo).save(tmp_path / "p.png")
    assert window.open_path(tmp_path / "p.png")
    stroke = window.document.begin_stroke()
    stroke.dab(50, 50, 8, 1.0)
    stroke.end()
    submitted = []
    monkeypatch.setattr(window.operations.engine, "submit",
                        lambda request, title: submitted.append(request) or 7)  # fmt: skip
    qtbot.keyClick(window.canvas, Qt.Key.Key_Backspace)
    assert submitted[-1].method == default
    window.operations.active_job = None  # the stubbed job never runs: free the editor
    window.operations.busy_changed.emit(False)
    qtbot.keyClick(window.canvas, Qt.Key.Key_Backspace, Qt.KeyboardModifier.ShiftModifier)
    assert submitted[-1].method == "telea"  # Shift+Backspace: always the fast classical fill


def test_the_default_is_a_method_of_the_table_and_names_its_result_erase(photo):
    from editor.engine.context import JobContext
    from editor.engine.requests import InpaintRequest

    assert inpaint.default_erase_method() == inpaint.DEFAULT_ERASE_METHOD
    assert inpaint.DEFAULT_ERASE_METHOD in inpaint.ERASE_METHODS
    mask = photo[..., 0] * 0
    mask[40:60, 50:80] = 255
    fast = inpaint.run_inpaint(InpaintRequest(photo, mask, method="telea"), JobContext())
    assert fast.title == ("Erase" if inpaint.DEFAULT_ERASE_METHOD == "telea" else "Erase (fast)")
    if inpaint.DEFAULT_ERASE_METHOD != "model":  # the model's run is covered elsewhere
        result = inpaint.run_inpaint(
            InpaintRequest(photo, mask, method=inpaint.DEFAULT_ERASE_METHOD), JobContext()
        )
        assert result.title == "Erase"
