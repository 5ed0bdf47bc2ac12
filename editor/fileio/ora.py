"""OpenRaster (.ora) read and write on a neutral layer description (no Document, no Qt).

The file is a zip archive (OpenRaster 0.0.5 baseline):
- `mimetype` first, stored uncompressed, containing exactly "image/openraster";
- `stack.xml`: <image w h version><stack><layer .../>...</stack></image>, the FIRST child of a
  stack being the TOPMOST layer;
- one PNG per layer under `data/`, placed at the layer's (x, y) and possibly larger than or
  outside the canvas;
- `mergedimage.png` (the full-size composite) and `Thumbnails/thumbnail.png` (at most 256 px).

Blend modes map to the spec's composite-op names; layer locks use the spec's `edit-locked`
attribute. Retouch's own layer kind (image/mask/result/sketch) is kept in a namespaced
attribute other applications ignore. Mask layers (HxW uint8) are stored as white pixels whose
alpha is the mask, so they round-trip exactly, and always hidden, so GIMP and Krita do not paint
them over the image; Retouch's own visibility of the mask overlay is kept in a namespaced
attribute. A hidden, all-white layer named "Mask" (how GIMP writes ours back, without our
attributes) reads back as the mask. Colorize's colour hints are a layer of kind "hints" whose
points are a namespaced attribute (`retouch:hints`, JSON [[x, y, "#rrggbb"], ...]) and whose
pixels are the hints drawn as dots, cropped to them; hidden like the mask, so other programs
show nothing. Each dot's centre pixel is fully opaque and the rest of it alpha 254, so a hidden
layer named "Colour hints" holding only such pixels (how Krita writes ours back, without our
attributes) reads back as the hints.
"""

from __future__ import annotations

import io
import json
import lzma
import math
import os
import time
import xml.etree.ElementTree as ET
import zipfile
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image

from editor.core.blend import BLEND_MODES
from editor.fileio.atomic import atomic_write
from editor.fileio.errors import ImageFileError, opening_error
from editor.fileio.load import (
    DECODE_ERRORS,
    DEFAULT_MAX_PIXELS,
    _to_rgba,
    above_limit,
    open_image,
    pixel_limit,
)
from editor.fileio.regular import open_regular

MIMETYPE = "image/openraster"
SUFFIX = ".ora"
SPEC_VERSION = "0.0.5"
THUMBNAIL_MAX = 256
STACK_XML_MAX_BYTES = 16 * 1024 * 1024
MAX_LAYERS = 1000
MAX_DEPTH = 64  # nested stacks (layer groups)
# Decoded pixels over all layers, as a multiple of the per-image limit (the bomb limit).
TOTAL_PIXELS_FACTOR = 4
# A layer's PNG never needs more bytes than its raw RGBA pixels (plus headers): anything
# larger is padding meant to inflate. All members together get TOTAL_PIXELS_FACTOR times that.
PNG_BYTES_PER_PIXEL = 4
PNG_OVERHEAD_BYTES = 1 << 20
# Zip compressions Python reads; anything else (PPMd, ...) or encryption is refused up front.
READABLE_COMPRESSIONS = (
    zipfile.ZIP_STORED,
    zipfile.ZIP_DEFLATED,
    zipfile.ZIP_BZIP2,
    zipfile.ZIP_LZMA,
)
# What reading a damaged or hostile archive raises (a bit flip in a deflate stream, ...).
ARCHIVE_ERRORS = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    zlib.error,
    lzma.LZMAError,
    *DECODE_ERRORS,
)
COORDINATE_LIMIT = 1 << 30  # positions beyond this are nonsense (and overflow numpy indexing)

RETOUCH_NS = "urn:retouch:openraster:1"
_KIND_ATTR = f"{{{RETOUCH_NS}}}kind"
_OVERLAY_VISIBLE_ATTR = f"{{{RETOUCH_NS}}}visible"  # the mask's or hints' own visibility
_HINTS_ATTR = f"{{{RETOUCH_NS}}}hints"
MASK_NAME = "Mask"
HINTS_NAME = "Colour hints"
LAYER_KINDS = ("image", "mask", "result", "sketch", "hints")
OVERLAY_KINDS = ("mask", "hints")  # drawn over the image by Retouch, hidden in other programs
MAX_HINTS = 10_000
HINT_DOT_RADIUS = 4  # px of the dots a hint layer's pixels show

