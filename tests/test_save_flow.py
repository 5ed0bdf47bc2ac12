"""Saving never loses work: a flattened export keeps the document unsaved, and Ctrl+S on a
lossy original asks before re-encoding it (or saves the layered document beside it)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from PySide6.QtWidgets import QMessageBox

from editor.document.document import Document
from editor.document.io import save_document
from editor.fileio.ora import read_ora


@pytest.fixture
def jpeg_file(tmp_path, photo) -> Path:
    path = tmp_path / "holiday.jpg"
    Image.fromarray(photo[..., :3]).save(path, quality=90)
    return path


def _paint(document) -> None:
    stroke = document.begin_stroke()
    stroke.dab(20, 20, 5, 1.0)
    stroke.end()


def test_layered_document_exported_flat_stays_unsaved(tmp_path, photo):
    document = Document()
    document.load(photo.copy(), tmp_path / "doc.ora")
    document.history.set_clean()
    document.new_layer("Notes").pixels[:4, :4] = 255
    outcome = save_document(document, tmp_path / "flat.png")
    assert (tmp_path / "flat.png").exists()
    assert not outcome.complete
    assert document.is_modified() and document.path == tmp_path / "doc.ora"
    assert save_document(document, tmp_path / "doc.ora").complete
    assert not document.is_modified()


def test_single_layer_saved_as_png_is_complete(tmp_path, photo):
    document = Document()
    document.load(photo.copy())
    _paint(document)
    outcome = save_document(document, tmp_path / "one.png")
    assert outcome.complete and not document.is_modified()
    assert document.path == tmp_path / "one.png"


def test_export_in_the_editor_says_the_layers_are_not_saved(window, tmp_path, photo):
    window.document.load(photo.copy())
    window.document.new_layer("Notes")
    assert window.save_to(tmp_path / "flat.jpg")
    assert window.document.is_modified() and window.isWindowModified()
    message = window.statusBar().currentMessage()
    assert "Exported flat.jpg flattened" in message and ".ora" in message


def test_save_before_closing_is_not_satisfied_by_a_flat_export(window, tmp_path, photo,
                                                               monkeypatch):  # fmt: skip
    window.document.load(photo.copy(), tmp_path / "doc.png")
    window.document.new_layer("Notes")
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Save)
    # The Save As dialog: the user picks a flat format anyway.
    monkeypatch.setattr(
        "editor.main_window.QFileDialog.getSaveFileName",
        lambda *a, **k: (str(tmp_path / "flat.png"), ""),
    )
    assert not window.maybe_keep_changes()  # the layers would be lost: do not go on
    window.document.history.set_clean()


def test_ctrl_s_on_a_jpeg_asks_before_reencoding(window, jpeg_file, monkeypatch):
    before = jpeg_file.read_bytes()
    assert window.open_path(jpeg_file)
    _paint(window.document)
    asked: list[Path] = []
    monkeypatch.setattr(window, "ask_lossy_overwrite", lambda p: asked.append(p) or "cancel")
    assert not window.save()
    assert asked == [jpeg_file] and jpeg_file.read_bytes() == before
    assert window.document.is_modified()

    monkeypatch.setattr(window, "ask_lossy_overwrite", lambda p: asked.append(p) or "overwrite")
    assert window.save()
    assert jpeg_file.read_bytes() != before and not window.document.is_modified()
    _paint(window.document)
    assert window.save()  # asked once per opened file
    assert len(asked) == 2


def test_ctrl_s_on_a_jpeg_can_save_the_document_beside_it(window, jpeg_file, monkeypatch):
    before = jpeg_file.read_bytes()
    window.open_path(jpeg_file)
    _paint(window.document)
    monkeypatch.setattr(window, "ask_lossy_overwrite", lambda p: "beside")
    assert window.save()
    beside = jpeg_file.with_suffix(".ora")
    assert jpeg_file.read_bytes() == before  # the original is untouched
    assert window.document.path == beside and not window.document.is_modified()
    assert read_ora(beside).layers[-1].kind == "mask"  # the mask (the painted stroke) kept
    assert np.array_equal(read_ora(beside).layers[0].pixels, window.document.layers[0].pixels)


def test_the_real_question_offers_three_choices(window, jpeg_file, qtbot):
    from PySide6.QtCore import QTimer

    answers = []

    def click_beside():
        box = next(w for w in window.findChildren(QMessageBox) if w.isVisible())
        answers.append(sorted(button.text() for button in box.buttons()))
        next(b for b in box.buttons() if b.text() == "Save as .ora").click()

    QTimer.singleShot(0, click_beside)
    assert window.ask_lossy_overwrite(jpeg_file) == "beside"
    assert answers == [["Cancel", "Overwrite", "Save as .ora"]]
