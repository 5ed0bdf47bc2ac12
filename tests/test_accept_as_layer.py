"""Accept as new layer: the pending result lands on its own layer above its target (Shift+Enter,
or Enter when Settings say so), the target keeps its pixels, and it is one undo step."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from PySide6.QtCore import Qt

from editor.document.document import Document
from editor.document.layers import Layer, LayerKind


@pytest.fixture
def doc(qapp, photo):
    document = Document()
    document.load(photo.copy())
    return document


def _pending_patch(document: Document) -> np.ndarray:
    stroke = document.begin_stroke()
    stroke.dab(50, 50, 8, 1.0)
    stroke.end()
    patch = np.zeros((10, 10, 4), np.uint8)
    patch[...] = [255, 0, 0, 255]
    document.set_preview(Layer("Erase", LayerKind.RESULT, patch, 45, 45))
    return patch


def test_the_result_gets_its_own_layer_above_the_target(doc, photo):
    patch = _pending_patch(doc)
    background = doc.layers[0]
    steps = len(doc.history)
    layer = doc.accept_preview_as_layer()
    assert doc.preview is None and not doc.mask.pixels.any()
    assert doc.layers == [background, layer] and doc.active_layer is layer
    assert layer.kind is LayerKind.IMAGE and layer.name == "Erase"
    assert (layer.x, layer.y) == (0, 0) and layer.pixels.shape == photo.shape
    assert np.array_equal(layer.pixels[45:55, 45:55], patch) and layer.pixels[:45].max() == 0
    assert np.array_equal(background.pixels, photo)  # the target is untouched
    assert np.array_equal(doc.flattened()[45:55, 45:55], patch)
    assert len(doc.history) == steps + 1  # one undo step

    doc.history.undo()
    assert doc.layers == [background] and doc.preview is not None
    assert doc.mask.pixels[50, 50] == 255
    doc.history.redo()
    assert doc.layers == [background, layer] and doc.preview is None


def test_the_new_layer_sits_right_above_a_lower_target_even_when_it_is_locked(doc):
    background = doc.layers[0]
    top = doc.new_layer("Top")
    doc.set_layer_property(background, "locked", True)
    doc.set_preview(Layer("Denoise", LayerKind.RESULT, np.zeros((4, 4, 4), np.uint8)), background)
    layer = doc.accept_preview_as_layer()
    assert doc.layers == [background, layer, top]


def test_shift_enter_and_the_setting_choose_the_way(qtbot, window, photo):
    doc = window.document
    doc.load(photo.copy())
    patch = _pending_patch(doc)
    assert window.accept_other_action.text().replace("&", "") == "Accept as new layer"
    qtbot.keyClick(window.canvas, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)
    assert len(doc.layers) == 2 and np.array_equal(doc.layers[1].pixels[45:55, 45:55], patch)
    assert np.array_equal(doc.layers[0].pixels, photo)

    window.apply_settings(replace(window.settings, accept_as_new_layer=True))
    assert window.accept_action.text().replace("&", "") == "Accept as new layer"
    _pending_patch(doc)
    qtbot.keyClick(window.canvas, Qt.Key.Key_Return)
    assert len(doc.layers) == 3
    _pending_patch(doc)
    qtbot.keyClick(window.canvas, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)
    assert len(doc.layers) == 3 and np.array_equal(doc.image_layer.pixels[45:55, 45:55], patch)


def test_the_setting_is_in_the_dialog_and_persists(qtbot, tmp_path):
    from PySide6.QtCore import QSettings

    from editor.panels.settings_dialog import SettingsDialog
    from editor.settings import Settings

    dialog = SettingsDialog(Settings())
    qtbot.addWidget(dialog)
    assert not dialog.values().accept_as_new_layer
    dialog.accept_as_layer.setChecked(True)
    chosen = dialog.values()
    assert chosen.accept_as_new_layer
    store = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    chosen.save(store)
    assert Settings.load(store).accept_as_new_layer


def test_an_upscale_accepted_as_a_layer_says_why_it_resizes_instead(qtbot, window, photo):
    doc = window.document
    doc.load(photo.copy())
    dense = np.repeat(np.repeat(photo, 2, axis=0), 2, axis=1)
    doc.set_preview(Layer("Upscale ×2", LayerKind.RESULT, dense, scale=2))
    qtbot.keyClick(window.canvas, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)
    assert (doc.width, doc.height) == (320, 240) and len(doc.layers) == 1
    assert "upscale resizes the whole image" in window.statusBar().currentMessage()
