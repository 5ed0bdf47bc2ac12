"""Round trips with the programs users exchange .ora files with, run headless: Retouch saves a
document, GIMP or Krita opens it, flattens it and saves it again, and Retouch reads that back.
Each test skips, saying why, where the program (or its OpenRaster support) is missing."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from editor.core.blend import BLEND_MODES
from editor.document.document import Document
from editor.document.io import open_into, save_document
from editor.document.layers import Layer, LayerKind

PROGRAM_TIMEOUT_S = 240


@pytest.fixture
def document(qapp) -> Document:
    """A background, a half-opaque box, a hidden screen layer, a painted mask and two colour
    hints."""
    background = np.zeros((40, 60, 4), np.uint8)
    background[..., 0] = np.arange(60)[None, :] * 4
    background[..., 1] = 100
    background[..., 2] = np.arange(40)[:, None] * 5
    background[..., 3] = 255
    doc = Document()
    doc.load(background)
    box = np.zeros((40, 60, 4), np.uint8)
    box[10:30, 20:50] = (10, 200, 30, 255)
    doc.add_layer(Layer("Green box", LayerKind.IMAGE, box, opacity=0.5))
    doc.add_layer(Layer("Screen", LayerKind.IMAGE, box.copy(), visible=False,
                        blend_mode="screen"))  # fmt: skip
    stroke = doc.begin_stroke()
    stroke.dab(12, 10, 6, 1.0)
    stroke.end()
    doc.set_hints(((5, 6, (250, 20, 20)), (50, 30, (20, 40, 240))), "Add colour hints")
    return doc


def _run(command: list[str], cwd: Path) -> subprocess.CompletedProcess:
    """Run a program in its own session; past the time limit the whole group (xvfb-run, its
    X server and the program) is killed, so nothing is left running."""
    env = {**os.environ, "HOME": str(cwd / "home")}  # a fresh profile, never the user's
    env.pop("QT_QPA_PLATFORM", None)
    pipe = subprocess.PIPE
    process = subprocess.Popen(command, cwd=cwd, env=env, stdout=pipe, stderr=pipe, text=True,
                               start_new_session=True)  # fmt: skip
    try:
        out, err = process.communicate(timeout=PROGRAM_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        pytest.fail(f"{Path(command[0]).name} took over {PROGRAM_TIMEOUT_S} s: {command}")
    return subprocess.CompletedProcess(command, process.returncode, out, err)


def _check_round_trip(doc: Document, flat: Path, resaved: Path, tolerance: int) -> None:
    """The other program's flattening shows what Retouch shows (neither the mask nor the
    hints' dots are painted over it), and its re-saved file opens with the same layers, the
    same mask and the same colour hints."""
    shown = np.asarray(Image.open(flat).convert("RGBA")).astype(int)
    expected = doc.flattened().astype(int)
    assert shown.shape == expected.shape
    assert np.abs(shown - expected).max() <= tolerance
    names = [layer.name for layer in doc.layers]
    mask = doc.mask.pixels.copy()
    reopened = Document()
    open_into(reopened, resaved)
    assert [layer.name for layer in reopened.layers] == names
    assert [layer.visible for layer in reopened.layers] == [True, True, False]
    assert reopened.layers[2].blend_mode == "screen"
    assert np.array_equal(reopened.mask.pixels, mask)
    assert sorted(reopened.hints.points) == sorted(doc.hints.points)


def _gimp_reads_openraster(gimp: str, cwd: Path) -> bool:
    probe = '(gimp-message (if (defined? \'file-openraster-load) "ORA-YES" "ORA-NO"))'
    done = _run([gimp, "-i", "-d", "-f", "-b", probe, "-b", "(gimp-quit 0)"], cwd)
    return "ORA-YES" in done.stdout + done.stderr


def test_gimp_round_trip(document, tmp_path):
    gimp = shutil.which("gimp-console-2.10") or shutil.which("gimp-console")
    if gimp is None:
        pytest.skip("GIMP is not installed (Debian: apt install gimp)")
    if not _gimp_reads_openraster(gimp, tmp_path):
        pytest.skip(
            "this GIMP has no OpenRaster plug-in (GIMP 2.10's was Python 2, which Debian 12 "
            "no longer ships; GIMP 3 has it again)"
        )
    save_document(document, tmp_path / "in.ora")
    script = (
        '(let* ((image (car (gimp-file-load RUN-NONINTERACTIVE "in.ora" "in.ora")))'
        "       (drawable (car (gimp-image-get-active-drawable image))))"
        '  (gimp-file-save RUN-NONINTERACTIVE image drawable "out.ora" "out.ora")'
        "  (let ((flat (car (gimp-image-flatten image))))"
        '    (gimp-file-save RUN-NONINTERACTIVE image flat "flat.png" "flat.png")))'
    )
    done = _run([gimp, "-i", "-d", "-f", "-b", script, "-b", "(gimp-quit 0)"], tmp_path)
    assert (tmp_path / "flat.png").exists(), done.stderr
    # GIMP 2.10 mixes layers in linear light: half-opaque pixels may differ a little.
    _check_round_trip(document, tmp_path / "flat.png", tmp_path / "out.ora", tolerance=24)


def _krita_export(source: str, target: str, cwd: Path) -> None:
    """One `krita --export` (Krita insists on X11, hence a virtual display). A Krita still
    closing takes over a new start and drops it, so a missing output is tried again."""
    krita, xvfb = shutil.which("krita"), shutil.which("xvfb-run")
    if krita is None or xvfb is None:
        pytest.skip("Krita and xvfb-run are not installed (Debian: apt install krita xvfb)")
    for _attempt in range(3):
        done = _run([xvfb, "-a", krita, source, "--export", "--export-filename", target], cwd)
        if (cwd / target).exists():
            return
        time.sleep(3)
    pytest.fail(f"Krita wrote no {target}: {done.stderr[-2000:]}")


def test_krita_round_trip(document, tmp_path):
    save_document(document, tmp_path / "in.ora")
    for name in ("flat.png", "out.ora"):
        _krita_export("in.ora", name, tmp_path)
    _check_round_trip(document, tmp_path / "flat.png", tmp_path / "out.ora", tolerance=2)


def test_krita_blends_every_mode_as_retouch_does(qapp, tmp_path):
    """One band per mode over a shared gradient: Krita's flattening is an independent
    implementation of the same formulas."""
    modes, band, width = BLEND_MODES[1:], 8, 64
    height = band * len(modes)
    ramp = np.linspace(0, 255, width)[None, :]
    background = np.zeros((height, width, 4), np.uint8)
    background[..., 0] = ramp
    background[..., 1] = np.linspace(255, 0, height)[:, None]
    background[..., 2] = 90
    background[..., 3] = 255
    doc = Document()
    doc.load(background)
    for index, mode in enumerate(modes):
        layer = np.zeros((height, width, 4), np.uint8)
        rows = slice(index * band, (index + 1) * band)
        layer[rows, :, 0], layer[rows, :, 1], layer[rows, :, 2] = 255 - ramp, 128, ramp
        layer[rows, :, 3] = 255
        doc.add_layer(Layer(mode, LayerKind.IMAGE, layer, blend_mode=mode))
    save_document(doc, tmp_path / "modes.ora")
    _krita_export("modes.ora", "flat.png", tmp_path)
    shown = np.asarray(Image.open(tmp_path / "flat.png").convert("RGBA")).astype(int)
    ours = doc.flattened().astype(int)
    for index, mode in enumerate(modes):
        rows = slice(index * band, (index + 1) * band)
        assert np.abs(shown[rows] - ours[rows]).max() <= 2, mode