# OpenRaster's composite-op names: "svg:" + the W3C name, but normal is "svg:src-over", and
# the spec has no exclusion: Krita writes and reads "krita:exclusion" (it ignores "svg:...").
_OTHER_NAMES = {"normal": "svg:src-over", "exclusion": "krita:exclusion"}
BLEND_TO_OP = {mode: _OTHER_NAMES.get(mode, f"svg:{mode}") for mode in BLEND_MODES}
OP_TO_BLEND = {op: mode for mode, op in BLEND_TO_OP.items()} | {"svg:exclusion": "exclusion"}


@dataclass(eq=False)
class OraLayer:
    """One layer as stored in a file.

    `pixels`: HxWx4 RGBA uint8, straight alpha, sRGB; for kind == "mask", an HxW uint8 mask
    (255 = selected / hole). (x, y): the top-left corner in canvas pixels (may be negative).
    `opacity` in [0, 1]; `blend_mode` one of BLEND_TO_OP's keys.
    """

    name: str
    pixels: np.ndarray
    x: int = 0
    y: int = 0
    opacity: float = 1.0
    visible: bool = True
    blend_mode: str = "normal"
    locked: bool = False
    kind: str = "image"
    selected: bool = False
    hints: tuple = ()  # kind "hints": (x, y, (r, g, b)) points in canvas pixels


@dataclass
class OraImage:
    """What read_ora returns: canvas size, layers bottom to top, and notices for the user."""

    width: int
    height: int
    layers: list[OraLayer]
    notices: list[str] = field(default_factory=list)


def is_openraster(path: str | os.PathLike[str]) -> bool:
    """Whether `path` names an OpenRaster file (by its extension, as every editor does)."""
    return Path(path).suffix.lower() == SUFFIX


# ---------------------------------------------------------------- writing


def mask_to_rgba(mask: np.ndarray) -> np.ndarray:
    """HxW uint8 mask -> HxWx4 RGBA uint8: white, alpha = mask (how masks are stored)."""
    out = np.empty((*mask.shape, 4), np.uint8)
    out[..., :3] = 255
    out[..., 3] = mask
    return out


def hint_dots(points, width: int, height: int) -> tuple[np.ndarray, int, int]:
    """The pixels a hint layer is stored with: each hint a dot of its colour (alpha 254, its
    centre pixel 255), cropped to the dots (RGBA uint8, and its x, y on the canvas); a 1x1
    transparent pixel when empty."""
    inside = [(x, y, rgb) for x, y, rgb in points if 0 <= x < width and 0 <= y < height]
    if not inside:
        return np.zeros((1, 1, 4), np.uint8), 0, 0
    r = HINT_DOT_RADIUS
    left = max(0, min(x for x, _, _ in inside) - r)
    top = max(0, min(y for _, y, _ in inside) - r)
    right = min(width, max(x for x, _, _ in inside) + r + 1)
    bottom = min(height, max(y for _, y, _ in inside) + r + 1)
    out = np.zeros((bottom - top, right - left, 4), np.uint8)
    ys, xs = np.mgrid[-r : r + 1, -r : r + 1]
    disc = xs * xs + ys * ys <= r * r
    for x, y, rgb in inside:
        rows, cols = ys[disc] + y - top, xs[disc] + x - left
        keep = (rows >= 0) & (rows < out.shape[0]) & (cols >= 0) & (cols < out.shape[1])
        out[rows[keep], cols[keep]] = (*rgb, 254)
    for x, y, rgb in inside:  # centres last: a nearby dot never hides one
        out[y - top, x - left] = (*rgb, 255)
    return out, left, top


