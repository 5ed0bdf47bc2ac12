"""Hostile and odd image files for bench/hostile.py, made from a seed (nothing downloaded).

Each maker writes one file (or special file) under a folder and returns its path; `make_all`
cycles through every class until `count` files exist. Classes: valid images in odd modes and
every EXIF orientation, truncations, bit flips, foreign formats under image names, declared-size
bombs, 12/16-bit data, OpenRaster tricks (overflowing and NaN numbers, deep nesting, many
layers, zip bombs, encrypted or PPMd members, path traversal, entity expansion) and special
files (FIFO, devices, dangling links, folders).
"""

from __future__ import annotations

import io
import os
import struct
import zipfile
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
from PIL import Image

Maker = Callable[[Path, np.random.Generator, int], Path]

FORMATS = {".png": "PNG", ".jpg": "JPEG", ".webp": "WEBP", ".tif": "TIFF", ".bmp": "BMP"}
FOREIGN = ("ICO", "TGA", "PCX", "SGI", "GIF", "PPM", "DDS", "ICNS", "SPIDER", "MSP")
MODES = ("1", "L", "LA", "P", "RGB", "RGBA", "CMYK", "I;16", "I", "F")


def _image(rng: np.random.Generator, mode: str = "RGB", size: tuple[int, int] | None = None):
    width, height = size or (int(rng.integers(1, 80)), int(rng.integers(1, 80)))
    rgba = rng.integers(0, 256, (height, width, 4), dtype=np.uint8)
    image = Image.fromarray(rgba, "RGBA")
    if mode in ("I;16", "I", "F"):
        top = int(rng.choice([255, 1023, 4095, 16383, 65535]))
        data = rng.integers(0, top + 1, (height, width)).astype(np.uint16)
        image = Image.fromarray(data)
        return image if mode == "I;16" else image.convert(mode)
    return image.convert(mode)


def _encoded(image: Image.Image, fmt: str, **options) -> bytes:
    stream = io.BytesIO()
    image.save(stream, format=fmt, **options)
    return stream.getvalue()


def _valid_bytes(rng: np.random.Generator) -> tuple[str, bytes]:
    """A valid small image in a random format and mode (retrying combinations Pillow lacks)."""
    while True:
        suffix = str(rng.choice(list(FORMATS)))
        mode = str(rng.choice(MODES))
        try:
            return suffix, _encoded(_image(rng, mode), FORMATS[suffix])
        except (OSError, ValueError, KeyError):
            continue


def valid(folder: Path, rng: np.random.Generator, index: int) -> Path:
    suffix, data = _valid_bytes(rng)
    path = folder / f"{index:05d}-valid{suffix}"
    path.write_bytes(data)
    return path


def oriented(folder: Path, rng: np.random.Generator, index: int) -> Path:
    suffix = str(rng.choice([".jpg", ".png", ".webp", ".tif"]))
    image = _image(rng, "RGB")
    exif = image.getexif()
    exif[0x0112] = int(rng.integers(0, 10))  # 0 and 9 are out of the spec's range
    path = folder / f"{index:05d}-orientation{exif[0x0112]}{suffix}"
    path.write_bytes(_encoded(image, FORMATS[suffix], exif=exif.tobytes()))
    return path


def truncated(folder: Path, rng: np.random.Generator, index: int) -> Path:
    suffix, data = _valid_bytes(rng)
    path = folder / f"{index:05d}-truncated{suffix}"
    path.write_bytes(data[: int(rng.integers(0, max(len(data), 1)))])
    return path


def bit_flipped(folder: Path, rng: np.random.Generator, index: int) -> Path:
    suffix, data = _valid_bytes(rng)
    flipped = bytearray(data)
    for _ in range(int(rng.integers(1, 9))):
        position = int(rng.integers(0, len(flipped)))
        flipped[position] ^= 1 << int(rng.integers(0, 8))
    path = folder / f"{index:05d}-flipped{suffix}"
    path.write_bytes(bytes(flipped))
    return path


def disguised(folder: Path, rng: np.random.Generator, index: int) -> Path:
    fmt = str(rng.choice([*FOREIGN, "EPS"]))
    if fmt == "EPS":  # would start Ghostscript if it were opened
        data = b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 10 10\nnewpath showpage\n"
    else:
        mode = {"SPIDER": "F", "MSP": "1", "ICNS": "RGBA"}.get(fmt, "RGB")
        size = (16, 16) if fmt in ("ICNS", "ICO") else None
        try:
            data = _encoded(_image(rng, mode, size), fmt)
        except (OSError, ValueError, KeyError):
            data = _encoded(_image(rng, "RGB"), "TGA")
    path = folder / f"{index:05d}-disguised-{fmt.lower()}.png"
    path.write_bytes(data)
    return path


def _png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def bomb(folder: Path, rng: np.random.Generator, index: int) -> Path:
    """A PNG declaring up to 4 gigapixels (with a tiny or empty IDAT), or a real 1-bit image
    large enough to pass the byte-size checks but not the pixel limit."""
    kind = int(rng.integers(0, 3))
    path = folder / f"{index:05d}-bomb{kind}.png"
    if kind == 2:
        Image.new("1", (int(rng.integers(15_000, 21_000)), 12_000)).save(path)  # ~250 MP
        return path
    side = int(rng.choice([20_000, 65_535, 1_000_000]))
    header = struct.pack(">IIBBBBB", side, side, 8, 6, 0, 0, 0)
    idat = zlib.compress(b"\0" * (1 << 20), 9) if kind else b""
    png = b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header) + _png_chunk(b"IDAT", idat)
    path.write_bytes(png + _png_chunk(b"IEND", b""))
    return path


