"""A dialog made from an operation's Params dataclass (editor.ops.spec): one row per field, from
its metadata (label, help as tooltip, range, choices). For operations whose spec asks for a
generated form (dialog="form"); operations with richer needs keep a dialog of their own."""

from __future__ import annotations

import dataclasses
from typing import Any

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDoubleSpinBox,
    QFormLayout,
    QLineEdit,
    QSpinBox,
    QWidget,
)

from editor.ops.spec import default_of, field_choices
from editor.panels.filter_dialogs import _buttons as ok_cancel

_LIMIT = 1_000_000


def _editor(item: dataclasses.Field[Any], value: Any) -> tuple[QWidget, Any]:
    """(widget, function returning its value) for one Params field."""
    meta = item.metadata
    choices = field_choices(item)
    kind = meta["type"] or type(default_of(item))
    low, high = meta["minimum"], meta["maximum"]
    if choices is not None:
        box = QComboBox()
        if default_of(item) is None:
            box.addItem("automatic", None)
            choices = (None, *choices)
        for choice in choices:
            box.addItem(str(choice), choice)
        if value in choices:
            box.setCurrentIndex(choices.index(value))
        return box, box.currentData
    if kind is bool:
        check = QCheckBox()
        check.setChecked(bool(value))
        return check, check.isChecked
    if kind is float:
        spin = QDoubleSpinBox(decimals=2, singleStep=0.05 if (high or 0) <= 1 else 1.0)
        spin.setRange(-_LIMIT if low is None else low, _LIMIT if high is None else high)
        spin.setValue(float(value))
        return spin, spin.value
    if kind is int:
        optional = value is None or default_of(item) is None
        spin = QSpinBox()
        floor = 0 if low is None else int(low)
        spin.setRange(floor - 1 if optional else floor, _LIMIT if high is None else int(high))
        if optional:
            spin.setSpecialValueText("automatic")  # the value below the range: None
        spin.setValue(spin.minimum() if value is None else int(value))
        return spin, lambda: None if optional and spin.value() == spin.minimum() else spin.value()
    line = QLineEdit("" if value is None else str(value))
    return line, lambda: line.text() or None


class ParamsDialog(QDialog):
    """Edits a Params instance; `values()` is the edited one, `inside_mask()` whether to work
    inside the mask only (offered when there is one)."""

    def __init__(self, title: str, params: Any, has_mask: bool, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(title)
        self._type = type(params)
        self._readers: dict[str, Any] = {}
        form = QFormLayout(self)
        for item in dataclasses.fields(params):
            if item.metadata.get("repeat"):
                continue  # lists of points and the like need a tool, not a form row
            widget, read = _editor(item, getattr(params, item.name))
            widget.setObjectName(item.name)
            widget.setToolTip(item.metadata.get("help", ""))
            label = item.metadata.get("label") or item.name.replace("_", " ").capitalize()
            form.addRow(label, widget)
            self._readers[item.name] = read
        self._params = params
        self.mask_box = QCheckBox("Only inside the mask")
        self.mask_box.setChecked(has_mask)
        self.mask_box.setEnabled(has_mask)
        form.addRow(self.mask_box)
        form.addRow(ok_cancel(self, "Apply"))

    def values(self) -> Any:
        changed = {name: read() for name, read in self._readers.items()}
        return dataclasses.replace(self._params, **changed)

    def inside_mask(self) -> bool:
        return self.mask_box.isChecked()