def _hints_from_dots(pixels: np.ndarray, x: int, y: int) -> tuple:
    """The hints of a hint layer's pixels (their dots' centres), top to bottom."""
    rows, cols = np.nonzero(pixels[..., 3] == 255)
    return tuple(
        (int(col) + x, int(row) + y, tuple(int(v) for v in pixels[row, col, :3]))
        for row, col in zip(rows[:MAX_HINTS], cols[:MAX_HINTS], strict=True)
    )


def _hints_text(points) -> str:
    return json.dumps(
        [[int(x), int(y), "#{:02x}{:02x}{:02x}".format(*rgb)] for x, y, rgb in points],
        separators=(",", ":"),
    )


def _parse_hints(text: str) -> tuple:
    """The points of a `retouch:hints` attribute; ValueError when it is not that."""
    try:
        items = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as error:
        raise ValueError(str(error)) from error
    if not isinstance(items, list) or len(items) > MAX_HINTS:
        raise ValueError("not a list of at most 10,000 hints")
    points = []
    for item in items:
        if not (isinstance(item, list) and len(item) == 3 and isinstance(item[2], str)):
            raise ValueError(f'{str(item)[:40]} is not [x, y, "#rrggbb"]')
        x, y, colour = item
        if not all(isinstance(v, int | float) and math.isfinite(v) for v in (x, y)):
            raise ValueError(f"{str(item)[:40]} has a bad position")
        if len(colour) != 7 or colour[0] != "#":
            raise ValueError(f"{colour[:20]!r} is not a #rrggbb colour")
        rgb = tuple(int(colour[i : i + 2], 16) for i in (1, 3, 5))  # ValueError if not hex
        points.append((_int(str(x)), _int(str(y)), rgb))
    return tuple(points)


def _png_bytes(rgba: np.ndarray, compress_level: int) -> bytes:
    stream = io.BytesIO()
    if bool((rgba[..., 3] == 255).all()):
        image = Image.fromarray(np.ascontiguousarray(rgba[..., :3]), "RGB")  # a quarter less
    else:
        image = Image.fromarray(np.ascontiguousarray(rgba), "RGBA")
    image.save(stream, format="PNG", compress_level=compress_level)
    return stream.getvalue()


def _layer_rgba(layer: OraLayer) -> np.ndarray:
    pixels = layer.pixels
    if layer.kind == "mask" and pixels.ndim == 2:
        pixels = mask_to_rgba(pixels)
    if pixels.dtype != np.uint8 or pixels.ndim != 3 or pixels.shape[2] != 4:
        raise ValueError(f"layer {layer.name!r}: expected HxWx4 uint8, got {pixels.shape}")
    if pixels.shape[0] == 0 or pixels.shape[1] == 0:
        raise ValueError(f"layer {layer.name!r} is empty ({pixels.shape[1]}x{pixels.shape[0]})")
    return pixels


def thumbnail(merged: np.ndarray, max_side: int = THUMBNAIL_MAX) -> np.ndarray:
    """RGBA uint8 copy of `merged` scaled down (never up) to fit max_side x max_side."""
    height, width = merged.shape[:2]
    scale = min(1.0, max_side / max(width, height))
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    image = Image.fromarray(np.ascontiguousarray(merged), "RGBA")
    if size != (width, height):
        image = image.resize(size, Image.Resampling.LANCZOS, reducing_gap=2.0)
    return np.asarray(image)


def _bool(value: bool) -> str:
    return "true" if value else "false"


def _stack_xml(width: int, height: int, layers: Sequence[OraLayer], sources: list[str]) -> bytes:
    ET.register_namespace("retouch", RETOUCH_NS)
    image = ET.Element("image", {"version": SPEC_VERSION, "w": str(width), "h": str(height)})
    stack = ET.SubElement(image, "stack")
    # The spec lists the topmost layer first.
    for layer, src in reversed(list(zip(layers, sources, strict=True))):
        attributes = {
            "name": layer.name,
            "src": src,
            "x": str(int(layer.x)),
            "y": str(int(layer.y)),
            "opacity": f"{min(max(float(layer.opacity), 0.0), 1.0):.6g}",
            # Other programs would paint the mask (or the hints' dots) over the image: they
            # are always hidden there.
            "visibility": "visible"
            if layer.visible and layer.kind not in OVERLAY_KINDS
            else "hidden",
            "composite-op": BLEND_TO_OP[layer.blend_mode],
            "edit-locked": _bool(layer.locked),
        }
        if layer.selected:
            attributes["selected"] = "true"
        if layer.kind != "image":
            attributes[_KIND_ATTR] = layer.kind
        if layer.kind in OVERLAY_KINDS:
            attributes[_OVERLAY_VISIBLE_ATTR] = _bool(layer.visible)
        if layer.kind == "hints":
            attributes[_HINTS_ATTR] = _hints_text(layer.hints)
        ET.SubElement(stack, "layer", attributes)
    return ET.tostring(image, encoding="UTF-8", xml_declaration=True)


