"""Brush dab latency and undo memory on a 24-megapixel canvas (6000x4000).

    python bench/brush.py [--strokes 100]

Dab latency: one pointer move event delivered to the canvas (spaced dabs stamped into the
mask, the display buffer refreshed in the dirty rectangle) plus the repaint Qt then does.
Undo memory: bytes held by the history after N strokes, and the process RSS growth.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np  # noqa: E402
from PySide6.QtCore import QEvent, QPointF, Qt  # noqa: E402
from PySide6.QtGui import QMouseEvent  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

WIDTH, HEIGHT = 6000, 4000


def rss_bytes() -> int:
    with open("/proc/self/statm") as stats:
        return int(stats.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def mouse(kind, position: QPointF, buttons) -> QMouseEvent:
    button = Qt.MouseButton.LeftButton if kind != QEvent.Type.MouseMove else Qt.MouseButton.NoButton
    return QMouseEvent(kind, position, position, button, buttons, Qt.KeyboardModifier.NoModifier)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--strokes", type=int, default=100)
    parser.add_argument("--diameter", type=float, default=60.0)
    args = parser.parse_args()

    app = QApplication([])
    from editor.app import build_window
    from editor.settings import Settings

    window = build_window(Settings(history_megabytes=4096))
    window.resize(1600, 1000)
    window.show()
    app.processEvents()
    rng = np.random.default_rng(0)
    image = rng.integers(0, 256, (HEIGHT, WIDTH, 4), dtype=np.uint8)
    image[..., 3] = 255
    window.document.load(image)
    canvas = window.canvas
    canvas.set_zoom(1.0)  # painting at 100 %: the view shows a 1600x1000 window on the canvas
    window.brush.update(diameter=args.diameter, hardness=0.8)
    app.processEvents()

    held = Qt.MouseButton.LeftButton
    latencies = []
    rss_before = rss_bytes()
    for _ in range(args.strokes):
        # A 1000-pixel stroke in view space: 100 samples 10 px apart, like a fast hand.
        start = QPointF(rng.uniform(100, 600), rng.uniform(100, 900))
        angle = rng.uniform(0, 2 * np.pi)
        step = QPointF(np.cos(angle) * 10, np.sin(angle) * 5)
        app.sendEvent(canvas, mouse(QEvent.Type.MouseButtonPress, start, held))
        point = start
        for _ in range(100):
            point = point + step
            began = time.perf_counter()
            app.sendEvent(canvas, mouse(QEvent.Type.MouseMove, point, held))
            app.processEvents()  # the repaint of the dirty region
            latencies.append(time.perf_counter() - began)
        app.sendEvent(canvas, mouse(QEvent.Type.MouseButtonRelease, point, Qt.MouseButton.NoButton))
        app.processEvents()
    history = window.document.history
    ms = sorted(t * 1000 for t in latencies)
    p95 = ms[int(len(ms) * 0.95)]
    print(
        f"canvas {WIDTH}x{HEIGHT} ({WIDTH * HEIGHT / 1e6:.0f} MP), brush {args.diameter:.0f} px, "
        f"moves of 10 px"
    )
    print(
        f"dab latency per move event: median {statistics.median(ms):.2f} ms, p95 {p95:.2f} ms "
        f"(target median <= 4 ms) over {len(ms)} events"
    )
    print(
        f"undo history after {len(history)} strokes: {history.nbytes / 2**20:.1f} MiB held, "
        f"RSS grew {(rss_bytes() - rss_before) / 2**20:.1f} MiB (target <= 300 MB)"
    )
    window.document.history.set_clean()
    window.close()


if __name__ == "__main__":
    main()
