"""The editor end to end, driven like a user: open, brush, erase, accept, undo, redo."""

from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QMessageBox

from editor.document.layers import Layer, LayerKind


@pytest.fixture
def photo_file(tmp_path, photo) -> Path:
    path = tmp_path / "photo.png"
    Image.fromarray(photo).save(path)
    return path


def _view_point(window, x, y) -> QPoint:
    return window.canvas.image_to_view(x, y).toPoint()


def _drag(qtbot, canvas, points):
    qtbot.mousePress(canvas, Qt.MouseButton.LeftButton, pos=points[0])
    for point in points[1:]:
        qtbot.mouseMove(canvas, point)
    qtbot.mouseRelease(canvas, Qt.MouseButton.LeftButton, pos=points[-1])


def test_open_brush_erase_accept_undo_redo(qtbot, window, photo_file, photo):
    assert window.open_path(photo_file)
    doc, canvas = window.document, window.canvas
    original = doc.image_layer.pixels.copy()
    assert np.array_equal(original, photo)

    window.brush.update(diameter=12, hardness=1.0)
    _drag(qtbot, canvas, [_view_point(window, x, 60) for x in range(40, 121, 8)])
    assert doc.mask.pixels[60, 80] == 255 and doc.mask.pixels[10, 10] == 0
    assert len(doc.history) == 1  # one stroke, one undo step
    assert not np.array_equal(canvas.display.pixels[60, 80], original[60, 80])  # mask overlay

    with qtbot.waitSignal(window.operations.engine.finished, timeout=20000):
        window.filter_menu.erase_fast.trigger()
    qtbot.waitUntil(lambda: doc.preview is not None)
    shown = doc.composite()
    under = doc.mask.pixels > 0
    assert (np.abs(shown[under].astype(int) - original[under]).sum(axis=1) > 0).mean() > 0.5
    far = np.ones(under.shape, bool)
    far[40:80, 20:140] = False  # well away from the stroke and its feathered edge
    assert np.array_equal(shown[far], original[far])
    assert np.array_equal(doc.flattened(), original)  # not merged until accepted
    assert np.array_equal(canvas.display.pixels, shown)  # the overlay no longer hides the fill

    assert window.accept_action.isEnabled()
    qtbot.keyClick(canvas, Qt.Key.Key_Return)
    accepted = doc.image_layer.pixels.copy()
    assert doc.preview is None and not doc.mask.pixels.any()
    assert np.array_equal(accepted, shown)

    window.undo_action.trigger()
    assert np.array_equal(doc.image_layer.pixels, original) and doc.preview is not None
    assert doc.mask.pixels[60, 80] == 255
    window.redo_action.trigger()
    assert np.array_equal(doc.image_layer.pixels, accepted) and doc.preview is None
    window.undo_action.trigger()
    qtbot.keyClick(canvas, Qt.Key.Key_Escape)  # discard the result instead
    assert doc.preview is None and np.array_equal(doc.image_layer.pixels, original)
    window.undo_action.trigger()
    assert doc.preview is not None


def test_mask_eraser_and_brush_size_shortcuts(qtbot, window, photo_file):
    window.open_path(photo_file)
    window.brush.update(diameter=20)
    qtbot.keyClick(window.canvas, Qt.Key.Key_BracketRight)
    assert window.brush.settings.diameter == 22
    qtbot.keyClick(window.canvas, Qt.Key.Key_BracketLeft)
    assert window.brush.settings.diameter == 20
    _drag(qtbot, window.canvas, [_view_point(window, 80, 60)])
    assert window.document.mask.pixels[60, 80] == 255
    qtbot.keyClick(window.canvas, Qt.Key.Key_E)
    assert window.brush.erase
    _drag(qtbot, window.canvas, [_view_point(window, 80, 60)])
    assert window.document.mask.pixels[60, 80] == 0


