"""Screenshots of the real main window for a person to judge (not committed images).

    xvfb-run -s "-screen 0 1600x1000x24" .venv/bin/python tools/screenshots.py OUT_DIR [IMAGE]

Needs Debian's xvfb and Qt's xcb libraries: apt-get install xvfb libxcb-cursor0 libxcb-icccm4
libxcb-image0 libxcb-keysyms1 libxcb-render-util0 libxcb-shape0 libxkbcommon-x11-0.
Captures the X screen, not a widget rendering, so docks and dialogs appear as a user sees them.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtWidgets import QApplication


def settle(app: QApplication, ms: int = 400) -> None:
    # A local loop: app.quit() would ask every window to close.
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def capture(app: QApplication, path: Path) -> None:
    settle(app)
    app.primaryScreen().grabWindow(0).save(str(path))
    print(f"wrote {path}")


def sample_image(path: str | None) -> np.ndarray:
    from editor.fileio.load import load_image

    if path:
        return load_image(path).pixels
    ys, xs = np.mgrid[0:600, 0:900].astype(np.float32)
    pixels = np.zeros((600, 900, 4), np.uint8)
    pixels[..., 0] = 80 + 120 * xs / 900
    pixels[..., 1] = 120 + 80 * ys / 600
    pixels[..., 2] = 200 - 100 * ys / 600
    pixels[..., 3] = 255
    return pixels


def main() -> None:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "screenshots")
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication(sys.argv[:1])
    from editor.app import build_window
    from editor.document.layers import Layer, LayerKind
    from editor.panels.settings_dialog import SettingsDialog
    from editor.settings import Settings

    window = build_window(Settings())
    window.resize(1500, 900)
    window.move(40, 40)
    window.show()
    doc = window.document
    pixels = sample_image(sys.argv[2] if len(sys.argv) > 2 else None)
    doc.load(pixels)
    height, width = pixels.shape[:2]
    # A few layers: a multiply shade, a half-transparent colour wash, and a mask stroke.
    shade = np.zeros_like(pixels)
    shade[height // 3 : height // 2, :, :] = [90, 60, 160, 255]
    doc.add_layer(Layer("Shade", LayerKind.IMAGE, shade, blend_mode="multiply"))
    wash = np.zeros_like(pixels)
    wash[:, : width // 4] = [255, 200, 0, 255]
    doc.add_layer(Layer("Wash", LayerKind.IMAGE, wash, opacity=0.4))
    doc.set_active(doc.layers[0])
    stroke = doc.begin_stroke()
    for x in range(width // 5, width // 2, 4):
        stroke.dab(x, height * 0.7, max(width // 40, 4), 0.8)
    stroke.end()
    capture(app, out / "main_window_layers.png")

    window.operations.erase("telea")
    for _ in range(50):
        settle(app, 100)
        if doc.preview is not None:
            break
    window.split_action.trigger()
    capture(app, out / "split_compare.png")

    dialog = SettingsDialog(window.settings, window)
    dialog.show()
    capture(app, out / "settings_dialog.png")
    dialog.close()
    doc.history.set_clean()
    window.close()


if __name__ == "__main__":
    main()
