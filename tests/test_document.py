import numpy as np
import pytest

from editor.core.geometry import Rect
from editor.document.document import Document
from editor.document.history import History
from editor.document.layers import Layer, LayerKind


@pytest.fixture
def doc(qapp, photo):
    document = Document()
    document.load(photo.copy())
    return document


def test_stroke_is_one_undo_step_and_stores_only_changed_tiles(doc):
    stroke = doc.begin_stroke()
    for x in range(10, 60, 5):
        stroke.dab(x, 20, 6, 0.8)
    stroke.end()
    painted = doc.mask.pixels.copy()
    assert painted[20, 30] == 255
    assert len(doc.history) == 1 and doc.is_modified()
    command = doc.history._commands[0]
    assert command.nbytes < painted.nbytes  # tile diffs, not a full copy
    doc.history.undo()
    assert not doc.mask.pixels.any() and not doc.is_modified()
    doc.history.redo()
    assert np.array_equal(doc.mask.pixels, painted)


def test_accept_merges_preview_clears_mask_and_undoes(doc, photo):
    stroke = doc.begin_stroke()
    stroke.dab(50, 50, 8, 1.0)
    stroke.end()
    patch = np.zeros((10, 10, 4), np.uint8)
    patch[...] = [255, 0, 0, 255]
    doc.set_preview(Layer("Erase", LayerKind.RESULT, patch, 45, 45))
    assert np.array_equal(doc.composite(Rect(45, 45, 10, 10)), patch)
    assert np.array_equal(doc.flattened(), photo)  # save never includes a pending result
    doc.accept_preview()
    assert doc.preview is None and not doc.mask.pixels.any()
    assert np.array_equal(doc.image_layer.pixels[45:55, 45:55], patch)
    doc.history.undo()
    assert doc.preview is not None and doc.mask.pixels[50, 50] == 255
    assert np.array_equal(doc.image_layer.pixels, photo)
    doc.history.redo()
    assert doc.preview is None and np.array_equal(doc.image_layer.pixels[45:55, 45:55], patch)


def test_discard_is_undoable(doc):
    layer = Layer("Erase", LayerKind.RESULT, np.zeros((4, 4, 4), np.uint8))
    doc.set_preview(layer)
    doc.discard_preview()
    assert doc.preview is None
    doc.history.undo()
    assert doc.preview is layer


class _Sized:
    def __init__(self, nbytes):
        self.nbytes, self.text, self.done = nbytes, "edit", 0

    def redo(self):
        self.done += 1

    def undo(self):
        self.done -= 1


def test_history_drops_oldest_commands_beyond_memory_budget():
    history = History(budget_bytes=100)
    commands = [_Sized(40) for _ in range(5)]
    for command in commands:
        history.push(command)
    assert len(history) == 2 and history.nbytes <= 100
    history.undo()
    history.undo()
    assert not history.can_undo()
    assert [c.done for c in commands] == [1, 1, 1, 0, 0]


def test_history_clean_state_survives_undo_and_is_lost_when_branching():
    history = History()
    history.push(_Sized(1))
    history.set_clean()
    history.push(_Sized(1))
    assert not history.is_clean()
    history.undo()
    assert history.is_clean()
    history.undo()
    history.push(_Sized(1))  # the saved state is no longer reachable
    assert not history.is_clean()
