"""The Settings' device, half precision and model memory reach every job (JobContext)."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from editor.engine.context import JobContext, Models
from editor.settings import Settings

EDITOR = Path(__file__).resolve().parents[1] / "editor"


@pytest.fixture
def captured(monkeypatch):
    """request -> the JobContext the engine ran it with."""
    from editor.engine import engine as engine_module

    contexts: dict[int, JobContext] = {}
    real_execute = engine_module.execute

    def execute(request, ctx):
        contexts[id(request)] = ctx
        return real_execute(request, ctx)

    monkeypatch.setattr(engine_module, "execute", execute)
    return contexts


def _run_a_job(qtbot, engine, photo, captured) -> JobContext:
    """Submit an erase; its context once it has started."""
    from editor.engine.requests import InpaintRequest

    mask = np.zeros(photo.shape[:2], np.uint8)
    mask[40:50, 40:50] = 255
    request = InpaintRequest(photo, mask, method="telea")
    engine.submit(request, "Erase")
    qtbot.waitUntil(lambda: id(request) in captured, timeout=30000)
    return captured[id(request)]


def test_the_device_setting_reaches_the_job_and_its_policy(qtbot, window, captured, photo,
                                                           monkeypatch):  # fmt: skip
    monkeypatch.setenv("RETOUCH_DEVICE", "cuda")  # the setting wins over the environment
    window.apply_settings(Settings(device="cpu"))
    ctx = _run_a_job(qtbot, window.operations.engine, photo, captured)
    assert ctx.device == "cpu"
    assert ctx.policy().device.type == "cpu"
    assert ctx.part(0.5, 0.5).device == "cpu"  # steps of a job too


def test_the_half_precision_setting_reaches_the_job_and_picks_fp32_on_cuda(
    qtbot, window, captured, photo, monkeypatch
):
    import torch

    window.apply_settings(Settings(device="cuda", half_precision=False))
    ctx = _run_a_job(qtbot, window.operations.engine, photo, captured)
    assert ctx.half_precision is False
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert ctx.policy().dtype == torch.float32 and ctx.policy().device.type == "cuda"
    ctx.half_precision = True
    assert ctx.policy().dtype == torch.float16


def test_the_model_memory_setting_bounds_the_cache_jobs_load_through(qtbot, window, captured,
                                                                    photo):  # fmt: skip
    window.apply_settings(Settings(model_memory_megabytes=123))
    ctx = _run_a_job(qtbot, window.operations.engine, photo, captured)
    assert ctx.models.memory_bytes == 123 << 20
    runtime = ctx.runtime
    assert runtime.cache.budget_bytes == 123 << 20
    window.apply_settings(Settings(model_memory_megabytes=50))  # live, on the loaded cache too
    assert runtime.cache.budget_bytes == 50 << 20
    ctx = _run_a_job(qtbot, window.operations.engine, photo, captured)
    assert ctx.runtime is runtime  # one runtime for every job of the editor


def test_settings_at_start_reach_the_engine(qtbot, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    from editor.app import build_window

    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Discard)
    win = build_window(Settings(device="cpu", half_precision=False, model_memory_megabytes=7))
    qtbot.addWidget(win)
    engine = win.operations.engine
    assert (engine.device, engine.half_precision, engine.models.memory_bytes) == (
        "cpu", False, 7 << 20)  # fmt: skip


def test_a_bare_context_has_its_own_models_and_the_automatic_device():
    ctx = JobContext()
    assert isinstance(ctx.models, Models) and ctx.device == "auto" and ctx.half_precision
    assert ctx.part(0, 1).models is ctx.models


def test_run_functions_pick_their_device_through_the_job_context():
    """No run function picks a device of its own (which would ignore the settings)."""
    offenders = []
    for path in sorted((EDITOR / "engine").glob("*.py")):
        if path.name in ("devices.py", "context.py", "lite0_decoders.py"):
            continue  # the policy itself, and the default of loaders called without a job
        text = path.read_text()
        if re.search(r"pick_policy\(|cuda\.is_available\(", text):
            offenders.append(path.name)
    assert not offenders


@pytest.mark.parametrize("operation", ["colorize", "sketch"])
def test_the_lite0_decoders_load_on_the_settings_device_into_the_jobs_cache(
    operation, tmp_path, monkeypatch
):
    """Colorize and Sketch to Photo build their model on the device the Settings ask for, with
    the job's model manager, and keep it in the job's cache (the memory budget)."""
    torch = pytest.importorskip("torch")
    from editor.engine import colorize, colorize_model, lite0_decoders, sketch, sketch_model

    loader_module, builder = {
        "colorize": (colorize_model, "colorizer_module"),
        "sketch": (sketch_model, "sketcher_module"),
    }[operation]
    files = (tmp_path / "decoder.safetensors", tmp_path / "encoder.pth")
    for file in files:
        file.write_bytes(b"x")
    managers, builds = [], []

    def ensure_files(name, message, manager, *rest):
        managers.append(manager)
        return files

    def build(decoder, encoder, device):
        builds.append(device)
        return torch.nn.Linear(2, 2)

    monkeypatch.setattr(lite0_decoders, "ensure_files", ensure_files)
    monkeypatch.setattr(loader_module, builder, build)
    monkeypatch.setattr(lite0_decoders, "working_size_of", lambda decoder, default: default)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)  # "cuda" is there to pick

    def load(ctx):
        if operation == "colorize":
            return colorize._model(None, ctx)
        return sketch._model(None, "animals", ctx)

    ctx = JobContext(device="cuda")
    first = load(ctx)
    assert builds == ["cuda"] and first.device == "cuda"
    assert managers == [ctx.models.manager()]
    assert load(ctx).module is first.module and builds == ["cuda"]  # from the job's cache
    assert len(ctx.runtime.cache.keys()) == 1
    cpu = JobContext(device="cpu", models=ctx.models)
    assert load(cpu).device == "cpu" and builds == ["cuda", "cpu"]