def deep_bits(folder: Path, rng: np.random.Generator, index: int) -> Path:
    bits = int(rng.choice([10, 12, 14, 16]))
    data = rng.integers(0, 1 << bits, (64, 48)).astype(np.uint16)
    suffix = str(rng.choice([".png", ".tif"]))
    path = folder / f"{index:05d}-{bits}bit{suffix}"
    Image.fromarray(data).save(path)
    return path


# ---------------------------------------------------------------- OpenRaster


LAUGHS = '<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'


def _ora(
    path: Path, stack: str, members: dict[str, bytes], size: str = 'w="8" h="8"', head: str = ""
) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("mimetype", b"image/openraster", zipfile.ZIP_STORED)
        archive.writestr("stack.xml", f"{head}<image {size}><stack>{stack}</stack></image>")
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def _patch_member(path: Path, member: str, offset: int, value: int) -> None:
    """Set a 16-bit field of `member`'s central-directory record (method, flags)."""
    data = bytearray(path.read_bytes())
    position = data.find(b"PK\x01\x02")
    while position != -1:
        length = struct.unpack_from("<H", data, position + 28)[0]
        if data[position + 46 : position + 46 + length] == member.encode():
            struct.pack_into("<H", data, position + offset, value)
        position = data.find(b"PK\x01\x02", position + 4)
    path.write_bytes(bytes(data))


def ora_trick(folder: Path, rng: np.random.Generator, index: int) -> Path:
    png = _encoded(_image(rng, "RGBA", (8, 8)), "PNG")
    one = {"a.png": png}
    layer = '<layer src="a.png"/>'
    tricks: dict[str, Callable[[Path], Path]] = {
        "x-overflow": lambda p: _ora(p, '<layer src="a.png" x="1e400"/>', one),
        "w-overflow": lambda p: _ora(p, layer, one, 'w="1e400" h="8"'),
        "nan-opacity": lambda p: _ora(p, '<layer src="a.png" opacity="nan"/>', one),
        "inf-group": lambda p: _ora(p, f'<stack opacity="inf">{layer}</stack>', one),
        "negative-size": lambda p: _ora(p, layer, one, 'w="-5" h="8"'),
        "deep": lambda p: _ora(p, "<stack>" * 5000 + layer + "</stack>" * 5000, one),
        "many-layers": lambda p: _ora(p, layer * 5000, one),
        "traversal": lambda p: _ora(p, '<layer src="../../../../etc/passwd"/>', one),
        "missing": lambda p: _ora(p, '<layer src="nope.png"/>', one),
        "not-png": lambda p: _ora(p, layer, {"a.png": b"GIF89a" + bytes(40)}),
        "entities": lambda p: _ora(p, '<layer src="a.png" name="&b;"/>', one, head=LAUGHS),
        "zip-bomb": lambda p: _ora(p, layer * 40, {"a.png": png + b"\0" * (64 << 20)}),
        "not-zip": lambda p: _write(p, png),
        "no-stack": lambda p: _write(p, b"PK\x05\x06" + bytes(18)),
    }
    name = str(rng.choice([*tricks, "encrypted", "ppmd", "flipped", "truncated"]))
    path = folder / f"{index:05d}-ora-{name}.ora"
    if name in tricks:
        return tricks[name](path)
    _ora(path, layer + '<layer src="a.png" x="3" opacity="0.5"/>', one)
    if name in ("encrypted", "ppmd"):
        _patch_member(
            path, "a.png", 8 if name == "encrypted" else 10, 1 if name == "encrypted" else 98
        )
    elif name == "flipped":
        data = bytearray(path.read_bytes())
        data[int(rng.integers(0, len(data)))] ^= 1 << int(rng.integers(0, 8))
        path.write_bytes(bytes(data))
    else:
        data = path.read_bytes()
        path.write_bytes(data[: int(rng.integers(0, len(data)))])
    return path


# ---------------------------------------------------------------- special files


def special(folder: Path, rng: np.random.Generator, index: int) -> Path:
    kinds = ["empty", "folder", "dangling"]
    if os.name == "posix":
        kinds += ["fifo", "dev-zero", "dev-urandom"]
    kind = str(rng.choice(kinds))
    path = folder / f"{index:05d}-special-{kind}.png"
    if kind == "empty":
        path.write_bytes(b"")
    elif kind == "folder":
        path.mkdir()
    elif kind == "dangling":
        path.symlink_to(folder / "does-not-exist.png")
    elif kind == "fifo":
        os.mkfifo(path)
    else:
        path.symlink_to("/dev/zero" if kind == "dev-zero" else "/dev/urandom")
    return path


MAKERS: tuple[Maker, ...] = (
    valid, oriented, truncated, bit_flipped, disguised, bomb, deep_bits, ora_trick, special,
)  # fmt: skip
# Relative frequency of each maker (bombs are slow to write, special files are few kinds).
WEIGHTS = (3, 2, 3, 3, 2, 1, 1, 4, 1)


def make_all(folder: Path, count: int, seed: int = 0) -> Iterator[Path]:
    """Write `count` files into `folder`, cycling through the classes by WEIGHTS."""
    rng = np.random.default_rng(seed)
    schedule = [maker for maker, weight in zip(MAKERS, WEIGHTS, strict=True) for _ in range(weight)]
    for index in range(count):
        yield schedule[index % len(schedule)](folder, rng, index)
