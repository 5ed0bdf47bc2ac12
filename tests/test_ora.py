"""OpenRaster read/write (editor.fileio.ora): round trip, the spec's layout, bad files."""

from __future__ import annotations

import errno
import io
import os
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from editor.fileio.errors import ImageFileError
from editor.fileio.ora import OraLayer, read_merged, read_ora, write_ora


def _layers() -> list[OraLayer]:
    rng = np.random.default_rng(11)
    background = rng.integers(0, 256, (40, 60, 4), dtype=np.uint8)
    background[..., 3] = 255
    sticker = rng.integers(0, 256, (12, 9, 4), dtype=np.uint8)  # varied alpha, off-canvas
    mask = np.zeros((40, 60), np.uint8)
    mask[5:20, 10:30] = 255
    mask[20, 10:30] = 77  # a soft edge
    return [
        OraLayer("Background", background),
        OraLayer("Ünïcode & <sticker>", sticker, x=-4, y=33, opacity=0.37, blend_mode="multiply"),
        OraLayer("Screen", sticker.copy(), x=50, y=2, blend_mode="screen", locked=True),
        OraLayer("Overlay", sticker.copy(), x=7, y=7, visible=False, blend_mode="overlay"),
        OraLayer("Sketch", sticker.copy(), kind="sketch", selected=True),
        OraLayer("Mask", mask, kind="mask", visible=False),
    ]


def _merged() -> np.ndarray:
    merged = np.zeros((40, 60, 4), np.uint8)
    merged[..., 0] = np.arange(60, dtype=np.uint8)[None, :] * 4
    merged[..., 3] = 255
    return merged


@pytest.fixture
def ora_file(tmp_path) -> Path:
    path = tmp_path / "doc.ora"
    write_ora(path, 60, 40, _layers(), _merged())
    return path


def test_round_trip_keeps_every_layer_and_property(ora_file):
    image = read_ora(ora_file)
    assert (image.width, image.height) == (60, 40)
    assert image.notices == []
    originals = _layers()
    assert [layer.name for layer in image.layers] == [layer.name for layer in originals]
    for read, written in zip(image.layers, originals, strict=True):
        assert read.pixels.dtype == np.uint8
        np.testing.assert_array_equal(read.pixels, written.pixels, err_msg=written.name)
        for attribute in ("x", "y", "opacity", "visible", "blend_mode", "locked", "kind"):
            assert getattr(read, attribute) == getattr(written, attribute), (
                written.name,
                attribute,
            )
        assert read.selected == written.selected
    np.testing.assert_array_equal(read_merged(ora_file), _merged())


def test_the_archive_follows_the_spec(ora_file):
    raw = ora_file.read_bytes()
    # The mimetype is the first member, stored, so the type shows at a fixed offset.
    assert raw[30:38] == b"mimetype" and raw[38:54] == b"image/openraster"
    with zipfile.ZipFile(ora_file) as archive:
        infos = archive.infolist()
        assert infos[0].filename == "mimetype"
        assert infos[0].compress_type == zipfile.ZIP_STORED and infos[0].extra == b""
        assert archive.read("mimetype") == b"image/openraster"
        root = ET.fromstring(archive.read("stack.xml"))
        assert root.tag == "image" and root.get("w") == "60" and root.get("h") == "40"
        stack = root.find("stack")
        assert stack is not None
        layers = stack.findall("layer")
        # Topmost first in stack.xml.
        assert [layer.get("name") for layer in layers] == [x.name for x in _layers()][::-1]
        ops = {layer.get("name"): layer.get("composite-op") for layer in layers}
        assert ops["Background"] == "svg:src-over" and ops["Overlay"] == "svg:overlay"
        assert ops["Screen"] == "svg:screen" and ops["Ünïcode & <sticker>"] == "svg:multiply"
        by_name = {layer.get("name"): layer for layer in layers}
        assert by_name["Overlay"].get("visibility") == "hidden"
        assert by_name["Screen"].get("edit-locked") == "true"
        assert float(by_name["Ünïcode & <sticker>"].get("opacity")) == 0.37
        names = set(archive.namelist())
        for layer in layers:
            assert layer.get("src") in names and layer.get("src").startswith("data/")
            assert Image.open(io.BytesIO(archive.read(layer.get("src")))).format == "PNG"
        merged = Image.open(io.BytesIO(archive.read("mergedimage.png")))
        assert merged.size == (60, 40)
        thumbnail = Image.open(io.BytesIO(archive.read("Thumbnails/thumbnail.png")))
        assert thumbnail.size == (60, 40)  # never scaled up
        assert archive.testzip() is None


