"""Reading odd and broken files, and saving without ever damaging the previous file."""

import os

import numpy as np
import pytest
from PIL import Image

from editor.fileio.errors import ImageFileError
from editor.fileio.load import load_image, load_mask
from editor.fileio.save import save_image


@pytest.mark.parametrize("suffix", [".png", ".jpg", ".webp", ".tif", ".bmp"])
def test_common_formats_load_as_rgba(tmp_path, suffix):
    rgb = np.zeros((20, 30, 3), np.uint8)
    rgb[:, :15] = [200, 40, 10]
    path = tmp_path / f"a{suffix}"
    Image.fromarray(rgb).save(path)
    loaded = load_image(path)
    assert loaded.pixels.shape == (20, 30, 4) and loaded.pixels.dtype == np.uint8
    assert abs(int(loaded.pixels[10, 5, 0]) - 200) < 12 and (loaded.pixels[..., 3] == 255).all()


def test_alpha_is_kept(tmp_path):
    rgba = np.zeros((8, 8, 4), np.uint8)
    rgba[..., 3] = np.arange(8, dtype=np.uint8)[None, :] * 30
    Image.fromarray(rgba, "RGBA").save(tmp_path / "a.png")
    assert np.array_equal(load_image(tmp_path / "a.png").pixels[..., 3], rgba[..., 3])


def test_exif_orientation_is_applied(tmp_path):
    rgb = np.zeros((10, 20, 3), np.uint8)
    rgb[:, :10] = 255  # left half white
    image = Image.fromarray(rgb)
    exif = image.getexif()
    exif[0x0112] = 6  # rotate 90° clockwise to display
    image.save(tmp_path / "r.jpg", exif=exif.tobytes())
    loaded = load_image(tmp_path / "r.jpg")
    assert loaded.pixels.shape[:2] == (20, 10)
    assert loaded.pixels[2, 5, 0] > 200 and loaded.pixels[18, 5, 0] < 50  # white moved to the top
    assert any("orientation" in n for n in loaded.notices)


@pytest.mark.parametrize(
    ("make", "word"),
    [
        (lambda: Image.fromarray(np.arange(64, dtype=np.uint16).reshape(8, 8) * 1000), "bit"),
        (lambda: Image.new("CMYK", (8, 8), (0, 255, 0, 0)), "CMYK"),
        (lambda: Image.new("P", (8, 8), 3), "palette"),
        (lambda: Image.new("L", (8, 8), 128), "grayscale"),
    ],
)
def test_odd_modes_convert_with_a_notice(tmp_path, make, word):
    path = tmp_path / ("odd.tif" if word == "CMYK" else "odd.png")
    make().save(path)
    loaded = load_image(path)
    assert loaded.pixels.shape == (8, 8, 4) and loaded.pixels.dtype == np.uint8
    assert any(word in notice for notice in loaded.notices), loaded.notices


def test_16bit_values_scale_to_8bit(tmp_path):
    Image.fromarray(np.full((4, 4), 65535, np.uint16)).save(tmp_path / "w.png")
    assert (load_image(tmp_path / "w.png").pixels[..., :3] == 255).all()


def test_cmyk_cyan_becomes_rgb_cyan(tmp_path):
    Image.new("CMYK", (4, 4), (255, 0, 0, 0)).save(tmp_path / "c.tif")
    assert load_image(tmp_path / "c.tif").pixels[0, 0, :3].tolist() == [0, 255, 255]


@pytest.mark.parametrize(
    ("content", "phrase"),
    [
        (b"", "not an image"),
        (b"hello, this is text\n" * 10, "not an image"),
        (None, "damaged"),  # truncated PNG
    ],
)
def test_broken_files_raise_a_clear_error(tmp_path, content, phrase):
    path = tmp_path / "bad.png"
    if content is None:
        Image.fromarray(
            np.random.default_rng(0).integers(0, 255, (64, 64, 3), dtype=np.uint8)
        ).save(path)
        path.write_bytes(path.read_bytes()[:300])
    else:
        path.write_bytes(content)
    with pytest.raises(ImageFileError, match=phrase):
        load_image(path)


def test_missing_file_and_folder(tmp_path):
    with pytest.raises(ImageFileError, match="does not exist"):
        load_image(tmp_path / "nope.png")
    with pytest.raises(ImageFileError, match="folder"):
        load_image(tmp_path)


def test_decompression_bomb_is_refused_before_decoding(tmp_path):
    Image.new("L", (4000, 3000)).save(tmp_path / "big.png")
    with pytest.raises(ImageFileError, match="limit"):
        load_image(tmp_path / "big.png", max_pixels=1_000_000)
    assert load_image(tmp_path / "big.png", max_pixels=20_000_000).pixels.shape == (3000, 4000, 4)


def test_mask_from_white_or_alpha(tmp_path):
    gray = np.zeros((6, 6), np.uint8)
    gray[2:4, 2:4] = 255
    Image.fromarray(gray).save(tmp_path / "m.png")
    assert np.array_equal(load_mask(tmp_path / "m.png"), gray)
    rgba = np.zeros((6, 6, 4), np.uint8)
    rgba[1, 1, 3] = 255
    Image.fromarray(rgba, "RGBA").save(tmp_path / "a.png")
    assert load_mask(tmp_path / "a.png")[1, 1] == 255 and load_mask(tmp_path / "a.png").sum() == 255


@pytest.mark.parametrize("suffix", [".png", ".jpg", ".webp", ".tiff"])
def test_save_round_trip_keeps_exif_and_icc(tmp_path, suffix):
    pixels = np.zeros((16, 16, 4), np.uint8)
    pixels[..., 0] = 180
    pixels[..., 3] = 255
    exif = Image.Exif()
    exif[0x010F] = "RetouchCam"  # Make
    icc = b"\x00" * 128  # opaque bytes: we only check they are carried over
    path = tmp_path / f"out{suffix}"
    save_image(path, pixels, exif=exif.tobytes(), icc_profile=icc)
    with Image.open(path) as image:
        assert image.getexif().get(0x010F) == "RetouchCam"
        assert image.info.get("icc_profile") == icc
    assert abs(int(load_image(path).pixels[8, 8, 0]) - 180) < 8


def test_failed_save_leaves_the_old_file_and_no_temporary(tmp_path, monkeypatch):
    path = tmp_path / "keep.png"
    pixels = np.full((8, 8, 4), 255, np.uint8)
    save_image(path, pixels)
    before = path.read_bytes()

    def disk_full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)
    with pytest.raises(ImageFileError, match="No space left"):
        save_image(path, np.zeros((8, 8, 4), np.uint8))
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.png"]


def test_unknown_extension_is_a_clear_error(tmp_path):
    with pytest.raises(ImageFileError, match="Cannot save"):
        save_image(tmp_path / "x.psd", np.zeros((2, 2, 4), np.uint8))