def write_ora(
    path: str | os.PathLike[str],
    width: int,
    height: int,
    layers: Sequence[OraLayer],
    merged_rgba: np.ndarray,
    compress_level: int = 6,
) -> None:
    """Write an OpenRaster file atomically (temp file + rename: a failure leaves the old file).

    `layers` bottom to top; `merged_rgba` the HxWx4 RGBA uint8 composite of the canvas
    (height x width). `compress_level` 0-9 for the PNGs (autosave uses a fast 1).
    Raises ImageFileError when the file cannot be written, ValueError on bad arguments.
    """
    path = Path(path)
    if width <= 0 or height <= 0:
        raise ValueError(f"canvas must not be empty, got {width}x{height}")
    if merged_rgba.shape != (height, width, 4) or merged_rgba.dtype != np.uint8:
        raise ValueError(f"merged image must be {height}x{width}x4 uint8, got {merged_rgba.shape}")
    for layer in layers:
        if layer.blend_mode not in BLEND_TO_OP:
            raise ValueError(f"layer {layer.name!r}: unknown blend mode {layer.blend_mode!r}")
    sources = [f"data/layer{index:03d}.png" for index in range(len(layers))]
    stamp = time.localtime()[:6]

    def member(name: str, compress: int) -> zipfile.ZipInfo:
        info = zipfile.ZipInfo(name, date_time=stamp)
        info.compress_type = compress
        return info

    with atomic_write(path) as stream, zipfile.ZipFile(stream, "w") as archive:
        # First member, uncompressed, no extra field: lets `file` and apps sniff the type.
        archive.writestr(member("mimetype", zipfile.ZIP_STORED), MIMETYPE.encode("ascii"))
        archive.writestr(
            member("stack.xml", zipfile.ZIP_DEFLATED), _stack_xml(width, height, layers, sources)
        )
        # PNGs are already compressed: store them.
        for layer, src in zip(layers, sources, strict=True):
            png = _png_bytes(_layer_rgba(layer), compress_level)
            archive.writestr(member(src, zipfile.ZIP_STORED), png)
        archive.writestr(
            member("mergedimage.png", zipfile.ZIP_STORED), _png_bytes(merged_rgba, compress_level)
        )
        archive.writestr(
            member("Thumbnails/thumbnail.png", zipfile.ZIP_STORED),
            _png_bytes(thumbnail(merged_rgba), compress_level),
        )


# ---------------------------------------------------------------- reading


