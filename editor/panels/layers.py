"""The layers panel: a Qt item model adapting the document's layer stack (not a copy of
it), and the widget with opacity, blend mode, lock and stack buttons."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QAbstractListModel, QByteArray, QMimeData, QModelIndex, Qt, QTimer
from PySide6.QtGui import QBrush, QColor, QFont, QImage, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QListView,
    QSlider,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from editor.core.blend import BLEND_GROUPS, blend_label
from editor.document.document import Document
from editor.document.layers import Layer, LayerKind

THUMB = 40
THUMBNAIL_REFRESH_MS = 150  # thumbnails redraw this long after the last pixel change
ROW_MIME = "application/x-retouch-layer-row"


def thumbnail(pixels: np.ndarray) -> QPixmap:
    """A small preview by striding (cheap even for a 24 MP layer)."""
    height, width = pixels.shape[:2]
    step = max(1, max(height, width) // THUMB)
    small = np.ascontiguousarray(pixels[::step, ::step])
    if small.ndim == 2:  # the mask: white on red-tinted black
        small = np.dstack([np.maximum(small, 60), small, small, np.full_like(small, 255)])
    image = QImage(
        small.data, small.shape[1], small.shape[0], small.strides[0], QImage.Format.Format_RGBA8888
    )
    return QPixmap.fromImage(image.copy())


def hint_thumbnail(layer: Layer) -> QPixmap:
    """The hint layer's thumbnail: its colour dots on transparency."""
    height, width = layer.pixels.shape[:2]
    scale = THUMB / max(height, width, 1)
    rows, cols = max(1, round(height * scale)), max(1, round(width * scale))
    small = np.zeros((rows, cols, 4), np.uint8)
    for x, y, rgb in layer.points:
        row, col = min(rows - 1, int(y * scale)), min(cols - 1, int(x * scale))
        small[max(0, row - 2) : row + 3, max(0, col - 2) : col + 3] = (*rgb, 255)
    return thumbnail(small)


class LayerStackModel(QAbstractListModel):
    """Rows top to bottom: the mask, the colour hints (while there are some), the pending
    result (if any), then the layers."""

    def __init__(self, document: Document, parent=None) -> None:
        super().__init__(parent)
        self.document = document
        for signal in (document.reset, document.layers_changed, document.preview_changed):
            signal.connect(self.refresh)
        # Thumbnails follow strokes and other pixel edits, at most a few times a second.
        self._thumbnail_timer = QTimer(self, singleShot=True, interval=THUMBNAIL_REFRESH_MS)
        self._thumbnail_timer.timeout.connect(self._refresh_thumbnails)
        document.pixels_changed.connect(lambda _rect: self._thumbnail_timer.start())
        document.hints_changed.connect(self._thumbnail_timer.start)

    def _refresh_thumbnails(self) -> None:
        if self.rowCount():
            self.dataChanged.emit(
                self.index(0), self.index(self.rowCount() - 1), [Qt.ItemDataRole.DecorationRole]
            )

    def refresh(self) -> None:
        self.beginResetModel()
        self.endResetModel()

    # -- row mapping
    def _rows(self) -> list[Layer]:
        """The mask first, then the stack top to bottom with a pending result shown right
        above the layer it will be merged into (where the canvas composites it)."""
        doc = self.document
        if doc.is_empty():
            return []
        rows = [doc.mask, doc.hints] if doc.hints.points else [doc.mask]
        above = len(rows)
        for layer in reversed(doc.layers):
            if doc.preview is not None and layer is doc.preview_target:
                rows.append(doc.preview)
            rows.append(layer)
        if doc.preview is not None and doc.preview not in rows:
            rows.insert(above, doc.preview)
        return rows

    def layer_at(self, row: int) -> Layer | None:
        rows = self._rows()
        return rows[row] if 0 <= row < len(rows) else None

    def row_of(self, layer: Layer) -> int:
        return self._rows().index(layer)

    def stack_index_for_row(self, row: int) -> int:
        """Index into document.layers (bottom = 0) that a drop above `row` means: the number
        of stack layers listed at or below that row."""
        stack = set(map(id, self.document.layers))
        return sum(id(layer) in stack for layer in self._rows()[max(row, 0) :])

    # -- model
    def rowCount(self, parent: QModelIndex | None = None) -> int:
        return 0 if parent is not None and parent.isValid() else len(self._rows())

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        layer = self.layer_at(index.row()) if index.isValid() else None
        if layer is None:
            return None
        kind = layer.kind
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            if role == Qt.ItemDataRole.DisplayRole and kind is LayerKind.RESULT:
                return f"{layer.name} (pending: Enter / Esc)"
            suffix = " 🔒" if layer.locked and role == Qt.ItemDataRole.DisplayRole else ""
            return layer.name + suffix
        if role == Qt.ItemDataRole.DecorationRole:
            return hint_thumbnail(layer) if kind is LayerKind.HINTS else thumbnail(layer.pixels)
        if role == Qt.ItemDataRole.CheckStateRole:
            return Qt.CheckState.Checked if layer.visible else Qt.CheckState.Unchecked
        if role == Qt.ItemDataRole.BackgroundRole and kind is LayerKind.MASK:
            return QBrush(QColor(255, 40, 60, 50))
        if role == Qt.ItemDataRole.FontRole and kind in (LayerKind.MASK, LayerKind.RESULT):
            font = QFont()
            font.setItalic(kind is LayerKind.RESULT)
            font.setBold(kind is LayerKind.MASK)
            return font
        if role == Qt.ItemDataRole.ToolTipRole and kind is LayerKind.HINTS:
            count = len(layer.points)
            return (f"{count} colour hint{'s' if count != 1 else ''} for Colorize: place with the "
                    "hint tool (H), Alt+click removes; saved in .ora")  # fmt: skip
        if role == Qt.ItemDataRole.ToolTipRole:
            size = f"{layer.rect.w}×{layer.rect.h}"
            return f"{kind.value} layer, {size}, opacity {layer.opacity:.0%}, {layer.blend_mode}"
        return None

    def flags(self, index: QModelIndex) -> Qt.ItemFlag:
        base = super().flags(index)
        layer = self.layer_at(index.row()) if index.isValid() else None
        if layer is None:
            return base | Qt.ItemFlag.ItemIsDropEnabled
        base |= Qt.ItemFlag.ItemIsUserCheckable
        if layer in self.document.layers:
            base |= Qt.ItemFlag.ItemIsEditable | Qt.ItemFlag.ItemIsDragEnabled
        return base

    def setData(self, index: QModelIndex, value, role: int = Qt.ItemDataRole.EditRole) -> bool:
        layer = self.layer_at(index.row())
        if layer is None:
            return False
        if role == Qt.ItemDataRole.CheckStateRole:
            visible = Qt.CheckState(value) == Qt.CheckState.Checked
            if layer in self.document.layers:
                self.document.set_layer_property(layer, "visible", visible)
            else:  # the mask overlay and the pending result: a view setting, not an edit
                self.document.apply_layer_property(layer, "visible", visible)
            return True
        if role == Qt.ItemDataRole.EditRole and str(value).strip():
            self.document.set_layer_property(layer, "name", str(value).strip())
            return True
        return False

    # -- drag to reorder
    def supportedDropActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction

    def mimeTypes(self) -> list[str]:
        return [ROW_MIME]

    def mimeData(self, indexes) -> QMimeData:
        data = QMimeData()
        data.setData(ROW_MIME, QByteArray(str(indexes[0].row()).encode()))
        return data

    def dropMimeData(
        self, data: QMimeData, action, row: int, column: int, parent: QModelIndex
    ) -> bool:
        if action != Qt.DropAction.MoveAction or not data.hasFormat(ROW_MIME):
            return False
        layer = self.layer_at(int(bytes(data.data(ROW_MIME)).decode()))
        if layer not in self.document.layers:
            return False
        if row < 0:  # dropped onto an item: place it there
            row = parent.row() if parent.isValid() else self.rowCount()
        target = self.stack_index_for_row(row)
        if target > self.document.layers.index(layer):
            target -= 1  # the layer itself leaves its old place first
        self.document.move_layer(layer, target)
        return False  # we moved it ourselves; the view must not remove the source row


