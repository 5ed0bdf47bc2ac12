"""OpenRaster files made to hurt the reader: each is refused with a plain ImageFileError
(never another exception) before it costs much time or memory."""

from __future__ import annotations

import io
import struct
import time
import zipfile
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from editor.fileio.errors import ImageFileError
from editor.fileio.ora import MAX_DEPTH, MAX_LAYERS, read_ora


def _png() -> bytes:
    stream = io.BytesIO()
    Image.fromarray(np.full((4, 4, 4), 90, np.uint8), "RGBA").save(stream, "PNG")
    return stream.getvalue()


def _ora(path: Path, stack: str, members: dict[str, bytes] | None = None) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("mimetype", b"image/openraster", zipfile.ZIP_STORED)
        archive.writestr("stack.xml", f'<image w="8" h="8"><stack>{stack}</stack></image>')
        for name, data in (members or {"a.png": _png()}).items():
            archive.writestr(name, data)
    return path


@pytest.mark.parametrize(
    ("attributes", "phrase"),
    [
        ('x="1e400"', "bad position"),
        ('w="1e400"', None),  # an unknown attribute on a layer: ignored
        ('y="-inf"', "bad position"),
        ('opacity="nan"', "bad position or opacity"),
        ('x="99999999999999999999"', "bad position"),
    ],
)
def test_numbers_out_of_range_are_refused_or_ignored(tmp_path, attributes, phrase):
    path = _ora(tmp_path / "n.ora", f'<layer src="a.png" {attributes}/>')
    if phrase is None:
        assert len(read_ora(path).layers) == 1
    else:
        with pytest.raises(ImageFileError, match=phrase):
            read_ora(path)


def test_canvas_size_overflow_is_refused(tmp_path):
    path = tmp_path / "w.ora"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("stack.xml", '<image w="1e400" h="8"><stack/></image>')
    with pytest.raises(ImageFileError, match="image size"):
        read_ora(path)


def test_nan_group_opacity_is_refused(tmp_path):
    path = _ora(tmp_path / "g.ora", '<stack opacity="nan"><layer src="a.png"/></stack>')
    with pytest.raises(ImageFileError, match="opacity"):
        read_ora(path)


def test_deeply_nested_groups_are_refused(tmp_path):
    depth = 5000
    path = _ora(
        tmp_path / "deep.ora", "<stack>" * depth + '<layer src="a.png"/>' + "</stack>" * depth
    )
    with pytest.raises(ImageFileError, match=f"more than {MAX_DEPTH} deep"):
        read_ora(path)


def test_too_many_layers_are_refused_before_decoding(tmp_path):
    layers = '<layer src="a.png"/>' * (MAX_LAYERS + 1)
    path = _ora(tmp_path / "many.ora", layers)
    started = time.perf_counter()
    with pytest.raises(ImageFileError, match=f"more than {MAX_LAYERS} layers"):
        read_ora(path)
    assert time.perf_counter() - started < 2.0


def _patch_central_directory(path: Path, member: str, offset: int, fmt: str, value: int) -> None:
    """Change one field of `member`'s central-directory record (what zipfile trusts)."""
    data = bytearray(path.read_bytes())
    name = member.encode()
    position = data.find(b"PK\x01\x02" + b"\x00" * 0)
    while position != -1:
        name_length = struct.unpack_from("<H", data, position + 28)[0]
        if data[position + 46 : position + 46 + name_length] == name:
            struct.pack_into(fmt, data, position + offset, value)
            path.write_bytes(bytes(data))
            return
        position = data.find(b"PK\x01\x02", position + 4)
    raise AssertionError(f"{member} not found")


@pytest.mark.parametrize(
    ("offset", "value", "phrase"),
    [(10, 98, "compression"), (8, 1, "encrypted")],  # method 98 = PPMd; flag bit 0 = encrypted
)
def test_unreadable_zip_members_are_refused(tmp_path, offset, value, phrase):
    path = _ora(tmp_path / "z.ora", '<layer src="a.png"/>')
    _patch_central_directory(path, "a.png", offset, "<H", value)
    with pytest.raises(ImageFileError, match=phrase):
        read_ora(path)


def test_random_bit_flips_never_raise_anything_else(tmp_path):
    good = _ora(tmp_path / "good.ora", '<layer src="a.png" x="1" opacity="0.5"/>').read_bytes()
    rng = np.random.default_rng(3)
    outcomes = {"opened": 0, "refused": 0}
    for trial in range(200):
        data = bytearray(good)
        position = int(rng.integers(0, len(data)))
        data[position] ^= 1 << int(rng.integers(0, 8))
        path = tmp_path / f"flip{trial}.ora"
        path.write_bytes(bytes(data))
        try:
            read_ora(path)  # anything but ImageFileError fails the test here
            outcomes["opened"] += 1
        except ImageFileError:
            outcomes["refused"] += 1
    assert outcomes["refused"] > 20 and outcomes["opened"] > 20, outcomes


def test_one_inflating_member_read_by_many_layers_is_bounded(tmp_path):
    # 1 MB of zeros after a valid PNG: each read inflates it; the total budget stops the loop.
    bloated = _png() + b"\0" * (1 << 20)
    layers = '<layer src="a.png"/>' * 40
    path = _ora(tmp_path / "bloat.ora", layers, {"a.png": bloated})
    with pytest.raises(ImageFileError, match="in all"):
        read_ora(path, max_pixels=100_000)  # budget: 4 x (4 B/px x 100k px + 1 MiB)
