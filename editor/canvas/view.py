"""CanvasView: draws the display buffer with zoom and pan, forwards pointer input to a tool."""

from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import QPointF, QRect, QRectF, Qt, Signal
from PySide6.QtGui import (
    QBrush,
    QColor,
    QImage,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPen,
    QPixmap,
    QPolygonF,
    QTabletEvent,
    QWheelEvent,
)
from PySide6.QtWidgets import QWidget

from editor.canvas.display import DisplayBuffer
from editor.core.brush import StrokePoint
from editor.core.geometry import Rect
from editor.core.pixels import mask_bbox
from editor.fileio.qt_convert import rgba_to_qimage

MIN_ZOOM, MAX_ZOOM = 0.02, 64.0


def _checkerboard() -> QPixmap:
    pixmap = QPixmap(16, 16)
    pixmap.fill(QColor(200, 200, 200))
    painter = QPainter(pixmap)
    painter.fillRect(0, 0, 8, 8, QColor(235, 235, 235))
    painter.fillRect(8, 8, 8, 8, QColor(235, 235, 235))
    painter.end()
    return pixmap


class CanvasView(QWidget):
    """The editing surface. Tools receive StrokePoints in image coordinates."""

    zoom_changed = Signal(float)
    cursor_moved = Signal(int, int)  # image coordinates under the pointer

    def __init__(self, document, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.display = DisplayBuffer(document)
        self._qimage = None
        self.tool = (
            None  # an object with press/move/release(StrokePoint, modifiers) and outline_radius()
        )
        self.scale = 1.0
        self.offset = QPointF(0, 0)  # view position of image pixel (0, 0)
        self._pan_anchor: QPointF | None = None
        self._space_held = False
        self._drawing = False
        self._tablet_active = False
        self._cursor_pos: QPointF | None = None
        # Before/after: hold backslash to see the document without the pending result, or a
        # split view with a draggable divider (fraction of the widget's width).
        self.compare_hold = False
        self.split: float | None = None
        self._dragging_divider = False
        self._before: tuple[Rect, np.ndarray, QImage] | None = None
        self._dense: tuple[Rect, np.ndarray, QImage] | None = None
        self.setMouseTracking(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self.setCursor(Qt.CursorShape.CrossCursor)
        self._background = QBrush(_checkerboard())
        document.reset.connect(self._on_reset)
        document.pixels_changed.connect(self._on_pixels_changed)
        document.preview_changed.connect(self._on_preview_changed)
        document.hints_changed.connect(self.update)
        document.layers_changed.connect(self.update)  # e.g. the hint layer shown or hidden

    # -- coordinates
    def image_to_view(self, x: float, y: float) -> QPointF:
        return QPointF(x * self.scale + self.offset.x(), y * self.scale + self.offset.y())

    def view_to_image(self, point: QPointF) -> tuple[float, float]:
        return (
            (point.x() - self.offset.x()) / self.scale,
            (point.y() - self.offset.y()) / self.scale,
        )

    def _image_rect_in_view(self, rect: Rect, pad: int = 1) -> QRect:
        top_left = self.image_to_view(rect.x, rect.y)
        return (
            QRectF(top_left.x(), top_left.y(), rect.w * self.scale, rect.h * self.scale)
            .toAlignedRect()
            .adjusted(-pad, -pad, pad, pad)
        )

    # -- zoom and pan
    def set_zoom(self, scale: float, anchor: QPointF | None = None) -> None:
        scale = min(max(scale, MIN_ZOOM), MAX_ZOOM)
        anchor = anchor or QPointF(self.width() / 2, self.height() / 2)
        ix, iy = self.view_to_image(anchor)
        self.scale = scale
        self.offset = QPointF(anchor.x() - ix * scale, anchor.y() - iy * scale)
        self.update()
        self.zoom_changed.emit(scale)

    def zoom_by(self, steps: float, anchor: QPointF | None = None) -> None:
        self.set_zoom(self.scale * math.pow(1.25, steps), anchor)

    def visible_image_rect(self) -> Rect:
        """The part of the image shown in the view (for quick previews)."""
        x0, y0 = self.view_to_image(QPointF(0, 0))
        x1, y1 = self.view_to_image(QPointF(self.width(), self.height()))
        rect = Rect.from_edges(math.floor(x0), math.floor(y0), math.ceil(x1), math.ceil(y1))
        return rect.clamped(self.document.width, self.document.height)

    def fit(self) -> None:
        doc = self.document
        if doc.is_empty() or self.width() <= 0 or self.height() <= 0:
            return
        self.scale = min(self.width() / doc.width, self.height() / doc.height, MAX_ZOOM) * 0.98
        self.offset = QPointF(
            (self.width() - doc.width * self.scale) / 2,
            (self.height() - doc.height * self.scale) / 2,
        )
        self.update()
        self.zoom_changed.emit(self.scale)

    def actual_pixels(self) -> None:
        self.set_zoom(1.0)

    # -- document updates
    def _on_reset(self) -> None:
        self.display.rebuild()
        self._qimage = rgba_to_qimage(self.display.pixels) if not self.document.is_empty() else None
        self.fit()

    def _on_pixels_changed(self, rect: Rect) -> None:
        rect = self.display.refresh(rect)
        if not rect.is_empty():
            self.update(self._image_rect_in_view(rect))

    def _on_preview_changed(self) -> None:
        # The mask overlay is hidden while a result is pending: redraw where the mask is.
        hole = mask_bbox(self.document.mask.pixels)
        if hole is not None:
            self._on_pixels_changed(hole)
        self._before = self._dense = None
        preview = self.document.preview
        if preview is not None and preview.scale != 1:
            # Upscaled results are drawn at their own resolution over the document.
            self._dense = (preview.rect, preview.pixels, rgba_to_qimage(preview.pixels))
        elif preview is not None:
            rect = preview.rect.clamped(self.document.width, self.document.height)
            pixels = np.ascontiguousarray(self.document.composite(rect, with_preview=False))
            self._before = (rect, pixels, rgba_to_qimage(pixels))
        self.update()

    # -- before / after
    def set_compare_hold(self, held: bool) -> None:
        if held != self.compare_hold:
            self.compare_hold = held
            self.update()

    def set_split(self, enabled: bool) -> None:
        self.split = 0.5 if enabled else None
        self.update()

    def _divider_x(self) -> float | None:
        return None if self.split is None else self.split * self.width()

    # -- painting
    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(event.rect(), QColor(60, 60, 62))
        if self._qimage is not None:
            doc = self.document
            target = QRectF(
                self.offset.x(), self.offset.y(), doc.width * self.scale, doc.height * self.scale
            )
            visible = target.intersected(QRectF(event.rect()))
            if not visible.isEmpty():
                # Draw only the exposed part: the source is the exposed view rect in image space.
                x0, y0 = self.view_to_image(visible.topLeft())
                x1, y1 = self.view_to_image(visible.bottomRight())
                source = QRectF(x0, y0, x1 - x0, y1 - y0)
                painter.fillRect(visible, self._background)
                painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, self.scale < 1.0)
                painter.drawImage(visible, self._qimage, source)
                self._paint_before(painter)
        self._paint_tool_overlay(painter)
        self._paint_brush_outline(painter)
        painter.end()

    def _paint_before(self, painter: QPainter) -> None:
        """Cover the pending result with the pixels from before it, fully or left of the
        divider; an upscaled result is drawn only where "after" shows."""
        divider = self._divider_x()
        if self._dense is not None and not self.compare_hold:
            rect, _, image = self._dense
            painter.save()
            if divider is not None:
                painter.setClipRect(QRectF(divider, 0, self.width() - divider, self.height()))
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
            painter.drawImage(QRectF(self._image_rect_in_view(rect, pad=0)), image)
            painter.restore()
        elif self._before is not None and (self.compare_hold or divider is not None):
            rect, _, image = self._before
            painter.save()
            if not self.compare_hold:
                painter.setClipRect(QRectF(0, 0, divider, self.height()))
            painter.drawImage(QRectF(self._image_rect_in_view(rect, pad=0)), image)
            painter.restore()
        if divider is not None:
            painter.setPen(QPen(QColor(255, 255, 255, 230), 2))
            painter.drawLine(QPointF(divider, 0), QPointF(divider, self.height()))
            painter.setBrush(QColor(255, 255, 255, 230))
            painter.drawEllipse(QPointF(divider, self.height() / 2), 7, 7)
            painter.setPen(QColor(255, 255, 255))
            painter.drawText(QPointF(divider - 52, 18), "Before")
            painter.drawText(QPointF(divider + 10, 18), "After")

    def _paint_tool_overlay(self, painter: QPainter) -> None:
        """The rubber band of a selection tool being dragged (marching-ants style), and point
        markers such as colour hints."""
        hints = self.document.hints
        markers = list(hints.points) if hints.visible else []  # the hint layer: dots
        for x, y, rgb in markers + list(getattr(self.tool, "overlay_markers", lambda: [])()):
            center = self.image_to_view(x + 0.5, y + 0.5)
            painter.setPen(QPen(QColor(255, 255, 255), 2))
            painter.setBrush(QColor(*rgb))
            painter.drawEllipse(center, 6, 6)
        points = getattr(self.tool, "overlay_points", lambda: [])()
        if len(points) < 2:
            return
        polygon = QPolygonF([self.image_to_view(x, y) for x, y in points])
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        for color, style in (
            (QColor(0, 0, 0), Qt.PenStyle.SolidLine),
            (QColor(255, 255, 255), Qt.PenStyle.DashLine),
        ):
            painter.setPen(QPen(color, 1, style))
            if getattr(self.tool, "closed_overlay", True):
                painter.drawPolygon(polygon)
            else:
                painter.drawPolyline(polygon)
        painter.restore()

    def _paint_brush_outline(self, painter: QPainter) -> None:
        if self._cursor_pos is None or self.tool is None or self._pan_anchor is not None:
            return
        radius = self.tool.outline_radius() * self.scale
        if radius < 1.5:
            return
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        for color, width in ((QColor(0, 0, 0, 160), 3), (QColor(255, 255, 255, 220), 1)):
            painter.setPen(QPen(color, width))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawEllipse(self._cursor_pos, radius, radius)

    def refresh_outline(self) -> None:
        """The brush size changed (`[`, `]`, the options panel): redraw the outline now, not at
        the next mouse move. The whole view, so a shrinking outline leaves no trace."""
        if self._cursor_pos is not None:
            self.update()

    def _refresh_overlay(self) -> None:
        if hasattr(self.tool, "overlay_points"):
            self.update()

    def set_tool(self, tool) -> None:
        self.tool = tool
        self.update()

    def _update_outline(self, new_pos: QPointF | None) -> None:
        radius = (self.tool.outline_radius() * self.scale if self.tool else 0) + 3
        for pos in (self._cursor_pos, new_pos):
            if pos is not None:
                self.update(
                    QRectF(
                        pos.x() - radius, pos.y() - radius, 2 * radius, 2 * radius
                    ).toAlignedRect()
                )
        self._cursor_pos = new_pos

    # -- pointer input
    def _stroke_point(self, position: QPointF, pressure: float = 1.0) -> StrokePoint:
        x, y = self.view_to_image(position)
        return StrokePoint(x, y, pressure)

    def _can_draw(self) -> bool:
        return self.tool is not None and not self.document.is_empty()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        divider = self._divider_x()
        near_divider = divider is not None and abs(event.position().x() - divider) <= 8
        if event.button() == Qt.MouseButton.LeftButton and near_divider:
            self._dragging_divider = True
        elif event.button() == Qt.MouseButton.MiddleButton or (
            event.button() == Qt.MouseButton.LeftButton and self._space_held
        ):
            self._pan_anchor = event.position()
            self.setCursor(Qt.CursorShape.ClosedHandCursor)
        elif (
            event.button() == Qt.MouseButton.LeftButton
            and self._can_draw()
            and not self._tablet_active
        ):
            self._drawing = True
            self.tool.press(self._stroke_point(event.position()), event.modifiers())
            self._refresh_overlay()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        position = event.position()
        self._update_outline(position)
        x, y = self.view_to_image(position)
        self.cursor_moved.emit(int(math.floor(x)), int(math.floor(y)))
        if self._dragging_divider:
            self.split = min(max(position.x() / max(self.width(), 1), 0.0), 1.0)
            self.update()
        elif self._pan_anchor is not None:
            self.offset += position - self._pan_anchor
            self._pan_anchor = position
            self.update()
        elif self._drawing and not self._tablet_active:
            self.tool.move(self._stroke_point(position), event.modifiers())
            self._refresh_overlay()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if self._dragging_divider:
            self._dragging_divider = False
        elif self._pan_anchor is not None and event.button() in (
            Qt.MouseButton.MiddleButton,
            Qt.MouseButton.LeftButton,
        ):
            self._pan_anchor = None
            self.setCursor(
                Qt.CursorShape.OpenHandCursor if self._space_held else Qt.CursorShape.CrossCursor
            )
        elif (
            self._drawing
            and event.button() == Qt.MouseButton.LeftButton
            and not self._tablet_active
        ):
            self._drawing = False
            self.tool.release(self._stroke_point(event.position()), event.modifiers())
            self._refresh_overlay()

    def tabletEvent(self, event: QTabletEvent) -> None:
        # Tablet input carries pressure; mouse events synthesised from it are ignored.
        kind, point = event.type(), self._stroke_point(event.position(), event.pressure())
        if kind == QTabletEvent.Type.TabletPress and self._can_draw() and not self._space_held:
            self._tablet_active = self._drawing = True
            self.tool.press(point, event.modifiers())
        elif kind == QTabletEvent.Type.TabletMove:
            self._update_outline(event.position())
            if self._drawing and self._tablet_active:
                self.tool.move(point, event.modifiers())
        elif kind == QTabletEvent.Type.TabletRelease and self._tablet_active:
            self.tool.release(point, event.modifiers())
            self._tablet_active = self._drawing = False
        event.accept()

    def leaveEvent(self, event) -> None:
        self._update_outline(None)
        super().leaveEvent(event)

    def wheelEvent(self, event: QWheelEvent) -> None:
        delta = event.angleDelta()
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self.zoom_by(delta.y() / 120.0, event.position())
        else:
            # Plain wheel scrolls, as in Photoshop; Shift scrolls sideways.
            dx, dy = (
                (delta.y(), 0)
                if event.modifiers() & Qt.KeyboardModifier.ShiftModifier
                else (delta.x(), delta.y())
            )
            self.offset += QPointF(dx / 2, dy / 2)
            self.update()
        event.accept()

    def keyPressEvent(self, event) -> None:
        if event.key() == Qt.Key.Key_Backslash and not event.isAutoRepeat():
            self.set_compare_hold(True)
        elif event.key() == Qt.Key.Key_Space and not event.isAutoRepeat():
            self._space_held = True
            self.setCursor(Qt.CursorShape.OpenHandCursor)
        else:
            super().keyPressEvent(event)

    def keyReleaseEvent(self, event) -> None:
        if event.key() == Qt.Key.Key_Backslash and not event.isAutoRepeat():
            self.set_compare_hold(False)
        elif event.key() == Qt.Key.Key_Space and not event.isAutoRepeat():
            self._space_held = False
            self._pan_anchor = None
            self.setCursor(Qt.CursorShape.CrossCursor)
        else:
            super().keyReleaseEvent(event)

    def resizeEvent(self, event) -> None:
        first_show = event.oldSize().width() <= 0
        super().resizeEvent(event)
        if first_show:
            self.fit()