class _Reader:
    """One read of one file: limits, notices, and error messages naming the file."""

    def __init__(
        self,
        path: Path,
        archive: zipfile.ZipFile,
        max_pixels: int,
        progress: Callable[[float], None] | None = None,
    ) -> None:
        self.path, self.archive, self.max_pixels = path, archive, max_pixels
        self.progress = progress
        self.layers_total = 1
        self.notices: list[str] = []
        self.total_pixels = 0
        self.names = set(archive.namelist())  # once: a file may hold 100k members
        self.member_limit = PNG_BYTES_PER_PIXEL * max_pixels + PNG_OVERHEAD_BYTES
        self.bytes_left = TOTAL_PIXELS_FACTOR * self.member_limit

    def fail(self, message: str) -> ImageFileError:
        return ImageFileError(f"{self.path.name}: {message}")

    def notice(self, text: str) -> None:
        if text not in self.notices:
            self.notices.append(text)

    def read_member(self, name: str, limit: int) -> bytes:
        try:
            info = self.archive.getinfo(name)
        except KeyError:
            raise self.fail(f"{name} is missing from the file.") from None
        if info.flag_bits & 0x1:
            raise self.fail(f"{name} is encrypted; Retouch cannot read it.")
        if info.compress_type not in READABLE_COMPRESSIONS:
            raise self.fail(
                f"{name} uses a zip compression Retouch cannot read (method {info.compress_type})."
            )
        if info.file_size > limit:
            raise self.fail(
                f"{name} unpacks to {info.file_size / 1e6:.0f} MB, above the safety limit "
                f"({limit / 1e6:.0f} MB); the file may be a zip bomb."
            )
        if info.file_size > self.bytes_left:
            raise self.fail(
                "the layers unpack to more than "
                f"{TOTAL_PIXELS_FACTOR * self.member_limit / 1e6:.0f} MB in all, above the "
                "safety limit; the file may be a zip bomb."
            )
        self.bytes_left -= info.file_size
        return self.archive.read(info)

    def check_mimetype(self) -> None:
        if "mimetype" not in self.names:
            self.notice("The file has no 'mimetype' entry; read it as OpenRaster anyway.")
            return
        value = self.read_member("mimetype", 1024).decode("ascii", "replace").strip()
        if value != MIMETYPE:
            self.notice(f"The file says it is '{value}'; read it as OpenRaster anyway.")

    def parse_stack(self) -> ET.Element:
        if "stack.xml" not in self.names:
            raise self.fail("not an OpenRaster file (stack.xml is missing).")
        data = self.read_member("stack.xml", STACK_XML_MAX_BYTES)
        if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
            raise self.fail("stack.xml declares a DOCTYPE or entities, which are not allowed.")
        try:
            root = ET.fromstring(data)
        except ET.ParseError as error:
            raise self.fail(f"stack.xml is damaged ({error}).") from error
        if root.tag != "image":
            raise self.fail(f"stack.xml starts with <{root.tag}>, not <image>.")
        return root

    def layer_pixels(self, src: str, layer_name: str) -> np.ndarray:
        # Some writers put a leading "/" in src or in the member names, not both.
        candidates = (src, src.lstrip("/"), "/" + src.lstrip("/"))
        member = next((name for name in candidates if name in self.names), None)
        if member is None:
            raise self.fail(f"layer '{layer_name}' refers to {src}, which is missing.")
        data = self.read_member(member, self.member_limit)
        label = f"{self.path.name}: layer '{layer_name}'"
        try:
            with (
                pixel_limit(self.max_pixels),
                open_image(io.BytesIO(data), label, self.max_pixels) as image,
            ):
                width, height = image.size
                self.total_pixels += width * height
                budget = TOTAL_PIXELS_FACTOR * self.max_pixels
                if self.total_pixels > budget:
                    raise self.fail(
                        f"the layers hold more than {budget / 1e6:.0f} MP in all, "
                        "above the safety limit."
                    )
                image.load()
                notices: list[str] = []
                pixels = _to_rgba(image, notices)
        except ImageFileError:
            raise
        except Image.DecompressionBombError as error:
            raise self.fail(f"layer '{layer_name}' is too large to open safely.") from error
        except MemoryError as error:
            raise self.fail(f"not enough memory for layer '{layer_name}'.") from error
        except DECODE_ERRORS as error:
            raise self.fail(f"the image of layer '{layer_name}' is damaged: {error}") from error
        for text in notices:
            self.notice(f"Layer '{layer_name}': {text}")
        return pixels


def _float(value: str | None, default: float) -> float:
    """A finite number from an attribute; ValueError for text, NaN or infinity."""
    if value is None:
        return default
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(f"{value!r} is not a finite number")
    return number


def _int(value: str | None, default: int = 0) -> int:
    """A whole number of pixels; ValueError beyond ±COORDINATE_LIMIT."""
    if value is None:
        return default
    number = _float(value, default)
    if abs(number) > COORDINATE_LIMIT:
        raise ValueError(f"{value!r} is out of range")
    return int(round(number))


