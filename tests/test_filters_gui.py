"""Filter flows with the shipped weights: a gray photo is offered Colorize; the sketch pen's
drawing becomes a photo; both accept and undo."""

from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import Qt

MODELS = Path(__file__).resolve().parents[1] / "models"


@pytest.fixture
def gray_file(tmp_path, photo) -> Path:
    gray = photo[..., :3].mean(axis=2).astype(np.uint8)
    Image.fromarray(gray).save(tmp_path / "old.png")
    return tmp_path / "old.png"


def test_gray_photo_offer_colorize_accept_undo(qtbot, window, gray_file):
    if not (MODELS / "colorize.safetensors").exists():
        pytest.skip("models/colorize.safetensors is not present")
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


def test_sketch_pen_then_sketch_to_photo(qtbot, window, tmp_path, photo):
    if not (MODELS / "sketch2photo.safetensors").exists():
        pytest.skip("models/sketch2photo.safetensors is not present")
    Image.fromarray(photo).save(tmp_path / "p.png")
    window.open_path(tmp_path / "p.png")
    window.tool_actions["pen"].trigger()
    canvas = window.canvas
    points = [canvas.image_to_view(x, 60).toPoint() for x in range(20, 140, 6)]
    qtbot.mousePress(canvas, Qt.MouseButton.LeftButton, pos=points[0])
    for point in points[1:]:
        qtbot.mouseMove(canvas, point)
    qtbot.mouseRelease(canvas, Qt.MouseButton.LeftButton, pos=points[-1])
    sketch = window.document.layers[-1]
    before = sketch.pixels.copy()
    with qtbot.waitSignal(window.operations.busy_changed, timeout=60000,
                          check_params_cb=lambda busy: not busy):  # fmt: skip
        window.filter_menu.sketch.trigger()
    assert window.document.preview is not None
    window.accept_action.trigger()
    assert not np.array_equal(sketch.pixels, before) and (sketch.pixels[..., 3] == 255).all()
    window.undo_action.trigger()
    assert np.array_equal(sketch.pixels, before)
