"""Menu entries and forms generated from the operation registry (dialog="form")."""

from __future__ import annotations

import dataclasses

import numpy as np
from PIL import Image

from editor.ops.registry import operation
from editor.ops.spec import MenuEntry


def _form_op(op_id: str):
    entry = MenuEntry("Filter", "&Test form", tip="a generated form")
    return dataclasses.replace(operation(op_id), dialog="form", menu=entry)


def test_the_form_has_a_row_per_field_and_reads_back_params(qtbot):
    from editor.panels.params_dialog import ParamsDialog

    params = operation("denoise").params(strength=40.0)
    dialog = ParamsDialog("Denoise", params, has_mask=False)
    qtbot.addWidget(dialog)
    assert dialog.values() == params  # untouched: the same values
    dialog.findChild(object, "strength").setValue(12.5)
    tile = dialog.findChild(object, "tile")
    assert tile.specialValueText() == "automatic"
    tile.setValue(64)
    model = dialog.findChild(object, "model")
    model.setCurrentIndex(model.findData("denoise"))
    assert dialog.values() == operation("denoise").params(strength=12.5, tile=64, model="denoise")
    assert not dialog.inside_mask() and not dialog.mask_box.isEnabled()
    erase = ParamsDialog("Erase", operation("inpaint").params(), True)
    qtbot.addWidget(erase)
    methods = erase.findChild(object, "method")
    field = operation("inpaint").params.__dataclass_fields__["method"]
    assert methods.count() == len(field.metadata["choices"]())
    assert erase.inside_mask() and erase.values() == operation("inpaint").params()


def test_a_generated_entry_runs_the_operation_and_shows_its_result(qtbot, window, tmp_path, photo,
                                                                  monkeypatch):  # fmt: skip
    from editor.menus.operation_menu import OperationMenu
    from editor.panels.params_dialog import ParamsDialog

    Image.fromarray(photo).save(tmp_path / "p.png")
    assert window.open_path(tmp_path / "p.png")
    menu = OperationMenu(window, [_form_op("inpaint")])
    assert [a.text() for a in menu.actions] == ["&Test form"]
    menu.refresh(has_image=True, busy=False)
    assert menu.actions[0].isEnabled()
    monkeypatch.setattr(ParamsDialog, "exec", lambda self: ParamsDialog.DialogCode.Accepted)
    menu.actions[0].trigger()  # no mask: the operation says what it needs, runs nothing
    assert window.operations.active_job is None
    mask = np.zeros(photo.shape[:2], np.uint8)
    mask[40:60, 50:80] = 255
    window.document.set_mask(mask, "Mask")
    menu.actions[0].trigger()
    qtbot.waitUntil(lambda: window.document.preview is not None, timeout=60000)
    assert window.document.preview.name == "Erase"