def _true(value: str | None) -> bool:
    return value is not None and value.strip().lower() in ("true", "1")


@dataclass
class _Inherited:
    """What a nested stack passes down to the layers it holds (flattened on read).

    Layer x, y are canvas coordinates at any depth (as GIMP, Krita and MyPaint read and
    write them), so a stack's own x, y are not added.
    """

    opacity: float = 1.0
    visible: bool = True


def _walk(
    reader: _Reader, stack: ET.Element, inherited: _Inherited, out: list[OraLayer], depth: int = 0
):
    """Append the stack's layers to `out`, top first, flattening nested stacks."""
    if depth > MAX_DEPTH:
        raise reader.fail(f"layer groups are nested more than {MAX_DEPTH} deep.")
    layer_count = sum(1 for element in stack.iter("layer"))  # before decoding any pixels
    if len(out) + layer_count > MAX_LAYERS:
        raise reader.fail(f"more than {MAX_LAYERS} layers.")
    for element in stack:
        if element.tag == "stack":
            reader.notice("Layer groups were flattened into a plain list of layers.")
            if element.get("composite-op", "svg:src-over") != "svg:src-over":
                reader.notice("Blend modes of layer groups are not supported; groups are normal.")
            try:
                opacity = _float(element.get("opacity"), 1.0)
            except ValueError as error:
                raise reader.fail(f"a layer group has a bad opacity ({error}).") from error
            child = _Inherited(
                inherited.opacity * opacity,
                inherited.visible and element.get("visibility", "visible") != "hidden",
            )
            _walk(reader, element, child, out, depth + 1)
        elif element.tag == "layer":
            out.append(_read_layer(reader, element, inherited, len(out)))
            if reader.progress is not None:
                reader.progress(len(out) / reader.layers_total)
        else:
            reader.notice(f"Skipped <{element.tag}> elements Retouch does not support.")
        if len(out) > MAX_LAYERS:
            raise reader.fail(f"more than {MAX_LAYERS} layers.")


def _read_layer(reader: _Reader, element: ET.Element, inherited: _Inherited, index: int):
    name = element.get("name") or f"Layer {index + 1}"
    src = element.get("src")
    if not src:
        raise reader.fail(f"layer '{name}' has no src attribute.")
    try:
        x, y = _int(element.get("x")), _int(element.get("y"))
        opacity = inherited.opacity * _float(element.get("opacity"), 1.0)
    except ValueError as error:
        raise reader.fail(f"layer '{name}' has a bad position or opacity ({error}).") from error
    op = element.get("composite-op", "svg:src-over")
    blend_mode = OP_TO_BLEND.get(op)
    if blend_mode is None:
        reader.notice(f"The blend mode '{op}' is not supported; those layers use Normal.")
        blend_mode = "normal"
    kind = element.get(_KIND_ATTR, "image")
    if kind not in LAYER_KINDS:
        kind = "image"
    visible = inherited.visible and element.get("visibility", "visible") != "hidden"
    pixels = reader.layer_pixels(src, name)
    if kind == "image" and _is_mask_written_back(element, name, visible, pixels):
        kind = "mask"
    hints: tuple = ()
    if kind == "image" and _are_hints_written_back(element, name, visible, pixels):
        kind, hints = "hints", _hints_from_dots(pixels, x, y)
    if kind == "mask":
        pixels = np.ascontiguousarray(pixels[..., 3])
    if kind in OVERLAY_KINDS:
        visible = element.get(_OVERLAY_VISIBLE_ATTR, "true") != "false"
    if kind == "hints" and _KIND_ATTR in element.attrib:
        try:
            hints = _parse_hints(element.get(_HINTS_ATTR, "[]"))
        except ValueError:
            reader.notice(f"The colour hints of layer '{name}' could not be read; left out.")
    return OraLayer(
        name=name,
        pixels=pixels,
        x=x,
        y=y,
        opacity=min(max(opacity, 0.0), 1.0),
        visible=visible,
        blend_mode=blend_mode,
        locked=_true(element.get("edit-locked")),
        kind=kind,
        selected=_true(element.get("selected")),
        hints=hints,
    )


