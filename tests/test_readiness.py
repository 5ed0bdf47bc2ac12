"""Greyed-out state generated from the operation registry: an operation whose weights are neither
on disk nor downloadable cannot be started, and its action says what is missing."""

from __future__ import annotations

import dataclasses

import pytest
from PIL import Image

from editor.ml.manager import ModelManager
from editor.ops.readiness import not_ready, why_not_ready
from editor.ops.registry import OPERATIONS, operation

MENU_OPERATIONS = [op for op in OPERATIONS if op.menu is not None]


def test_shipped_weights_make_every_menu_operation_ready():
    assert not_ready(MENU_OPERATIONS, ModelManager()) == {}


def test_without_the_shipped_files_only_operations_that_cannot_download_are_not_ready(tmp_path):
    empty = ModelManager(project_dir=tmp_path / "models", cache_dir=tmp_path / "cache")
    reasons = not_ready(MENU_OPERATIONS, empty)
    # Erase, Colorize and Sketch need files shipped in models/ (no download source). Upscale,
    # Denoise and Style Transfer can still fetch a published model on first use.
    assert set(reasons) == {"inpaint", "colorize", "sketch2photo"}
    assert "models/erase_fill.safetensors" in reasons["inpaint"]
    assert "models/colorize.safetensors" in reasons["colorize"]
    assert "sketch-" in reasons["sketch2photo"] and "MODELS.md" in reasons["sketch2photo"]


def test_one_subject_model_is_enough_for_sketch(tmp_path):
    models = tmp_path / "models"
    models.mkdir()
    shipped = ModelManager().locate("sketch-people")
    assert shipped is not None
    (models / shipped.name).write_bytes(shipped.read_bytes())
    manager = ModelManager(project_dir=models, cache_dir=tmp_path / "cache")
    assert why_not_ready(operation("sketch2photo"), manager) == ""  # the encoder downloads
    (models / shipped.name).write_bytes(b"tampered")
    assert why_not_ready(operation("sketch2photo"), manager) != ""


def test_needs_must_name_the_operations_own_models():
    with pytest.raises(ValueError, match="needs"):
        dataclasses.replace(operation("colorize"), needs=(("not-a-model",),))


def test_menus_grey_out_what_cannot_run_and_say_why(qtbot, window, tmp_path, photo):
    Image.fromarray(photo).save(tmp_path / "p.png")
    assert window.open_path(tmp_path / "p.png")
    ops, menu = window.operations, window.filter_menu
    ops.not_ready = {"sketch2photo": "models/sketch-x.safetensors is missing"}
    ops.readiness_changed.emit()
    assert not menu.sketch.isEnabled()
    assert menu.sketch.toolTip() == "models/sketch-x.safetensors is missing"
    assert menu.erase.isEnabled() and menu.colorize.isEnabled()
    # The real check (on the engine thread) finds the shipped weights: all ready again.
    with qtbot.waitSignal(ops.readiness_changed, timeout=60000):
        ops.refresh_readiness()
    assert ops.not_ready == {}
    assert menu.sketch.isEnabled() and "sketch" in menu.sketch.toolTip().lower()
