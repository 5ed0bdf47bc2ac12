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


@pytest.fixture
def lite0_weights() -> Path:
    """The EfficientNet-Lite0 weights of the real user cache (tests keep their own empty cache
    and never download); skips with the reason when they are absent."""
    import platformdirs

    cache = Path(platformdirs.user_cache_dir("retouch"))
    encoders = [cache / "models" / "efficientnet-lite0-imagenet.safetensors",
                cache / "features" / "efficientnet-lite0-57934424.pth"]  # fmt: skip
    encoder = next((path for path in encoders if path.is_file()), None)
    if encoder is None:
        pytest.skip("EfficientNet-Lite0 weights are not in the user cache (retouch models fetch)")
    return encoder


def _shipped_weights(spec) -> Path:
    """models/<spec's file>, or skip when it is absent or not the pinned file."""
    from editor.ml.hashing import sha256_file
    from editor.ml.manager import project_models_dir

    path = project_models_dir() / spec.weight_file
    if not path.is_file() or sha256_file(path) != spec.sha256:
        pytest.skip(f"models/{spec.weight_file} is not present or not the pinned file")
    return path


@pytest.fixture
def shipped_weights():
    """A function: models/<a spec's file>, or skip when it is absent or not the pinned file."""
    return _shipped_weights


@pytest.fixture
def shipped_colorizer(monkeypatch, lite0_weights):
    """The shipped colorize decoder on the user cache's EfficientNet-Lite0 weights, installed as
    what Colorize loads; skips with the reason when either file is absent."""
    pytest.importorskip("torch")
    from editor.engine import colorize_model
    from editor.ml.catalog_colorize import COLORIZE

    model = colorize_model.colorizer_from_files(_shipped_weights(COLORIZE), lite0_weights)
    monkeypatch.setattr(colorize_model, "load_colorizer", lambda *args, **kwargs: model)
    return model


@pytest.fixture
def random_colorizer(monkeypatch):
    """A colorizer with random weights (and uneven bin preferences, so it adds colour),
    installed as what Colorize loads: GUI plumbing tests that need no weights files."""
    torch = pytest.importorskip("torch")
    from editor.engine import colorize_model
    from editor.ml.ab_bins import grid_centres
    from editor.ml.archs.colorizer import ColorDecoder, Colorizer
    from editor.ml.archs.efficientnet_lite import EfficientNetLite0

    torch.manual_seed(0)
    centres = grid_centres()
    decoder = ColorDecoder(centres.shape[0])
    decoder.bin_ab.copy_(centres)
    decoder.head.bias.data.normal_(0.0, 3.0)
    module = Colorizer(EfficientNetLite0(), decoder).eval().requires_grad_(False)
    model = colorize_model.ColorizeModel(module, "cpu", 64)
    monkeypatch.setattr(colorize_model, "load_colorizer", lambda *args, **kwargs: model)
    return model


@pytest.fixture
def random_sketcher(monkeypatch):
    """A sketcher with random weights, installed as what Sketch to Photo loads; records the
    subjects asked for (GUI plumbing tests that need no weights files)."""
    torch = pytest.importorskip("torch")
    from editor.engine import sketch_model
    from editor.ml.archs.efficientnet_lite import EfficientNetLite0
    from editor.ml.archs.sketcher import SketchDecoder, Sketcher

    torch.manual_seed(0)
    module = Sketcher(EfficientNetLite0(), SketchDecoder()).eval().requires_grad_(False)
    model = sketch_model.SketchModel(module, "cpu", 64)
    asked: list[str] = []

    def load(subject, *args, **kwargs):
        asked.append(subject)
        return model

    monkeypatch.setattr(sketch_model, "load_sketcher", load)
    return asked