def _is_mask_written_back(element: ET.Element, name: str, visible: bool, pixels: np.ndarray):
    """Our mask as another program saves it again: no Retouch attributes, but still the
    hidden layer named Mask holding white pixels whose alpha is the mask (programs may drop
    the colour of fully transparent pixels, so only the covered ones must be white)."""
    if _KIND_ATTR in element.attrib or name != MASK_NAME or visible:
        return False
    return bool((pixels[..., :3][pixels[..., 3] > 0] == 255).all())


def _are_hints_written_back(element: ET.Element, name: str, visible: bool, pixels: np.ndarray):
    """Our hint layer as another program saves it again: no Retouch attributes, but still the
    hidden layer named "Colour hints" holding only dots (alpha 254, centres 255)."""
    if _KIND_ATTR in element.attrib or name != HINTS_NAME or visible:
        return False
    alpha = pixels[..., 3]
    return bool(((alpha == 0) | (alpha == 254) | (alpha == 255)).all() and (alpha == 255).any())


def _open_archive(path: Path) -> zipfile.ZipFile:
    stream = open_regular(path)
    try:
        return zipfile.ZipFile(stream)
    except ARCHIVE_ERRORS as error:
        stream.close()
        if isinstance(error, OSError) and not isinstance(error, zipfile.BadZipFile):
            raise opening_error(path, error) from error
        raise ImageFileError(
            f"{path.name} is not an OpenRaster file (not a zip archive)."
        ) from error


def read_ora(
    path: str | os.PathLike[str],
    max_pixels: int = DEFAULT_MAX_PIXELS,
    progress: Callable[[float], None] | None = None,
) -> OraImage:
    """Read an OpenRaster file. Layers come back bottom to top as OraLayer (RGBA uint8, or
    HxW uint8 for Retouch mask layers). Nested stacks are flattened and unknown composite ops
    read as normal, each with a notice. `max_pixels` bounds the canvas and each layer; all
    layers together may hold TOTAL_PIXELS_FACTOR times that. `progress(fraction)` is called
    after each layer (an exception it raises, e.g. a cancel, propagates). Raises
    ImageFileError otherwise.
    """
    path = Path(path)
    with _open_archive(path) as archive:
        reader = _Reader(path, archive, max_pixels, progress)
        try:
            reader.check_mimetype()
            root = reader.parse_stack()
            try:
                width, height = _int(root.get("w"), -1), _int(root.get("h"), -1)
            except ValueError as error:
                raise reader.fail("stack.xml has a bad image size.") from error
            if width <= 0 or height <= 0:
                raise reader.fail("stack.xml has no valid image size (w, h).")
            if width * height > max_pixels:
                raise above_limit(f"{path.name}: the canvas", width, height, max_pixels)
            stack = root.find("stack")
            if stack is None:
                raise reader.fail("stack.xml has no <stack>.")
            top_first: list[OraLayer] = []
            reader.layers_total = max(1, sum(1 for _ in stack.iter("layer")))
            _walk(reader, stack, _Inherited(), top_first)
        except ImageFileError:
            raise
        except MemoryError as error:
            raise reader.fail("not enough memory to open it.") from error
        except ARCHIVE_ERRORS as error:
            # CRC mismatches and truncated members surface here while reading members.
            raise reader.fail(f"the file is damaged ({error}).") from error
    return OraImage(width, height, top_first[::-1], reader.notices)


def read_merged(path: str | os.PathLike[str], max_pixels: int = DEFAULT_MAX_PIXELS) -> np.ndarray:
    """The file's own composite (mergedimage.png) as HxWx4 RGBA uint8, e.g. for previews."""
    path = Path(path)
    with _open_archive(path) as archive:
        reader = _Reader(path, archive, max_pixels)
        try:
            return reader.layer_pixels("mergedimage.png", "merged image")
        except ARCHIVE_ERRORS as error:
            raise reader.fail(f"the file is damaged ({error}).") from error