def test_thumbnail_fits_256(tmp_path):
    path = tmp_path / "wide.ora"
    merged = np.full((120, 640, 4), 200, np.uint8)
    write_ora(path, 640, 120, [OraLayer("a", merged)], merged)
    with zipfile.ZipFile(path) as archive:
        thumbnail = Image.open(io.BytesIO(archive.read("Thumbnails/thumbnail.png")))
    assert thumbnail.size == (256, 48)


def _write_zip(path: Path, members: dict[str, bytes], mimetype: bool = True) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        if mimetype:
            archive.writestr("mimetype", b"image/openraster", zipfile.ZIP_STORED)
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def _png(array: np.ndarray, mode: str) -> bytes:
    stream = io.BytesIO()
    Image.fromarray(array, mode).save(stream, "PNG")
    return stream.getvalue()


RED = _png(np.full((4, 4, 4), (255, 0, 0, 255), np.uint8), "RGBA")


def test_nested_stacks_are_flattened_with_a_notice(tmp_path):
    stack = (
        '<image w="10" h="8"><stack>'
        '<layer name="top" src="data/a.png" composite-op="svg:dst-in"/>'
        '<stack name="group" x="2" y="3" opacity="0.5" visibility="hidden">'
        '<layer name="inner" src="data/a.png" x="1" y="1" opacity="0.5"/>'
        "</stack>"
        '<layer name="bottom" src="/data/a.png"/>'
        "</stack></image>"
    )
    path = _write_zip(tmp_path / "g.ora", {"stack.xml": stack.encode(), "data/a.png": RED})
    image = read_ora(path)
    assert [layer.name for layer in image.layers] == ["bottom", "inner", "top"]
    inner = image.layers[1]
    # Layer positions are canvas coordinates at any depth (as GIMP, Krita, MyPaint use them).
    assert (inner.x, inner.y, inner.opacity, inner.visible) == (1, 1, 0.25, False)
    assert image.layers[2].blend_mode == "normal"
    assert any("flattened" in text for text in image.notices)
    assert any("svg:dst-in" in text for text in image.notices)


def test_other_apps_png_modes_are_converted(tmp_path):
    gray = _png(np.full((3, 5), 128, np.uint8), "L")
    stack = b'<image w="5" h="3"><stack><layer name="g" src="data/g.png"/></stack></image>'
    path = _write_zip(tmp_path / "gray.ora", {"stack.xml": stack, "data/g.png": gray})
    image = read_ora(path)
    np.testing.assert_array_equal(image.layers[0].pixels[0, 0], [128, 128, 128, 255])
    assert any("grayscale" in text for text in image.notices)


@pytest.mark.parametrize(
    ("members", "message"),
    [
        ({"data/a.png": RED}, "stack.xml is missing"),
        ({"stack.xml": b"<image w='4' h='4'><stack>"}, "damaged"),
        (
            {"stack.xml": b'<image w="4" h="4"><stack><layer src="data/b.png"/></stack></image>'},
            "missing",
        ),
        ({"stack.xml": b'<image w="0" h="4"><stack/></image>'}, "size"),
        (
            {
                "stack.xml": b'<image w="4" h="4"><stack><layer src="data/a.png"/></stack></image>',
                "data/a.png": b"not a png",
            },
            "damaged",
        ),
        (
            {
                "stack.xml": b'<!DOCTYPE x [<!ENTITY a "aaaa">]><image w="4" h="4">&a;</image>',
            },
            "DOCTYPE",
        ),
    ],
)
def test_bad_files_raise_image_file_error(tmp_path, members, message):
    path = _write_zip(tmp_path / "bad.ora", members)
    with pytest.raises(ImageFileError, match=message):
        read_ora(path)


