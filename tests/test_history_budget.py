"""The undo history's memory budget counts what it really holds: layers removed by delete,
merge and flatten live on in the history, not in the document."""

from __future__ import annotations

import numpy as np
import pytest

from editor.document.document import Document
from editor.document.layers import Layer, LayerKind

LAYER_BYTES = 100 * 100 * 4


@pytest.fixture
def doc(qapp) -> Document:
    document = Document()
    layers = [
        Layer(f"L{index}", LayerKind.IMAGE, np.full((100, 100, 4), index * 40, np.uint8))
        for index in range(4)
    ]
    document.load_layers(100, 100, layers)
    return document


def _reachable_bytes(doc: Document) -> int:
    """Bytes of layers the history keeps alive that the document no longer shows."""
    shown = {id(layer) for layer in doc.layers}
    held = {}
    for command in doc.history._commands:
        for child in getattr(command, "children", [command]):
            for layer in (*getattr(child, "before", ()), *getattr(child, "after", ())):
                if id(layer) not in shown:
                    held[id(layer)] = layer.nbytes
    return sum(held.values())


def test_deleted_merged_and_flattened_layers_are_counted(doc):
    doc.remove_layer(doc.layers[3])
    assert doc.history.nbytes >= LAYER_BYTES
    doc.merge_down(doc.layers[2])  # the two sources are held, the merged layer is shown
    doc.flatten()
    assert doc.history.nbytes >= _reachable_bytes(doc) >= 4 * LAYER_BYTES


def test_the_budget_drops_old_steps_that_hold_removed_layers(doc):
    doc.history.budget_bytes = int(2.5 * LAYER_BYTES)
    for _ in range(3):
        doc.remove_layer(doc.layers[-1])
    assert _reachable_bytes(doc) <= doc.history.budget_bytes
    assert len(doc.history) == 2  # the oldest delete was forgotten to stay in budget
    doc.history.undo()
    doc.history.undo()
    assert [layer.name for layer in doc.layers] == ["L0", "L1", "L2"]
