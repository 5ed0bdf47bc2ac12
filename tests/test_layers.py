"""Layer stack edits: each one undoable, the composite following the properties."""

import numpy as np
import pytest

from editor.core.geometry import Rect
from editor.document.document import Document, LayerLocked
from editor.document.layers import Layer, LayerKind


def _solid(color, size=(8, 8)):
    pixels = np.zeros((*size, 4), np.uint8)
    pixels[...] = color
    return pixels


@pytest.fixture
def doc(qapp):
    document = Document()
    document.load(_solid([200, 100, 50, 255]))
    return document


def test_add_reorder_delete_with_undo(doc):
    background = doc.layers[0]
    red = Layer("red", LayerKind.IMAGE, _solid([255, 0, 0, 255]))
    doc.add_layer(red)
    assert doc.composite()[0, 0].tolist() == [255, 0, 0, 255] and doc.active_layer is red
    doc.move_layer(red, 0)
    assert doc.layers == [red, background]
    assert doc.composite()[0, 0].tolist() == [200, 100, 50, 255]
    doc.remove_layer(background)
    assert doc.layers == [red]
    with pytest.raises(LayerLocked):
        doc.remove_layer(red)  # the last layer stays
    for _ in range(3):
        doc.history.undo()
    assert doc.layers == [background]


def test_opacity_slider_drag_is_one_undo_step(doc):
    top = Layer("top", LayerKind.IMAGE, _solid([0, 0, 0, 255]))
    doc.add_layer(top)
    steps = len(doc.history)
    for value in (0.9, 0.7, 0.5):
        doc.set_layer_property(top, "opacity", value)
    assert len(doc.history) == steps + 1
    assert doc.composite()[0, 0, 0] == round(200 * 0.5)
    doc.history.undo()
    assert top.opacity == 1.0 and doc.composite()[0, 0, 0] == 0


def test_visibility_blend_mode_and_merge_down(doc):
    top = Layer("top", LayerKind.IMAGE, _solid([128, 128, 128, 255]), blend_mode="multiply")
    doc.add_layer(top)
    expected = [round(200 * 128 / 255), round(100 * 128 / 255), round(50 * 128 / 255), 255]
    assert doc.composite()[0, 0].tolist() == expected
    doc.set_layer_property(top, "visible", False)
    assert doc.composite()[0, 0].tolist() == [200, 100, 50, 255]
    doc.set_layer_property(top, "visible", True)
    merged = doc.merge_down(top)
    assert len(doc.layers) == 1 and merged.pixels[0, 0].tolist() == expected
    doc.history.undo()
    assert len(doc.layers) == 2 and doc.layers[1] is top


def test_duplicate_flatten_and_lock(doc):
    copy = doc.duplicate_layer(doc.layers[0])
    assert (
        np.array_equal(copy.pixels, doc.layers[0].pixels)
        and copy.pixels is not doc.layers[0].pixels
    )
    doc.set_layer_property(copy, "opacity", 0.5)
    flat = doc.flatten()
    assert doc.layers == [flat] and flat.pixels[0, 0].tolist() == [200, 100, 50, 255]
    doc.history.undo()
    assert len(doc.layers) == 2
    doc.set_layer_property(copy, "locked", True)
    doc.set_preview(Layer("r", LayerKind.RESULT, _solid([0, 0, 255, 255], (2, 2))), copy)
    with pytest.raises(LayerLocked, match="locked"):
        doc.accept_preview()
    assert doc.preview is not None


def test_preview_sits_above_its_target_layer(doc):
    top = Layer("half", LayerKind.IMAGE, _solid([0, 0, 0, 0]))
    top.pixels[:, :4] = [0, 255, 0, 255]
    doc.add_layer(top)
    doc.set_active(doc.layers[0])
    doc.set_preview(Layer("fill", LayerKind.RESULT, _solid([0, 0, 255, 255])))
    shown = doc.composite(Rect(0, 0, 8, 8))
    assert shown[0, 0].tolist() == [0, 255, 0, 255]  # the upper layer still covers the result
    assert shown[0, 7].tolist() == [0, 0, 255, 255]
    doc.accept_preview()
    assert doc.layers[0].pixels[0, 0].tolist() == [0, 0, 255, 255]
    assert doc.layers[1].pixels[0, 7].tolist() == [0, 0, 0, 0]
