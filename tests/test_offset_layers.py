"""Layers smaller than the canvas, placed at an offset (as .ora files from Krita or GIMP
have them): operations read them in canvas coordinates and Accept writes where they are."""

from __future__ import annotations

import numpy as np
import pytest

from editor.core.geometry import Rect
from editor.document.document import Document
from editor.document.layers import Layer, LayerKind

RED, BLUE = (255, 0, 0, 255), (0, 0, 255, 255)


@pytest.fixture
def doc(qapp, photo) -> Document:
    """A 160x120 photo with a 40x30 blue sticker at (80, 60), the sticker active."""
    document = Document()
    sticker = Layer("Sticker", LayerKind.IMAGE, np.full((30, 40, 4), BLUE, np.uint8), 80, 60)
    document.load_layers(160, 120, [Layer("Photo", LayerKind.IMAGE, photo.copy()), sticker])
    return document


def test_canvas_pixels_place_the_layer_where_it_is_shown(doc):
    sticker = doc.layers[1]
    canvas = doc.canvas_pixels(sticker)
    assert canvas.shape == (120, 160, 4)
    assert canvas[60, 80].tolist() == list(BLUE) and canvas[89, 119].tolist() == list(BLUE)
    assert canvas[59, 80, 3] == 0 and canvas[60, 120, 3] == 0  # transparent around it
    assert np.array_equal(doc.canvas_pixels(sticker), doc.canvas_pixels(sticker))
    canvas[60, 80] = 0
    assert sticker.pixels[0, 0].tolist() == list(BLUE)  # a copy, never the live layer
    part = doc.canvas_pixels(sticker, Rect(70, 50, 20, 20))  # the sticker's top-left corner
    assert part.shape == (20, 20, 4)
    assert (part[10:, 10:] == BLUE).all() and not part[:10].any() and not part[:, :10].any()


def test_accept_writes_a_result_where_it_is_shown(doc):
    sticker = doc.layers[1]
    doc.mask.pixels[65:70, 85:90] = 255
    result = np.zeros((10, 10, 4), np.uint8)
    result[...] = RED
    doc.set_preview(Layer("Erase", LayerKind.RESULT, result, 85, 65), sticker)
    doc.accept_preview()
    assert sticker.pixels[5, 5].tolist() == list(RED)  # canvas (85, 65) is sticker (5, 5)
    assert sticker.pixels[0, 0].tolist() == list(BLUE)
    assert doc.composite()[65, 85].tolist() == list(RED)
    assert not doc.mask.pixels.any()
    doc.history.undo()
    assert (sticker.pixels == BLUE).all()


def test_accept_clips_a_result_reaching_past_the_layer(doc):
    sticker = doc.layers[1]
    result = np.zeros((40, 40, 4), np.uint8)
    result[...] = RED
    doc.set_preview(Layer("Erase", LayerKind.RESULT, result, 100, 70), sticker)
    doc.accept_preview()  # overlaps the sticker's lower-right part only
    assert sticker.pixels[10:, 20:].tolist() == np.full((20, 20, 4), RED).tolist()
    assert (sticker.pixels[:10] == BLUE).all() and (sticker.pixels[:, :20] == BLUE).all()


def test_accepting_an_upscale_of_an_offset_layer_keeps_it_in_place(doc):
    factor = 2
    before = doc.composite()
    upscaled = np.repeat(np.repeat(doc.canvas_pixels(doc.layers[1]), factor, 0), factor, 1)
    doc.set_preview(Layer("Upscale", LayerKind.RESULT, upscaled, scale=factor), doc.layers[1])
    doc.accept_preview()
    after = doc.composite()
    assert (doc.width, doc.height) == (320, 240)
    assert after[120 + 10, 160 + 10].tolist() == list(BLUE)  # the sticker at (160, 120) now
    assert np.array_equal(after[::2, ::2][60:90, 80:120], before[60:90, 80:120])


def test_erase_on_an_offset_layer_in_the_editor(window, qtbot, photo):
    doc = window.document
    sticker = Layer("Sticker", LayerKind.IMAGE, np.full((30, 40, 4), BLUE, np.uint8), 80, 60)
    sticker.pixels[10:20, 10:20] = RED  # an object on the sticker, at canvas (90..100, 70..80)
    doc.load_layers(160, 120, [Layer("Photo", LayerKind.IMAGE, photo.copy()), sticker])
    doc.mask.pixels[68:82, 88:102] = 255
    with qtbot.waitSignal(window.operations.engine.finished, timeout=20000):
        assert window.operations.erase("telea") is not None  # raised ValueError before
    qtbot.waitUntil(lambda: doc.preview is not None)
    doc.accept_preview()
    erased = sticker.pixels[10:20, 10:20, :3].astype(int)
    assert np.abs(erased - np.array(BLUE[:3])).max() < 40  # filled from the blue around it
    assert (sticker.pixels[:5] == BLUE).all()  # outside the mask: untouched
    assert np.array_equal(doc.layers[0].pixels, photo)  # the photo below: untouched
