"""Image → Upscale in the window: greyed out without weights, import a model, upscale,
preview at full resolution, accept resizes every layer as one undo step."""

import numpy as np
import pytest
import torch
from PIL import Image
from PySide6.QtWidgets import QMessageBox

from editor.app import build_window
from editor.document.layers import Layer, LayerKind
from editor.settings import Settings


@pytest.fixture
def window(qtbot, monkeypatch, tmp_path):
    monkeypatch.setenv("RETOUCH_DEVICE", "cpu")
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Discard)
    win = build_window(Settings())
    qtbot.addWidget(win)
    yield win


def _tiny_checkpoint(path):
    from editor.ml.archs.srvgg import SRVGGNetCompact

    torch.manual_seed(0)
    model = SRVGGNetCompact(num_feat=8, num_conv=2, upscale=4)
    torch.save({"params_ema": model.state_dict()}, path)


def test_upscale_flow(qtbot, window, tmp_path, photo):
    Image.fromarray(photo).save(tmp_path / "p.png")
    window.open_path(tmp_path / "p.png")
    doc, ops = window.document, window.operations
    with qtbot.waitSignal(ops.models_changed, timeout=20000):
        ops.refresh_models("upscale")
    action, models = window.image_menu.upscale_actions[2], window.image_menu.models
    # The shipped Photo (fast) is chosen; the fetched ones are greyed out, saying how to get them.
    assert models.selected() == "photo-fast" and action.isEnabled()
    entries = {a.data(): a for a in models.actions()}
    assert list(entries) == ["photo-fast", "realesrgan-x4plus", "realesr-animevideov3"]
    assert not entries["realesrgan-x4plus"].isEnabled()
    assert "retouch models fetch" in entries["realesrgan-x4plus"].toolTip()

    _tiny_checkpoint(tmp_path / "tiny.pth")
    with qtbot.waitSignal(ops.models_changed, timeout=60000):
        ops.import_model(tmp_path / "tiny.pth", "upscale")
    tiny = next(a for a in models.actions() if a.data() == "user-tiny")
    assert tiny.isEnabled() and models.selected() == "photo-fast"  # an import does not switch
    tiny.trigger()
    assert models.selected() == "user-tiny" and action.isEnabled()

    sketch = Layer("Notes", LayerKind.IMAGE, np.zeros_like(photo))
    sketch.pixels[10:20, 10:20] = [0, 0, 255, 255]
    doc.add_layer(sketch)
    doc.set_active(doc.layers[0])
    stroke = doc.begin_stroke()
    stroke.dab(50, 50, 6, 1.0)
    stroke.end()
    with qtbot.waitSignal(ops.engine.finished, timeout=60000):
        action.trigger()
    qtbot.waitUntil(lambda: doc.preview is not None)
    assert doc.preview.scale == 2 and doc.preview.pixels.shape == (240, 320, 4)
    assert (doc.width, doc.height) == (160, 120)  # nothing resized before Accept

    window.accept_action.trigger()
    assert (doc.width, doc.height) == (320, 240) and doc.preview is None
    assert [layer.pixels.shape for layer in doc.layers] == [(240, 320, 4)] * 2
    assert doc.layers[1].pixels[30, 30].tolist() == [0, 0, 255, 255]  # resampled, same place
    assert doc.mask.pixels.shape == (240, 320) and doc.mask.pixels[100, 100] > 200
    window.undo_action.trigger()
    assert (doc.width, doc.height) == (160, 120) and doc.preview is not None
    assert np.array_equal(doc.layers[0].pixels, photo)
    window.redo_action.trigger()
    assert (doc.width, doc.height) == (320, 240)


def test_upscale_is_greyed_out_with_how_to_get_a_model_when_none_has_weights(window):
    from editor.engine.models import ModelChoice, ModelStatus

    missing = ModelChoice("realesrgan-x4plus", "Photo (best)", False,
                          "Run `retouch models fetch realesrgan-x4plus` while online.")  # fmt: skip
    window.image_menu.models.update_status(ModelStatus("upscale", (missing,)))
    window.refresh_state()
    action = window.image_menu.upscale_actions[4]
    assert not action.isEnabled() and "retouch models fetch" in action.toolTip()
