"""Progress as users see it: the idle bar shows no figure, the bar and the CLI's percentages
never run backwards, and `retouch export` reports progress like the other commands."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from editor.cli_models import StderrProgress
from editor.engine.context import JobContext
from editor.fileio.ora import OraLayer, write_ora

MODELS = Path(__file__).resolve().parents[1] / "models"
PERCENT = re.compile(r"^\[\s*([\d.]+)%\] (.*)$")


def _retouch(*args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "editor", *map(str, args)],
                          capture_output=True, text=True, timeout=300)  # fmt: skip


def _percentages(stderr: str) -> list[float]:
    return [float(m.group(1)) for line in stderr.splitlines() if (m := PERCENT.match(line))]


def test_the_idle_bar_shows_nothing_and_a_running_one_only_moves_forward(window):
    panel, engine = window.jobs_panel, window.operations.engine
    assert panel.bar.text() == ""
    window.operations.active_job = 41
    engine.started.emit(41, "Erase")
    engine.progress.emit(41, 0.5, "Filling")
    assert panel.bar.text() == "Filling 50%"
    engine.progress.emit(41, 0.1, "Loading")  # a step counting from 0 again
    assert panel.bar.value() == 500
    window.operations.active_job = None
    window.operations.busy_changed.emit(False)
    assert panel.bar.text() == ""


def test_the_printer_never_goes_backwards(capsys):
    progress = StderrProgress()
    for fraction, text in ((0.05, "Preparing"), (0.0, "Loading"), (1.0, "Done"), (0.9, "Blend")):
        progress(fraction, text)
    assert _percentages(capsys.readouterr().err) == [5.0, 5.0, 100.0, 100.0]


def test_a_step_reports_inside_its_share_of_the_job():
    seen = []
    ctx = JobContext(report=lambda fraction, text: seen.append(round(fraction, 3)))
    step = ctx.part(0.1, 0.8)
    step.progress(0.0)
    step.progress(1.0)
    assert seen == [0.1, 0.9]


@pytest.fixture
def hole_files(tmp_path, photo):
    Image.fromarray(photo).save(tmp_path / "in.png")
    mask = np.zeros(photo.shape[:2], np.uint8)
    mask[40:60, 50:90] = 255
    Image.fromarray(mask).save(tmp_path / "mask.png")
    return tmp_path / "in.png", tmp_path / "mask.png"


@pytest.mark.parametrize("method", ["telea", "model"])
def test_inpaint_progress_runs_forward_to_100(tmp_path, hole_files, method):
    if method == "model" and not (MODELS / "erase_fill.safetensors").exists():
        pytest.skip("models/erase_fill.safetensors is not present")
    image, mask = hole_files
    done = _retouch("inpaint", image, "--mask", mask, "-o", tmp_path / "o.png", "--method", method)
    assert done.returncode == 0, done.stderr
    figures = _percentages(done.stderr)
    assert len(figures) >= 3 and figures == sorted(figures) and figures[-1] == 100.0


def test_export_reports_progress_and_what_it_wrote(tmp_path, photo):
    path = tmp_path / "doc.ora"
    write_ora(path, 160, 120, [OraLayer("Background", photo)], photo)
    done = _retouch("export", path, "-o", tmp_path / "flat.png")
    assert done.returncode == 0, done.stderr
    figures = _percentages(done.stderr)
    assert figures[0] == 0.0 and figures[-1] == 100.0 and figures == sorted(figures)
    assert "Compositing 1 layer\n" in done.stderr and "wrote" in done.stderr
    assert np.array_equal(np.asarray(Image.open(tmp_path / "flat.png").convert("RGBA")), photo)
