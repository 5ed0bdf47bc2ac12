"""Files that must not hurt the editor, and saves that must not change what they should keep:
special files, foreign formats, the pixel limit, EXIF orientation, permissions, encoder
refusals, leftovers of a killed save, 12-bit data."""

from __future__ import annotations

import io
import os
import stat
import time

import numpy as np
import pytest
from PIL import Image

from editor.fileio.atomic import remove_stale_temporaries, write_bytes_atomic
from editor.fileio.errors import ImageFileError
from editor.fileio.exif import with_orientation_reset
from editor.fileio.load import load_image
from editor.fileio.save import save_image

posix_only = pytest.mark.skipif(os.name != "posix", reason="POSIX special files and modes")


def _rotated_source(path, orientation: int = 6) -> None:
    rgb = np.zeros((64, 96, 3), np.uint8)
    rgb[:, :48] = 255  # left half white
    image = Image.fromarray(rgb)
    exif = image.getexif()
    exif[0x0112] = orientation
    exif[0x010F] = "Camera maker"  # another tag that must survive
    image.save(path, exif=exif.tobytes())


@pytest.mark.parametrize("suffix", [".jpg", ".png", ".webp", ".tif"])
def test_rotated_photo_keeps_its_orientation_after_save(tmp_path, suffix):
    _rotated_source(tmp_path / "source.jpg")
    loaded = load_image(tmp_path / "source.jpg")
    assert loaded.pixels.shape[:2] == (96, 64)
    save_image(tmp_path / f"out{suffix}", loaded.pixels, loaded.exif, loaded.icc_profile)
    again = load_image(tmp_path / f"out{suffix}")
    assert again.pixels.shape[:2] == (96, 64)  # not turned a second time
    with Image.open(tmp_path / f"out{suffix}") as written:
        assert written.getexif().get(0x0112, 1) == 1
        if suffix != ".tif":  # TIFF keeps no EXIF blob here
            assert written.getexif().get(0x010F) == "Camera maker"


def test_orientation_reset_edits_only_that_tag():
    image = Image.new("RGB", (4, 4))
    exif = image.getexif()
    exif[0x0112], exif[0x0110] = 8, "Model X"
    raw = exif.tobytes()
    patched = with_orientation_reset(raw)
    assert len(patched) == len(raw) and patched != raw
    reread = Image.Exif()
    reread.load(patched)
    assert reread[0x0112] == 1 and reread[0x0110] == "Model X"
    assert with_orientation_reset(b"not exif") == b"not exif"


@posix_only
def test_saved_file_keeps_the_old_mode_or_gets_the_umask_default(tmp_path):
    target = tmp_path / "shared.png"
    target.write_bytes(b"old")
    os.chmod(target, 0o664)
    save_image(target, np.zeros((4, 4, 4), np.uint8))
    assert stat.S_IMODE(target.stat().st_mode) == 0o664

    old_umask = os.umask(0o027)
    try:
        write_bytes_atomic(tmp_path / "new.bin", b"data")
    finally:
        os.umask(old_umask)
    assert stat.S_IMODE((tmp_path / "new.bin").stat().st_mode) == 0o640  # not mkstemp's 0600


def test_stale_temporaries_of_a_killed_save_are_removed(tmp_path):
    target = tmp_path / "photo.png"
    target.write_bytes(b"the user's file")
    stale = tmp_path / ".photo.png.abc123.tmp"
    fresh = tmp_path / ".photo.png.def456.tmp"  # maybe another instance saving right now
    other = tmp_path / ".other.png.xyz.tmp"
    for path in (stale, fresh, other):
        path.write_bytes(b"partial")
    hour_ago = time.time() - 3600
    for path in (stale, other):
        os.utime(path, (hour_ago, hour_ago))
    assert remove_stale_temporaries(target) == [stale]
    assert not stale.exists() and fresh.exists() and other.exists() and target.exists()


@posix_only
def test_fifo_and_devices_are_refused_without_reading(tmp_path):
    fifo = tmp_path / "pipe.png"
    os.mkfifo(fifo)
    with pytest.raises(ImageFileError, match="not a regular file"):
        load_image(fifo)  # would block forever if it were opened for reading
    link = tmp_path / "zero.png"
    link.symlink_to("/dev/zero")
    with pytest.raises(ImageFileError, match="not a regular file"):
        load_image(link)


@pytest.mark.parametrize("fmt", ["ICO", "TGA", "PCX", "SGI"])
def test_formats_retouch_does_not_support_are_refused(tmp_path, fmt):
    stream = io.BytesIO()
    Image.new("RGB", (16, 16), (200, 10, 10)).save(stream, format=fmt)
    path = tmp_path / "disguised.png"
    path.write_bytes(stream.getvalue())
    with pytest.raises(ImageFileError, match="not an image file Retouch can read"):
        load_image(path)


def test_eps_content_never_reaches_ghostscript(tmp_path, monkeypatch):
    import subprocess

    monkeypatch.setattr(subprocess, "check_call", lambda *a, **k: pytest.fail("ran a program"))
    path = tmp_path / "doc.png"
    path.write_bytes(b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 10 10\nshowpage\n")
    with pytest.raises(ImageFileError, match="not an image file"):
        load_image(path)


def test_the_settings_limit_applies_above_pillows_own(tmp_path, monkeypatch):
    # Pillow refuses images above twice its MAX_IMAGE_PIXELS whatever Retouch's setting says;
    # shrink Pillow's default so a small image plays the 95 MP one.
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)
    Image.new("L", (100, 50)).save(tmp_path / "big.png")  # 5x Pillow's limit
    assert load_image(tmp_path / "big.png", max_pixels=10_000).pixels.shape == (50, 100, 4)
    with pytest.raises(ImageFileError, match="limit"):
        load_image(tmp_path / "big.png", max_pixels=4_000)
    assert Image.MAX_IMAGE_PIXELS == 1000  # restored


def test_metadata_the_encoder_refuses_is_dropped_with_a_notice(tmp_path):
    exif = Image.Exif()
    exif[0x010E] = "x" * 70_000  # JPEG's APP1 segment holds at most 64 KB
    pixels = np.full((8, 8, 4), 200, np.uint8)
    notices = save_image(tmp_path / "out.jpg", pixels, exif.tobytes())
    assert any("without its EXIF" in notice for notice in notices), notices
    assert load_image(tmp_path / "out.jpg").pixels.shape == (8, 8, 4)
    assert not [p for p in tmp_path.iterdir() if p.suffix == ".tmp"]


def test_12bit_data_in_a_16bit_container_uses_the_full_range(tmp_path):
    ramp = np.linspace(0, 4095, 64, dtype=np.uint16).reshape(8, 8)
    Image.fromarray(ramp).save(tmp_path / "scan.png")
    loaded = load_image(tmp_path / "scan.png")
    assert loaded.pixels[..., 0].max() == 255 and loaded.pixels[..., 0].min() == 0
    assert any("12 of 16 bits" in notice for notice in loaded.notices), loaded.notices
