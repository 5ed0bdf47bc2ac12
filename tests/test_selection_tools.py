"""Selection tools in the window: the mask they make, modifiers, Select-menu edits, import and
export; every change one undo step."""

import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import QPoint, Qt

NO = Qt.KeyboardModifier.NoModifier


@pytest.fixture
def window(window):
    image = np.zeros((100, 200, 4), np.uint8)
    image[...] = [30, 30, 30, 255]
    image[20:60, 120:180] = [240, 240, 240, 255]  # a bright box on a dark background
    window.document.load(image)
    return window


def _at(window, x, y) -> QPoint:
    return window.canvas.image_to_view(x, y).toPoint()


def _drag(qtbot, window, points, modifiers=NO):
    canvas = window.canvas
    qtbot.mousePress(canvas, Qt.MouseButton.LeftButton, modifiers, _at(window, *points[0]))
    for point in points[1:]:
        qtbot.mouseMove(canvas, _at(window, *point))
    qtbot.mouseRelease(canvas, Qt.MouseButton.LeftButton, modifiers, _at(window, *points[-1]))


def test_rectangle_replace_add_subtract(qtbot, window):
    mask = lambda: window.document.mask.pixels  # noqa: E731
    window.tool_actions["rectangle"].trigger()
    _drag(qtbot, window, [(10, 10), (30, 20), (50, 40)])
    assert mask()[25, 30] == 255 and mask()[45, 30] == 0 and mask()[25, 60] == 0
    _drag(qtbot, window, [(60, 10), (80, 40)], Qt.KeyboardModifier.ShiftModifier)
    assert mask()[25, 30] == 255 and mask()[25, 70] == 255
    _drag(qtbot, window, [(0, 0), (40, 30)], Qt.KeyboardModifier.AltModifier)
    assert mask()[25, 30] == 0 and mask()[35, 45] == 255
    assert len(window.document.history) == 3
    window.undo_action.trigger()
    assert mask()[25, 30] == 255


def test_lasso_and_wand(qtbot, window):
    window.tool_actions["lasso"].trigger()
    _drag(qtbot, window, [(10, 10), (60, 10), (60, 60), (10, 60)])
    assert window.document.mask.pixels[35, 35] == 255 and window.document.mask.pixels[80, 35] == 0
    window.tool_actions["wand"].trigger()
    window.selection.tolerance = 20
    _drag(qtbot, window, [(150, 40)])
    selected = window.document.mask.pixels == 255
    assert selected[20:60, 120:180].all() and selected.sum() == 40 * 60


def test_smart_select_finds_the_box_and_strokes_refine(qtbot, window):
    window.tool_actions["smart"].trigger()
    with qtbot.waitSignal(
        window.operations.busy_changed, timeout=30000, check_params_cb=lambda busy: not busy
    ):
        _drag(qtbot, window, [(105, 8), (195, 75)])
    mask = window.document.mask.pixels > 127
    box = np.zeros_like(mask)
    box[20:60, 120:180] = True
    assert (mask & box).sum() / (mask | box).sum() > 0.9
    # Alt+stroke marks part of the box as background: the selection gives it up.
    with qtbot.waitSignal(
        window.operations.busy_changed, timeout=30000, check_params_cb=lambda busy: not busy
    ):
        _drag(
            qtbot,
            window,
            [(125, 25), (175, 25), (175, 55), (125, 55)],
            Qt.KeyboardModifier.AltModifier,
        )
    assert window.document.mask.pixels[25, 150] == 0


def test_select_menu_edits(qtbot, window, tmp_path):
    doc = window.document
    edits = window.select_menu.edits
    edits["all"]()
    assert (doc.mask.pixels == 255).all()
    edits["invert"]()
    assert not doc.mask.pixels.any()
    doc.set_mask(np.pad(np.full((10, 10), 255, np.uint8), ((45, 45), (95, 95))), "box")
    edits["grow"](px=5)
    assert doc.mask.pixels[42, 100] == 255 and doc.mask.pixels[38, 100] == 0
    edits["shrink"](px=5)
    assert doc.mask.pixels[45, 95] == 255 and doc.mask.pixels[44, 95] == 0
    edits["feather"](px=4)
    assert 0 < doc.mask.pixels[45, 95] < 255
    assert window.select_menu.export_mask(tmp_path / "m.png")
    doc.clear_mask()
    assert window.select_menu.import_mask(tmp_path / "m.png")
    assert doc.mask.pixels[50, 100] == 255
    Image.fromarray(np.full((10, 20), 255, np.uint8)).save(tmp_path / "small.png")
    assert window.select_menu.import_mask(tmp_path / "small.png")  # resized to fit
    assert doc.mask.pixels.all()
