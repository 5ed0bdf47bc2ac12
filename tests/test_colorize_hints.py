"""Colour hints on their own layer: undoable edits, the layers panel row, saved in .ora (and
in crash recovery) and read back; old files open as before; hints re-run Colorize on the
visible part only, and Accept colours the whole image with them."""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from editor.document.document import Document
from editor.document.io import fits_flat_file, open_into, read_file, save_document
from editor.document.layers import LayerKind

HINTS = ((10, 5, (255, 0, 0)), (79, 49, (0, 0, 255)))


@pytest.fixture
def doc(qapp, photo) -> Document:
    document = Document()
    document.load(photo[:50, :80].copy())
    return document


def test_hint_edits_are_undo_steps_on_the_hint_layer(doc):
    changes = []
    doc.hints_changed.connect(lambda: changes.append(doc.hints.points))
    assert doc.hints.kind is LayerKind.HINTS and doc.hints.rect == doc.full_rect()
    doc.set_hints(HINTS[:1], "Add colour hint")
    doc.set_hints(HINTS, "Add colour hint")
    assert doc.hints.points == HINTS
    doc.history.undo()
    assert doc.hints.points == HINTS[:1]
    doc.history.undo()
    assert doc.hints.points == ()
    doc.history.redo()
    assert changes[-1] == HINTS[:1]
    assert doc.hints not in doc.layers  # beside the stack, like the mask: never composited
    assert np.array_equal(doc.flattened(), doc.layers[0].pixels)


def test_the_layers_panel_lists_the_hint_layer_while_it_holds_hints(doc, qtbot):
    from PySide6.QtCore import Qt

    from editor.panels.layers import LayersPanel

    panel = LayersPanel(doc)
    qtbot.addWidget(panel)
    model = panel.model
    assert doc.hints not in model._rows()
    doc.set_hints(HINTS, "Add colour hints")
    row = model.row_of(doc.hints)
    assert row == 1  # under the mask, above the layers
    index = model.index(row)
    assert "2 colour hints" in model.data(index, Qt.ItemDataRole.ToolTipRole)
    assert not model.data(index, Qt.ItemDataRole.DecorationRole).isNull()
    model.setData(index, Qt.CheckState.Unchecked.value, Qt.ItemDataRole.CheckStateRole)
    assert not doc.hints.visible  # a view setting (the dots), not an edit
    doc.history.undo()
    assert doc.hints not in model._rows()


def test_hints_are_saved_in_ora_and_read_back(doc, tmp_path):
    doc.set_hints(HINTS, "Add colour hints")
    doc.hints.visible = False
    outcome = save_document(doc, tmp_path / "hinted.ora")
    assert outcome.complete
    reopened = Document()
    open_into(reopened, tmp_path / "hinted.ora")
    assert reopened.hints.points == HINTS and not reopened.hints.visible
    assert [layer.kind for layer in reopened.layers] == [LayerKind.IMAGE]
    # Other programs see a hidden layer of dots; the merged image has none of them.
    with zipfile.ZipFile(tmp_path / "hinted.ora") as archive:
        stack = archive.read("stack.xml").decode()
        merged = np.asarray(Image.open(archive.open("mergedimage.png")).convert("RGBA"))
    assert 'retouch:kind="hints"' in stack and 'visibility="hidden"' in stack
    assert np.array_equal(merged, doc.flattened())


def test_a_file_without_hints_opens_as_before(doc, tmp_path):
    save_document(doc, tmp_path / "plain.ora")
    with zipfile.ZipFile(tmp_path / "plain.ora") as archive:
        assert "hints" not in archive.read("stack.xml").decode()  # nothing written for none
    opened = read_file(tmp_path / "plain.ora")
    assert opened.hints is None and not opened.notices
    reopened = Document()
    opened.apply_to(reopened)
    assert reopened.hints.points == () and reopened.hints.rect == reopened.full_rect()


