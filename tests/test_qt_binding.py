"""The Qt binding must not leak or drop references on every call (PySide6 6.12.0 did)."""

import sys

from PySide6.QtCore import QPointF
from PySide6.QtGui import QColor, QImage, QPainter, QPen


def test_void_methods_keep_none_refcount(qapp):
    image = QImage(16, 16, QImage.Format.Format_RGBA8888)
    painter = QPainter(image)
    before = sys.getrefcount(None)
    for _ in range(2000):
        painter.setPen(QPen(QColor(0, 0, 0), 1))
        painter.drawEllipse(QPointF(5, 5), 3.0, 3.0)
    drift = sys.getrefcount(None) - before
    painter.end()
    assert drift > -100, f"None lost {-drift} references in 4000 calls: a broken PySide6 build"