class LayersPanel(QWidget):
    def __init__(self, document: Document, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.model = LayerStackModel(document, self)
        self.view = QListView()
        self.view.setModel(self.model)
        self.view.setIconSize(QPixmap(THUMB, THUMB).size())
        self.view.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        self.view.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.view.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
        )
        self.opacity = QSlider(Qt.Orientation.Horizontal, minimum=0, maximum=100)
        self.opacity.setToolTip("Opacity of the selected layer")
        self.blend = QComboBox()
        for group in BLEND_GROUPS:
            if self.blend.count():
                self.blend.insertSeparator(self.blend.count())
            for mode in group:
                self.blend.addItem(blend_label(mode), mode)
        self.blend.setToolTip("Blend mode of the selected layer")
        self.lock = QCheckBox("Lock pixels")
        form = QFormLayout()
        form.addRow("Opacity", self.opacity)
        form.addRow("Blend", self.blend)
        form.addRow(self.lock)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.view, 1)
        self.view.selectionModel().currentChanged.connect(self._on_current_changed)
        self.opacity.valueChanged.connect(lambda v: self._set("opacity", v / 100.0))
        self.blend.currentIndexChanged.connect(
            lambda i: self._set("blend_mode", self.blend.itemData(i))
        )
        self.lock.toggled.connect(lambda on: self._set("locked", on))
        for signal in (document.layers_changed, document.active_changed, document.reset):
            signal.connect(self._show_active)
        self.model.modelReset.connect(self._show_active)

    def add_actions(self, actions) -> None:
        """Buttons under the list for the window's layer actions (new, duplicate, ...)."""
        row = QHBoxLayout()
        for action in actions:
            button = QToolButton()
            button.setDefaultAction(action)
            row.addWidget(button)
        row.addStretch(1)
        self.layout().addLayout(row)

    def _set(self, prop: str, value) -> None:
        layer = self.document.active_layer
        if layer in self.document.layers:
            self.document.set_layer_property(layer, prop, value)

    def _on_current_changed(self, current: QModelIndex, previous: QModelIndex) -> None:
        layer = self.model.layer_at(current.row()) if current.isValid() else None
        if layer in self.document.layers:
            self.document.set_active(layer)

    def _show_active(self) -> None:
        layer = self.document.active_layer
        enabled = layer in self.document.layers
        for widget in (self.opacity, self.blend, self.lock):
            widget.setEnabled(enabled)
        if not enabled:
            return
        for widget, setter in (
            (self.opacity, lambda: self.opacity.setValue(round(layer.opacity * 100))),
            (self.blend, lambda: self.blend.setCurrentIndex(self.blend.findData(layer.blend_mode))),
            (self.lock, lambda: self.lock.setChecked(layer.locked)),
        ):
            widget.blockSignals(True)
            setter()
            widget.blockSignals(False)
        index = self.model.index(self.model.row_of(layer))
        if self.view.currentIndex() != index:
            self.view.selectionModel().blockSignals(True)
            self.view.setCurrentIndex(index)
            self.view.selectionModel().blockSignals(False)