@pytest.mark.parametrize(
    "attribute",
    ['[[1,2,"red"]]', '[[1e400,2,"#ff0000"]]', "{", "[" * 5000, '[[1,2,"#gg0000"]]'],
    ids=["not hex", "huge", "not json", "deep", "bad digits"],
)
def test_damaged_hints_are_left_out_with_a_notice(doc, tmp_path, attribute):
    doc.set_hints(HINTS, "Add colour hints")
    save_document(doc, tmp_path / "in.ora")
    with zipfile.ZipFile(tmp_path / "in.ora") as source:
        members = {name: source.read(name) for name in source.namelist()}
    stack = members["stack.xml"].decode()
    start = stack.index('retouch:hints="') + len('retouch:hints="')
    end = stack.index('"', start)
    escaped = attribute.replace('"', "&quot;")
    members["stack.xml"] = (stack[:start] + escaped + stack[end:]).encode()
    with zipfile.ZipFile(tmp_path / "bad.ora", "w") as target:
        for name, data in members.items():
            target.writestr(name, data)
    opened = read_file(tmp_path / "bad.ora")
    assert any("colour hints" in notice for notice in opened.notices)
    reopened = Document()
    opened.apply_to(reopened)
    assert reopened.hints.points == ()


def test_hints_written_back_without_our_attributes_are_read_from_their_dots(doc, tmp_path):
    """As Krita saves our file again: every retouch: attribute gone, the layers kept."""
    import re

    close = ((30, 20, (10, 200, 10)), (33, 21, (200, 10, 200)))  # overlapping dots
    doc.set_hints(HINTS + close, "Add colour hints")
    save_document(doc, tmp_path / "in.ora")
    with zipfile.ZipFile(tmp_path / "in.ora") as source:
        members = {name: source.read(name) for name in source.namelist()}
    stack = re.sub(r' retouch:[a-z]+="[^"]*"', "", members["stack.xml"].decode())
    members["stack.xml"] = stack.replace(' xmlns:retouch="urn:retouch:openraster:1"', "").encode()
    with zipfile.ZipFile(tmp_path / "krita.ora", "w") as target:
        for name, data in members.items():
            target.writestr(name, data)
    reopened = Document()
    open_into(reopened, tmp_path / "krita.ora")
    assert sorted(reopened.hints.points) == sorted(HINTS + close)
    assert reopened.hints.visible and [layer.name for layer in reopened.layers] == ["Background"]


def test_hints_outside_the_canvas_are_dropped_on_open(doc, tmp_path):
    doc.set_hints(HINTS, "Add colour hints")
    save_document(doc, tmp_path / "in.ora")
    with zipfile.ZipFile(tmp_path / "in.ora") as source:
        members = {name: source.read(name) for name in source.namelist()}
    members["stack.xml"] = members["stack.xml"].replace(b"[79,49,", b"[500,-3,")
    with zipfile.ZipFile(tmp_path / "moved.ora", "w") as target:
        for name, data in members.items():
            target.writestr(name, data)
    reopened = Document()
    open_into(reopened, tmp_path / "moved.ora")
    assert reopened.hints.points == HINTS[:1]


def test_a_flat_file_cannot_hold_hints(doc):
    assert fits_flat_file(doc)
    doc.set_hints(HINTS, "Add colour hints")
    assert not fits_flat_file(doc)  # saving a PNG is an export: the document stays unsaved


def test_crash_recovery_keeps_the_hints(doc):
    from editor.document.autosave import take_snapshot, to_layers

    doc.set_hints(HINTS, "Add colour hints")
    snapshot = take_snapshot(doc.width, doc.height, [*doc.layers, doc.mask, doc.hints])
    kinds = [layer.kind for layer in snapshot.layers]
    assert kinds == ["image", "mask", "hints"]
    dots = snapshot.layers[2]
    assert dots.pixels.shape[0] < doc.height  # cropped to the dots, not a canvas of nothing
    restored = to_layers(snapshot.layers)
    assert restored[2].kind is LayerKind.HINTS and restored[2].points == HINTS
    empty = take_snapshot(doc.width, doc.height, [*doc.layers, doc.mask, Document().hints])
    assert [layer.kind for layer in empty.layers] == ["image", "mask"]


def test_accepting_an_upscale_scales_the_hints(doc):
    from editor.document.layers import Layer

    doc.set_hints(HINTS, "Add colour hints")
    big = np.zeros((doc.height * 2, doc.width * 2, 4), np.uint8)
    doc.set_preview(Layer("Upscale ×2", LayerKind.RESULT, big, scale=2))
    doc.accept_preview()
    assert doc.hints.points == tuple((x * 2, y * 2, rgb) for x, y, rgb in HINTS)
    assert doc.hints.rect == doc.full_rect()
    doc.history.undo()
    assert doc.hints.points == HINTS and doc.hints.rect == doc.full_rect()


