"""Every blend mode against the W3C Compositing spec's formulas, written here per pixel in
plain Python (independent of the vectorised code), and through OpenRaster. (Krita's own
flattening of every mode is compared in tests/test_interop.py.)"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
import zipfile

import numpy as np
import pytest

from editor.core.blend import BLEND_MODES, blend_label
from editor.core.pixels import over
from editor.fileio.ora import OraLayer, read_ora, write_ora

# -- the spec's formulas, one channel or one colour at a time


def _hard_light(b: float, s: float) -> float:
    return b * 2 * s if s <= 0.5 else b + (2 * s - 1) - b * (2 * s - 1)


def _soft_light(b: float, s: float) -> float:
    if s <= 0.5:
        return b - (1 - 2 * s) * b * (1 - b)
    d = ((16 * b - 12) * b + 4) * b if b <= 0.25 else math.sqrt(b)
    return b + (2 * s - 1) * (d - b)


def _dodge(b: float, s: float) -> float:
    if b == 0:
        return 0.0
    if s == 1:
        return 1.0
    return min(1.0, b / (1 - s))


def _burn(b: float, s: float) -> float:
    if b == 1:
        return 1.0
    if s == 0:
        return 0.0
    return 1 - min(1.0, (1 - b) / s)


SEPARABLE = {
    "normal": lambda b, s: s,
    "multiply": lambda b, s: b * s,
    "screen": lambda b, s: b + s - b * s,
    "overlay": lambda b, s: _hard_light(s, b),
    "darken": min,
    "lighten": max,
    "color-dodge": _dodge,
    "color-burn": _burn,
    "hard-light": _hard_light,
    "soft-light": _soft_light,
    "difference": lambda b, s: abs(b - s),
    "exclusion": lambda b, s: b + s - 2 * b * s,
}


def _lum(c):
    return 0.3 * c[0] + 0.59 * c[1] + 0.11 * c[2]


def _clip(c):
    lum, n, x = _lum(c), min(c), max(c)
    if n < 0:
        c = [lum + (v - lum) * lum / (lum - n) for v in c]
    if x > 1:
        c = [lum + (v - lum) * (1 - lum) / (x - lum) for v in c]
    return c


def _set_lum(c, lum):
    d = lum - _lum(c)
    return _clip([v + d for v in c])


def _sat(c):
    return max(c) - min(c)


def _set_sat(c, s):
    order = sorted(range(3), key=lambda i: c[i])
    low, mid, high = order
    out = [0.0, 0.0, 0.0]
    if c[high] > c[low]:
        out[mid] = (c[mid] - c[low]) * s / (c[high] - c[low])
        out[high] = s
    return out


NON_SEPARABLE = {
    "hue": lambda b, s: _set_lum(_set_sat(s, _sat(b)), _lum(b)),
    "saturation": lambda b, s: _set_lum(_set_sat(b, _sat(s)), _lum(b)),
    "color": lambda b, s: _set_lum(s, _lum(b)),
    "luminosity": lambda b, s: _set_lum(b, _lum(s)),
}


def reference(mode: str, backdrop, source) -> list[float]:
    b, s = [v / 255 for v in backdrop], [v / 255 for v in source]
    if mode in SEPARABLE:
        return [SEPARABLE[mode](bv, sv) for bv, sv in zip(b, s, strict=True)]
    return NON_SEPARABLE[mode](b, s)


def _pairs() -> tuple[np.ndarray, np.ndarray]:
    """Random colours plus the edge cases the formulas branch on (0, 0.5, 1, greys)."""
    rng = np.random.default_rng(7)
    edges = [0, 1, 64, 127, 128, 200, 254, 255]
    grid = np.array([(a, b) for a in edges for b in edges], np.uint8)
    backdrop = np.concatenate([rng.integers(0, 256, (200, 3)), np.repeat(grid[:, :1], 3, 1)])
    source = np.concatenate([rng.integers(0, 256, (200, 3)), np.repeat(grid[:, 1:], 3, 1)])
    return backdrop.astype(np.uint8), source.astype(np.uint8)


def _rgba(rgb: np.ndarray, alpha: int = 255) -> np.ndarray:
    out = np.empty((1, len(rgb), 4), np.uint8)
    out[0, :, :3] = rgb
    out[0, :, 3] = alpha
    return out


def test_every_usual_mode_is_offered():
    expected = set(SEPARABLE) | set(NON_SEPARABLE)
    assert set(BLEND_MODES) == expected
    assert blend_label("color-dodge") == "Color dodge"


@pytest.mark.parametrize("mode", BLEND_MODES)
def test_opaque_layers_blend_by_the_spec_formula(mode):
    backdrop, source = _pairs()
    out = over(_rgba(backdrop), _rgba(source), 1.0, mode)[0]
    expected = np.array(
        [reference(mode, b.tolist(), s.tolist()) for b, s in zip(backdrop, source, strict=True)]
    )
    expected = np.clip(np.round(np.clip(expected, 0, 1) * 255), 0, 255)
    assert np.abs(out[:, :3].astype(int) - expected).max() <= 1
    assert (out[:, 3] == 255).all()


@pytest.mark.parametrize("mode", BLEND_MODES)
def test_opacity_and_a_transparent_backdrop_follow_the_spec(mode):
    backdrop, source = _pairs()
    # Half opacity over an opaque backdrop: a plain mix of the backdrop and B(Cb, Cs).
    half = over(_rgba(backdrop), _rgba(source), 0.5, mode)[0, :, :3].astype(float)
    for index in range(0, len(backdrop), 17):
        b, s = backdrop[index].tolist(), source[index].tolist()
        mixed = [0.5 * bv / 255 + 0.5 * min(max(r, 0), 1) for bv, r in
                 zip(b, reference(mode, b, s), strict=True)]  # fmt: skip
        assert np.abs(half[index] / 255 - mixed).max() <= 1.5 / 255
    # Where the backdrop is transparent the source shows unchanged, whatever the mode.
    alone = over(_rgba(backdrop, 0), _rgba(source), 1.0, mode)[0]
    assert np.array_equal(alone[:, :3], source)


def test_an_unknown_mode_is_refused():
    with pytest.raises(ValueError, match="unknown blend mode"):
        over(_rgba(np.zeros((1, 3), np.uint8)), _rgba(np.zeros((1, 3), np.uint8)), 1.0, "dissolve")


def test_openraster_reads_and_writes_every_mode_by_its_svg_name(tmp_path):
    pixels = np.full((4, 4, 4), 128, np.uint8)
    layers = [OraLayer(mode, pixels.copy(), blend_mode=mode) for mode in BLEND_MODES]
    path = tmp_path / "modes.ora"
    write_ora(path, 4, 4, layers, pixels)
    with zipfile.ZipFile(path) as archive:
        stack = ET.fromstring(archive.read("stack.xml"))
    ops = {element.get("name"): element.get("composite-op") for element in stack.iter("layer")}
    assert ops["normal"] == "svg:src-over"
    assert ops["color-dodge"] == "svg:color-dodge" and ops["luminosity"] == "svg:luminosity"
    assert ops["soft-light"] == "svg:soft-light" and ops["hue"] == "svg:hue"
    assert ops["exclusion"] == "krita:exclusion"  # not in the spec; what Krita reads and writes
    image = read_ora(path)
    assert [layer.blend_mode for layer in image.layers] == list(BLEND_MODES)
    assert not image.notices


def test_exclusion_by_its_svg_name_reads_too(tmp_path):
    pixels = np.full((4, 4, 4), 128, np.uint8)
    path = tmp_path / "x.ora"
    write_ora(path, 4, 4, [OraLayer("x", pixels, blend_mode="exclusion")], pixels)
    with zipfile.ZipFile(path) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    members["stack.xml"] = members["stack.xml"].replace(b"krita:exclusion", b"svg:exclusion")
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    assert read_ora(path).layers[0].blend_mode == "exclusion"