def test_not_a_zip_and_missing_file(tmp_path):
    text = tmp_path / "notes.ora"
    text.write_text("hello")
    with pytest.raises(ImageFileError, match="not a zip"):
        read_ora(text)
    with pytest.raises(ImageFileError, match="does not exist"):
        read_ora(tmp_path / "absent.ora")


def test_limits_refuse_huge_canvases_layers_and_zip_bombs(tmp_path, ora_file):
    with pytest.raises(ImageFileError, match="limit"):
        read_ora(ora_file, max_pixels=1000)  # the 60x40 canvas is 2400 px
    big_layer = _png(np.zeros((50, 50, 4), np.uint8), "RGBA")
    stack = b'<image w="10" h="10"><stack><layer name="big" src="data/a.png"/></stack></image>'
    path = _write_zip(tmp_path / "layer.ora", {"stack.xml": stack, "data/a.png": big_layer})
    with pytest.raises(ImageFileError, match="big"):
        read_ora(path, max_pixels=1000)
    # A member that inflates far beyond what a 1000-pixel layer can need: a zip bomb.
    bomb = _write_zip(tmp_path / "bomb.ora", {"stack.xml": stack, "data/a.png": bytes(4 << 20)})
    assert bomb.stat().st_size < 100_000
    with pytest.raises(ImageFileError, match="zip bomb"):
        read_ora(bomb, max_pixels=1000)


def test_a_failed_write_leaves_the_old_file_intact(tmp_path, ora_file, monkeypatch):
    before = ora_file.read_bytes()
    other = [OraLayer("new", np.zeros((40, 60, 4), np.uint8))]

    def disk_full(*args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr("editor.fileio.ora._png_bytes", disk_full)
    with pytest.raises(ImageFileError, match="No space left"):
        write_ora(ora_file, 60, 40, other, _merged())
    assert ora_file.read_bytes() == before
    assert sorted(p.name for p in ora_file.parent.iterdir()) == ["doc.ora"]  # no temp left
    monkeypatch.undo()

    def read_only(*args, **kwargs):
        raise OSError(errno.EROFS, os.strerror(errno.EROFS))

    monkeypatch.setattr(os, "replace", read_only)
    with pytest.raises(ImageFileError, match="Read-only"):
        write_ora(ora_file, 60, 40, other, _merged())
    monkeypatch.undo()
    assert ora_file.read_bytes() == before
    assert sorted(p.name for p in ora_file.parent.iterdir()) == ["doc.ora"]
    assert read_ora(ora_file).layers[0].name == "Background"


def test_a_read_only_folder_refuses_the_write(tmp_path, ora_file):
    if os.name != "posix" or os.geteuid() == 0:
        pytest.skip("permission bits do not stop root (or this OS) from writing")
    before = ora_file.read_bytes()
    ora_file.parent.chmod(0o555)
    try:
        with pytest.raises(ImageFileError, match="Permission denied"):
            write_ora(ora_file, 60, 40, _layers(), _merged())
    finally:
        ora_file.parent.chmod(0o755)
    assert ora_file.read_bytes() == before


def test_bad_arguments_are_programming_errors(tmp_path):
    merged = _merged()
    with pytest.raises(ValueError, match="blend mode"):
        write_ora(
            tmp_path / "x.ora", 60, 40, [OraLayer("a", merged, blend_mode="dissolve")], merged
        )
    with pytest.raises(ValueError, match="merged"):
        write_ora(tmp_path / "x.ora", 61, 40, [], merged)
    assert not (tmp_path / "x.ora").exists()