# -- the editor


@pytest.fixture
def gray_file(tmp_path, photo) -> Path:
    gray = photo[..., :3].mean(axis=2).astype(np.uint8)
    Image.fromarray(gray).save(tmp_path / "old.png")
    return tmp_path / "old.png"


def _idle(window, qtbot) -> None:
    qtbot.waitUntil(lambda: not window.operations.is_busy(), timeout=60000)


# The offscreen platform cannot grab the keyboard or resize popups; it says so as warnings.
@pytest.mark.qt_log_ignore("This plugin does not support")
def test_offer_hint_swatch_rerun_visible_part_accept_undo(qtbot, window, gray_file,
                                                         random_colorizer):  # fmt: skip
    from PySide6.QtCore import Qt

    assert window.open_path(gray_file)
    doc, menu = window.document, window.filter_menu
    original = doc.image_layer.pixels.copy()
    offer = menu.offer
    assert offer.isVisible()  # a gray photo: Colorize is offered
    with qtbot.waitSignal(window.operations.busy_changed, timeout=60000,
                          check_params_cb=lambda busy: not busy):  # fmt: skip
        offer.button(offer.StandardButton.Yes).click()
    assert doc.preview is not None and doc.preview.rect == doc.full_rect()
    first = doc.preview.pixels.copy()
    window.canvas.set_zoom(4.0)  # only part of the photo is visible
    visible = window.canvas.visible_image_rect()
    assert visible != doc.full_rect()
    window.tool_actions["hint"].trigger()
    canvas = window.canvas
    x, y = visible.x + visible.w // 2, visible.y + visible.h // 2
    qtbot.mouseClick(canvas, Qt.MouseButton.LeftButton,
                     pos=canvas.image_to_view(x + 0.5, y + 0.5).toPoint())  # fmt: skip
    assert len(menu.hints.points) == 1 and doc.hints.points == tuple(menu.hints.points)
    qtbot.waitUntil(lambda: len(menu.palette.swatches) == 6, timeout=60000)
    qtbot.mouseClick(menu.palette.swatches[2], Qt.MouseButton.LeftButton)
    picked = menu.palette.colours[2]
    assert doc.hints.points[0][2] == picked
    # The re-run colours the visible part only; the rest keeps the first result for now.
    qtbot.waitUntil(lambda: doc.preview is window.operations.partial_colorize, timeout=60000)
    _idle(window, qtbot)
    patched = doc.preview.pixels
    assert doc.preview.rect == doc.full_rect()
    assert not np.array_equal(patched[visible.slices()], first[visible.slices()])
    outside = np.ones(patched.shape[:2], bool)
    outside[visible.slices()] = False
    assert np.array_equal(patched[outside], first[outside])
    # Accept colours the whole image with the hints first, then merges it.
    window.accept_action.trigger()
    qtbot.waitUntil(lambda: doc.preview is None, timeout=60000)
    accepted = doc.image_layer.pixels.copy()
    assert not np.array_equal(accepted, original)
    assert np.array_equal(accepted[visible.slices()], patched[visible.slices()])
    window.undo_action.trigger()
    assert np.array_equal(doc.image_layer.pixels, original)
    window.undo_action.trigger()  # the swatch pick
    assert doc.hints.points[0][2] != picked
    window.undo_action.trigger()  # the hint itself
    assert doc.hints.points == ()


def test_hints_saved_in_ora_come_back_in_the_editor(qtbot, window, gray_file, tmp_path):
    assert window.open_path(gray_file)
    window.filter_menu.offer.reject()
    menu = window.filter_menu
    menu.hints.add(30, 40)
    menu.hints.recolour(0, (20, 90, 200))
    assert window.save_to(tmp_path / "hinted.ora")
    assert window.open_path(gray_file)  # another document: no hints
    window.filter_menu.offer.reject()
    assert menu.hints.points == []
    assert window.open_path(tmp_path / "hinted.ora")
    assert menu.hints.points == [(30, 40, (20, 90, 200))]
    panel_rows = window.layers_panel.model._rows()
    assert window.document.hints in panel_rows