def test_zoom_shortcuts(qtbot, window, photo_file):
    window.open_path(photo_file)
    qtbot.keyClick(window.canvas, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    assert window.canvas.scale == 1.0
    qtbot.keyClick(window.canvas, Qt.Key.Key_0, Qt.KeyboardModifier.ControlModifier)
    canvas = window.canvas
    fit = min(canvas.width() / 160, canvas.height() / 120)
    assert 0.9 * fit <= canvas.scale <= fit and canvas.scale > 1.5


@pytest.mark.parametrize("content", [b"not an image at all", b""])
def test_bad_files_show_a_message_and_keep_the_document(
    qtbot, window, photo_file, tmp_path, content
):
    window.open_path(photo_file)
    stroke = window.document.begin_stroke()
    stroke.dab(30, 30, 5, 1.0)
    stroke.end()
    before_pixels = window.document.image_layer.pixels.copy()
    before_mask = window.document.mask.pixels.copy()
    window.document.history.set_clean()
    bad = tmp_path / "bad.jpg"
    bad.write_bytes(content)
    assert not window.open_path(bad)
    assert "not an image" in window.last_error
    assert window.document.path == photo_file
    assert np.array_equal(window.document.image_layer.pixels, before_pixels)
    assert np.array_equal(window.document.mask.pixels, before_mask)


def test_huge_image_is_refused_with_a_message(qtbot, window, tmp_path):
    Image.new("RGB", (3000, 2000)).save(tmp_path / "big.png")
    window.settings.max_megapixels = 1
    assert not window.open_path(tmp_path / "big.png")
    assert "limit" in window.last_error and window.document.is_empty()


def test_erase_without_a_mask_explains_instead_of_failing(qtbot, window, photo_file):
    window.open_path(photo_file)
    assert window.operations.erase() is None
    assert "Paint over" in window.statusBar().currentMessage()


def test_cancel_a_running_erase_keeps_the_document(qtbot, window, photo_file):
    window.open_path(photo_file)
    before = window.document.image_layer.pixels.copy()
    window.document.begin_stroke().dab(50, 50, 10, 1.0)
    with qtbot.waitSignal(window.operations.busy_changed, timeout=10000):
        window.filter_menu.erase_fast.trigger()
        window.jobs_panel.cancel_button.click()
    assert not window.operations.is_busy()
    qtbot.wait(200)  # a late result of the cancelled job must not appear
    assert window.document.preview is None
    assert np.array_equal(window.document.image_layer.pixels, before)


def test_drop_a_file_opens_it(qtbot, window, photo_file):
    data = QMimeData()
    data.setUrls([QUrl.fromLocalFile(str(photo_file))])
    args = (
        QPointF(400, 300),
        Qt.DropAction.CopyAction,
        data,
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
    )
    window.dropEvent(QDropEvent(*args))
    assert window.document.path == photo_file and window.document.width == 160


def test_save_then_close_asks_only_with_unsaved_changes(
    qtbot, window, photo_file, tmp_path, monkeypatch
):
    window.open_path(photo_file)
    window.document.begin_stroke().end()
    out = tmp_path / "out.jpg"
    assert window.save_to(out)
    assert out.exists() and not window.document.is_modified()
    stroke = window.document.begin_stroke()
    stroke.dab(5, 5, 3, 1.0)
    stroke.end()
    asked = []
    monkeypatch.setattr(
        QMessageBox,
        "question",
        lambda *a, **k: asked.append(1) or QMessageBox.StandardButton.Cancel,
    )
    assert not window.close()  # cancelled: the window stays, the edit is kept
    assert asked and window.document.is_modified()
    window.document.history.set_clean()  # now it may close
    assert window.close()


def _drawn(window) -> np.ndarray:
    from editor.fileio.qt_convert import qimage_to_rgba

    return qimage_to_rgba(window.canvas.grab().toImage())


def test_before_after_hold_and_split(qtbot, window, photo_file):
    window.open_path(photo_file)
    doc, canvas = window.document, window.canvas
    red = np.zeros((120, 160, 4), np.uint8)
    red[...] = [255, 0, 0, 255]
    doc.set_preview(Layer("Erase", LayerKind.RESULT, red))
    center = canvas.image_to_view(80, 60).toPoint()
    left = canvas.image_to_view(10, 60).toPoint()
    assert _drawn(window)[center.y(), center.x()].tolist()[:3] == [255, 0, 0]
    qtbot.keyPress(canvas, Qt.Key.Key_Backslash)
    assert _drawn(window)[center.y(), center.x()].tolist()[:3] != [255, 0, 0]  # before
    qtbot.keyRelease(canvas, Qt.Key.Key_Backslash)
    assert _drawn(window)[center.y(), center.x()].tolist()[:3] == [255, 0, 0]
    window.split_action.trigger()
    assert canvas.split == 0.5
    drawn = _drawn(window)
    assert drawn[left.y(), left.x()].tolist()[:3] != [255, 0, 0]  # left of the divider: before
    right = canvas.image_to_view(150, 60).toPoint()
    assert drawn[right.y(), right.x()].tolist()[:3] == [255, 0, 0]
    # Dragging the divider to the right edge shows "before" everywhere.
    divider = QPoint(int(canvas.width() * 0.5), canvas.height() // 2)
    qtbot.mousePress(canvas, Qt.MouseButton.LeftButton, pos=divider)
    qtbot.mouseMove(canvas, QPoint(canvas.width() - 1, canvas.height() // 2))
    qtbot.mouseRelease(canvas, Qt.MouseButton.LeftButton, pos=QPoint(canvas.width() - 1, 10))
    assert canvas.split > 0.95 and not doc.mask.pixels.any()  # no stroke was painted
    assert _drawn(window)[right.y(), right.x()].tolist()[:3] != [255, 0, 0]


def test_openraster_round_trip_keeps_every_layer(qtbot, window, photo_file, tmp_path):
    window.open_path(photo_file)
    doc = window.document
    wash = Layer("Wash", LayerKind.IMAGE, np.zeros((120, 160, 4), np.uint8), opacity=0.4)
    wash.pixels[:, :50] = [255, 200, 0, 255]
    doc.add_layer(wash)
    doc.set_layer_property(wash, "blend_mode", "screen")
    hidden = doc.new_layer("Hidden")
    hidden.pixels[5:9, 5:9] = [1, 2, 3, 200]
    doc.set_layer_property(hidden, "visible", False)
    doc.set_layer_property(hidden, "locked", True)
    stroke = doc.begin_stroke()
    stroke.dab(40, 40, 5, 1.0)
    stroke.end()
    before = [
        (lyr.name, lyr.pixels.copy(), lyr.opacity, lyr.visible, lyr.blend_mode, lyr.locked)
        for lyr in doc.layers
    ]
    mask, composite = doc.mask.pixels.copy(), doc.composite()
    assert window.save_to(tmp_path / "doc.ora") and not doc.is_modified()

    window.open_path(photo_file)  # something else in between
    assert window.open_path(tmp_path / "doc.ora")
    after = [
        (lyr.name, lyr.pixels, lyr.opacity, lyr.visible, lyr.blend_mode, lyr.locked)
        for lyr in doc.layers
    ]
    assert len(after) == len(before) == 3
    for old, new in zip(before, after, strict=True):
        assert old[0] == new[0] and np.array_equal(old[1], new[1]) and old[2:] == new[2:]
    assert np.array_equal(doc.mask.pixels, mask) and np.array_equal(doc.composite(), composite)


def test_cli_lists_and_flattens_openraster(window, photo_file, tmp_path):
    import subprocess
    import sys

    window.open_path(photo_file)
    window.document.new_layer("Top")
    window.save_to(tmp_path / "doc.ora")
    run = [sys.executable, "-m", "editor"]
    listed = subprocess.run([*run, "layers", tmp_path / "doc.ora"], capture_output=True, text=True)
    assert listed.returncode == 0 and "'Top'" in listed.stdout and "'photo.png'" in listed.stdout
    done = subprocess.run([*run, "export", tmp_path / "doc.ora", "-o", tmp_path / "flat.png"])
    assert done.returncode == 0
    flat = np.asarray(Image.open(tmp_path / "flat.png").convert("RGBA"))
    assert np.array_equal(flat, window.document.flattened())


def test_sketch_pen_draws_on_a_sketch_layer(qtbot, window, photo_file):
    window.open_path(photo_file)
    doc = window.document
    window.tool_actions["pen"].trigger()
    assert window.tool_options.size.value() == 4  # the panel shows the pen's settings
    _drag(qtbot, window.canvas, [_view_point(window, x, 30) for x in range(20, 100, 5)])
    sketch = doc.layers[-1]
    assert sketch.kind is LayerKind.SKETCH and sketch.name == "Sketch"
    assert sketch.pixels[30, 60].tolist() == [0, 0, 0, 255] and sketch.pixels[60, 60, 3] == 0
    assert not doc.mask.pixels.any()  # the pen never touches the mask
    assert doc.composite()[30, 60].tolist() == [0, 0, 0, 255]
    qtbot.keyClick(window.canvas, Qt.Key.Key_E)
    _drag(qtbot, window.canvas, [_view_point(window, 60, 30)])
    assert sketch.pixels[30, 60, 3] == 0
    window.undo_action.trigger()
    assert sketch.pixels[30, 60, 3] == 255


def test_a_pending_result_knows_its_operation_by_id_not_by_name(qtbot, window, photo_file,
                                                                random_colorizer):  # fmt: skip
    """Menus recognise their pending result by the operation that made it, through accept and
    undo, whatever the layer is called; a Colorize dialog's cancel leaves an Erase alone."""
    window.open_path(photo_file)
    ops, doc = window.operations, window.document
    doc.begin_stroke().dab(50, 50, 10, 1.0)
    with qtbot.waitSignal(ops.busy_changed, timeout=60000, check_params_cb=lambda b: not b):
        ops.erase("telea")
    assert doc.preview is not None and doc.preview.operation == "inpaint"
    doc.preview.name = "Renamed by someone"
    window.filter_menu._drop_preview_of("colorize")
    assert doc.preview is not None  # not Colorize's to drop
    window.accept_action.trigger()
    window.undo_action.trigger()
    assert doc.preview is not None and doc.preview.operation == "inpaint"
    window.discard_action.trigger()
    with qtbot.waitSignal(ops.busy_changed, timeout=60000, check_params_cb=lambda b: not b):
        ops.colorize([])
    assert doc.preview is not None and doc.preview.operation == "colorize"
    window.filter_menu._drop_preview_of("colorize")
    assert doc.preview is None
