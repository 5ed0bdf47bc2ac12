"""The layers panel adapts the document's stack: edits through it land in the document."""

import numpy as np
import pytest
from PySide6.QtCore import Qt

from editor.core.blend import BLEND_MODES
from editor.document.document import Document
from editor.document.layers import Layer, LayerKind
from editor.panels.layers import LayersPanel


@pytest.fixture
def setup(qtbot):
    doc = Document()
    base = np.zeros((10, 10, 4), np.uint8)
    base[...] = [100, 100, 100, 255]
    doc.load(base)
    top = Layer("Top", LayerKind.IMAGE, np.zeros((10, 10, 4), np.uint8))
    top.pixels[...] = [0, 0, 200, 255]
    doc.add_layer(top)
    panel = LayersPanel(doc)
    qtbot.addWidget(panel)
    return doc, panel, top


def test_rows_list_mask_then_layers_top_first(setup):
    doc, panel, top = setup
    model = panel.model
    names = [model.data(model.index(row)) for row in range(model.rowCount())]
    assert names == ["Mask", "Top", "Background"]
    doc.set_preview(Layer("Erase", LayerKind.RESULT, np.zeros((2, 2, 4), np.uint8)))
    assert model.rowCount() == 4 and "pending" in model.data(model.index(1))


def test_rename_and_visibility_are_undoable_edits(setup):
    doc, panel, top = setup
    model = panel.model
    row = model.row_of(top)
    assert model.setData(model.index(row), "Sky", Qt.ItemDataRole.EditRole)
    assert top.name == "Sky"
    model.setData(model.index(row), Qt.CheckState.Unchecked.value, Qt.ItemDataRole.CheckStateRole)
    assert not top.visible and doc.composite()[0, 0].tolist() == [100, 100, 100, 255]
    doc.history.undo()
    doc.history.undo()
    assert top.visible and top.name == "Top"


def test_drag_reorders_the_stack(setup):
    doc, panel, top = setup
    model = panel.model
    data = model.mimeData([model.index(model.row_of(top))])
    model.dropMimeData(data, Qt.DropAction.MoveAction, model.rowCount(), 0, model.index(-1))
    assert [layer.name for layer in doc.layers] == ["Top", "Background"]
    assert doc.composite()[0, 0].tolist() == [100, 100, 100, 255]


def test_opacity_slider_and_blend_combo_follow_the_active_layer(setup, qtbot):
    doc, panel, top = setup
    panel.view.setCurrentIndex(panel.model.index(panel.model.row_of(top)))
    assert doc.active_layer is top
    panel.opacity.setValue(50)
    assert top.opacity == 0.5
    assert doc.composite()[0, 0, 2] == round((200 + 100) / 2)
    panel.blend.setCurrentIndex(panel.blend.findData("multiply"))
    assert top.blend_mode == "multiply"
    background = doc.layers[0]
    panel.view.setCurrentIndex(panel.model.index(panel.model.row_of(background)))
    assert panel.opacity.value() == 100 and panel.blend.currentIndex() == 0


def test_pending_result_row_sits_above_its_target(setup):
    doc, panel, top = setup
    background = doc.layers[0]
    doc.set_preview(Layer("Erase", LayerKind.RESULT, np.zeros((2, 2, 4), np.uint8)), background)
    model = panel.model
    names = [
        model.data(model.index(row), Qt.ItemDataRole.EditRole) for row in range(model.rowCount())
    ]
    assert names == ["Mask", "Top", "Erase", "Background"]


def test_blend_combo_offers_every_mode_and_composites_with_it(setup):
    doc, panel, top = setup
    panel.view.setCurrentIndex(panel.model.index(panel.model.row_of(top)))
    modes = [panel.blend.itemData(i) for i in range(panel.blend.count())]
    assert [mode for mode in modes if mode] == list(BLEND_MODES)  # grouped by separators
    assert panel.blend.itemText(modes.index("color-dodge")) == "Color dodge"
    panel.blend.setCurrentIndex(modes.index("difference"))
    assert top.blend_mode == "difference"
    assert doc.composite()[0, 0].tolist() == [100, 100, 100, 255]  # |(100,100,100)-(0,0,200)|
    doc.history.undo()
    assert top.blend_mode == "normal" and panel.blend.currentText() == "Normal"


def test_the_mask_thumbnail_follows_a_stroke(setup, qtbot):
    doc, panel, top = setup
    model = panel.model
    mask_row = model.row_of(doc.mask)
    before = model.data(model.index(mask_row), Qt.ItemDataRole.DecorationRole).toImage()
    with qtbot.waitSignal(model.dataChanged, timeout=2000) as changed:
        stroke = doc.begin_stroke()
        stroke.dab(5, 5, 6, 1.0)
        stroke.end()
    first, last, roles = changed.args
    assert first.row() <= mask_row <= last.row() and Qt.ItemDataRole.DecorationRole in roles
    after = model.data(model.index(mask_row), Qt.ItemDataRole.DecorationRole).toImage()
    assert after.pixelColor(5, 5) != before.pixelColor(5, 5)
