"""Test setup: Qt offscreen, settings and caches kept out of the user's real folders."""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


@pytest.fixture(autouse=True)
def _isolated_user_folders(tmp_path_factory, monkeypatch):
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("RETOUCH_CACHE_DIR", str(home / "cache"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    if "PySide6.QtCore" in sys.modules:
        from PySide6.QtCore import QStandardPaths

        QStandardPaths.setTestModeEnabled(True)


def shared_data(*parts: str) -> Path:
    """A path under ../shared/data, or skip the test with the reason when it is absent."""
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} not present (shared research data is optional)")
    return path


@pytest.fixture
def photo() -> np.ndarray:
    """A 120x160 RGBA test image with smooth gradients and some texture (seeded)."""
    rng = np.random.default_rng(7)
    ys, xs = np.mgrid[0:120, 0:160].astype(np.float32)
    rgb = np.stack([xs / 160 * 255, ys / 120 * 255, (xs + ys) / 280 * 255], axis=2)
    rgb += rng.normal(0, 6, rgb.shape)
    out = np.empty((120, 160, 4), np.uint8)
    out[..., :3] = np.clip(rgb, 0, 255)
    out[..., 3] = 255
    return out


@pytest.fixture
def window(qtbot, monkeypatch):
    """A real, shown main window. Closing it at the end of a test never blocks on the
    "unsaved changes" question (answered Discard unless a test patches it)."""
    from PySide6.QtWidgets import QMessageBox

    from editor.app import build_window
    from editor.settings import Settings

    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Discard)
    win = build_window(Settings())
    qtbot.addWidget(win)
    win.resize(900, 700)
    win.show()
    qtbot.waitExposed(win)
    return win
