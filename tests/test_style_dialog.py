"""The Style Transfer dialog offers the photo's own size (up to the device's cap) and the fast
L-BFGS defaults; the request it leads to leaves the size to the engine."""

from __future__ import annotations

import numpy as np

from editor.engine.stylize import DEFAULT_ITERATIONS
from editor.panels.filter_dialogs import StyleDialog, StyleOptions


def test_the_dialog_defaults_to_the_photos_own_size(qtbot):
    dialog = StyleDialog(StyleOptions(), has_mask=False)
    qtbot.addWidget(dialog)
    assert dialog.size.text() == "Photo's own"
    assert dialog.iterations.value() == DEFAULT_ITERATIONS
    values = dialog.values()
    assert values.size == 0 and values.iterations == DEFAULT_ITERATIONS
    dialog.size.setValue(512)
    assert dialog.values().size == 512
    dialog.size.setValue(12)
    assert dialog.values().size == 64


def test_size_zero_leaves_the_working_size_to_the_engine(window, monkeypatch, tmp_path):
    from PIL import Image

    Image.fromarray(np.full((24, 32, 3), 128, np.uint8)).save(tmp_path / "photo.png")
    assert window.open_path(tmp_path / "photo.png")
    sent = []
    monkeypatch.setattr(window.operations.engine, "submit",
                        lambda request, title: sent.append(request) or 1)  # fmt: skip
    style = np.zeros((8, 8, 3), np.uint8)
    window.operations.stylize(style, 1.0, 0, DEFAULT_ITERATIONS, False)
    window.operations.active_job = None  # the stub never runs it
    window.operations.stylize(style, 1.0, 640, 20, False)
    window.operations.active_job = None
    assert [r.size for r in sent] == [None, 640]
    assert [r.iterations for r in sent] == [DEFAULT_ITERATIONS, 20]
