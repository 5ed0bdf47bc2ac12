"""The headless commands: same engine code, one-line errors, no tracebacks."""

import subprocess
import sys

import numpy as np
from PIL import Image


def _retouch(*args):
    return subprocess.run(
        [sys.executable, "-m", "editor", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_inpaint_writes_a_filled_image(tmp_path, photo):
    image = photo.copy()
    image[40:50, 40:60, :3] = 0
    Image.fromarray(image).save(tmp_path / "in.png")
    mask = np.zeros(image.shape[:2], np.uint8)
    mask[40:50, 40:60] = 255
    Image.fromarray(mask).save(tmp_path / "mask.png")
    done = _retouch(
        "inpaint",
        tmp_path / "in.png",
        "--mask",
        tmp_path / "mask.png",
        "-o",
        tmp_path / "out.png",
        "--method",
        "telea",
    )
    assert done.returncode == 0, done.stderr
    out = np.asarray(Image.open(tmp_path / "out.png").convert("RGBA"))
    assert out[42:48, 42:58, :3].mean() > 40  # the black box was filled from its surroundings
    assert np.array_equal(out[:20], image[:20])  # far from the hole: untouched


def test_errors_are_one_line_without_traceback(tmp_path, photo):
    Image.fromarray(photo).save(tmp_path / "in.png")
    (tmp_path / "mask.png").write_bytes(b"garbage")
    done = _retouch(
        "inpaint", tmp_path / "in.png", "--mask", tmp_path / "mask.png", "-o", tmp_path / "o.png"
    )
    assert done.returncode == 1
    assert "Traceback" not in done.stderr and "not an image" in done.stderr
    Image.fromarray(np.zeros((5, 5), np.uint8)).save(tmp_path / "small.png")
    done = _retouch(
        "inpaint", tmp_path / "in.png", "--mask", tmp_path / "small.png", "-o", tmp_path / "o.png"
    )
    assert done.returncode == 1 and "5×5" in done.stderr and not (tmp_path / "o.png").exists()


def test_export_converts_any_image_and_drops_metadata_the_encoder_refuses(tmp_path, photo):
    exif = Image.Exif()
    exif[0x010E] = "x" * 70_000  # too long for a JPEG's EXIF segment
    Image.fromarray(photo).save(tmp_path / "big-exif.png", exif=exif.tobytes())
    done = _retouch("export", tmp_path / "big-exif.png", "-o", tmp_path / "out.jpg")
    assert done.returncode == 0, done.stderr
    assert "without its EXIF" in done.stderr and "Traceback" not in done.stderr
    assert Image.open(tmp_path / "out.jpg").size == (160, 120)


def test_a_fifo_is_refused_not_waited_on(tmp_path):
    import os

    import pytest

    if not hasattr(os, "mkfifo"):
        pytest.skip("no FIFOs on this OS")
    os.mkfifo(tmp_path / "pipe.png")
    done = _retouch("export", tmp_path / "pipe.png", "-o", tmp_path / "out.png")
    assert done.returncode == 1 and "not a regular file" in done.stderr
    assert "Traceback" not in done.stderr
