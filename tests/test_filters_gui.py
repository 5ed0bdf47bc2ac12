"""Filter flows with the shipped weights: a gray photo is offered Colorize; the sketch pen's
drawing becomes a photo; both accept and undo."""

from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import Qt


@pytest.fixture
def gray_file(tmp_path, photo) -> Path:
    gray = photo[..., :3].mean(axis=2).astype(np.uint8)
    Image.fromarray(gray).save(tmp_path / "old.png")
    return tmp_path / "old.png"


def test_gray_photo_offer_colorize_accept_undo(qtbot, window, gray_file, shipped_colorizer):
    assert window.open_path(gray_file)
    offer = window.filter_menu.offer
    assert offer.isVisible()
    original = window.document.image_layer.pixels.copy()
    with qtbot.waitSignal(window.operations.busy_changed, timeout=60000,
                          check_params_cb=lambda busy: not busy):  # fmt: skip
        offer.button(offer.StandardButton.Yes).click()
    doc = window.document
    assert doc.preview is not None and doc.preview.name == "Colorize"
    window.accept_action.trigger()
    colored = doc.image_layer.pixels
    assert np.abs(colored[..., 0].astype(int) - colored[..., 2]).mean() > 0.5  # some chroma
    window.undo_action.trigger()
    assert np.array_equal(doc.image_layer.pixels, original)


def _stroke(qtbot, canvas, y: int) -> None:
    points = [canvas.image_to_view(x, y).toPoint() for x in range(20, 140, 6)]
    qtbot.mousePress(canvas, Qt.MouseButton.LeftButton, pos=points[0])
    for point in points[1:]:
        qtbot.mouseMove(canvas, point)
    qtbot.mouseRelease(canvas, Qt.MouseButton.LeftButton, pos=points[-1])


def test_sketch_pen_lines_and_scribble_then_sketch_to_photo(qtbot, window, tmp_path, photo,
                                                            random_sketcher):  # fmt: skip
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    Image.fromarray(photo).save(tmp_path / "p.png")
    window.open_path(tmp_path / "p.png")
    window.tool_actions["pen"].trigger()
    _stroke(qtbot, window.canvas, 40)  # a black line
    window.pen.update(colour=(30, 90, 220), diameter=8)
    _stroke(qtbot, window.canvas, 80)  # a blue scribble
    sketch = window.document.layers[-1]
    assert tuple(sketch.pixels[40, 80, :3]) == (0, 0, 0) and sketch.pixels[40, 80, 3] == 255
    assert tuple(sketch.pixels[80, 80, :3]) == (30, 90, 220) and sketch.pixels[80, 80, 3] == 255
    window.black_ink_action.trigger()  # D: black again
    assert window.pen.settings.colour == (0, 0, 0)
    before = sketch.pixels.copy()

    def choose_animals() -> None:
        dialog = QApplication.activeModalWidget()
        dialog.subject.setCurrentIndex(dialog.subject.findData("animals"))
        dialog.accept()

    QTimer.singleShot(0, choose_animals)
    with qtbot.waitSignal(window.operations.busy_changed, timeout=60000,
                          check_params_cb=lambda busy: not busy):  # fmt: skip
        window.filter_menu.sketch.trigger()
    assert random_sketcher == ["animals"]
    assert window.document.preview is not None
    window.accept_action.trigger()
    assert not np.array_equal(sketch.pixels, before) and (sketch.pixels[..., 3] == 255).all()
    window.undo_action.trigger()
    assert np.array_equal(sketch.pixels, before)


# The offscreen platform cannot grab the keyboard or resize popups; it says so as warnings.
@pytest.mark.qt_log_ignore("This plugin does not support")
def test_hint_with_a_suggested_swatch_colorize_accept_undo(qtbot, window, gray_file,
                                                          shipped_colorizer):  # fmt: skip
    assert window.open_path(gray_file)
    window.filter_menu.offer.reject()
    doc, menu = window.document, window.filter_menu
    original = doc.image_layer.pixels.copy()
    window.tool_actions["hint"].trigger()
    canvas = window.canvas
    qtbot.mouseClick(canvas, Qt.MouseButton.LeftButton, pos=canvas.image_to_view(40, 30).toPoint())
    assert len(menu.hints.points) == 1
    qtbot.waitUntil(lambda: len(menu.palette.swatches) == 6, timeout=60000)
    qtbot.mouseClick(menu.palette.swatches[1], Qt.MouseButton.LeftButton)
    picked = menu.palette.colours[1]
    assert menu.hints.points[0][2] == picked
    with qtbot.waitSignal(window.operations.busy_changed, timeout=60000,
                          check_params_cb=lambda busy: not busy):  # fmt: skip
        menu._colorize_all()
    assert doc.preview is not None and doc.preview.name == "Colorize"
    window.accept_action.trigger()
    assert not np.array_equal(doc.image_layer.pixels, original)
    window.undo_action.trigger()
    assert np.array_equal(doc.image_layer.pixels, original)
    window.undo_action.trigger()  # the swatch pick
    assert menu.hints.points[0][2] != picked
    window.undo_action.trigger()  # the hint itself
    assert menu.hints.points == []


def test_colorize_dialog_previews_on_open_then_applies_to_the_whole_image(
    qtbot, window, gray_file, random_colorizer
):
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    assert window.open_path(gray_file)
    window.filter_menu.offer.reject()
    doc = window.document
    window.canvas.set_zoom(4.0)  # only part of the photo is visible
    visible = window.canvas.visible_image_rect()
    seen = {}

    def interact() -> None:
        dialog = QApplication.activeModalWidget()
        qtbot.waitUntil(lambda: doc.preview is not None, timeout=30000)  # shown on open
        seen["first"] = doc.preview.rect
        first_pixels = doc.preview.pixels.copy()
        dialog.vibrance.setValue(5)
        qtbot.waitUntil(lambda: not np.array_equal(doc.preview.pixels, first_pixels),
                        timeout=30000)  # fmt: skip
        qtbot.waitUntil(lambda: not window.operations.is_busy(), timeout=30000)
        dialog.accept()

    QTimer.singleShot(0, interact)
    window.filter_menu.colorize_dialog()
    qtbot.waitUntil(lambda: not window.operations.is_busy(), timeout=30000)
    assert seen["first"] == visible and visible != doc.full_rect()
    assert doc.preview.rect == doc.full_rect()
    assert window.filter_menu.colorize_options.vibrance == 0.05


def test_file_new_makes_a_blank_canvas_without_the_colorize_offer(qtbot, window):
    from editor.panels.new_document_dialog import NewDocumentOptions

    window.filter_menu.offer = None
    window.new_document(NewDocumentOptions(320, 200, "White"))
    doc = window.document
    assert (doc.width, doc.height) == (320, 200) and len(doc.layers) == 1
    assert (doc.image_layer.pixels == 255).all()
    assert window.filter_menu.offer is None  # nothing offered for a blank page
    window.new_document(NewDocumentOptions(64, 48, "Transparent"))
    assert (window.document.image_layer.pixels[..., 3] == 0).all()
