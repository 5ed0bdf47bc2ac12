"""The Mask in OpenRaster: hidden for other programs (which would paint it over the image),
its overlay visibility kept for Retouch, and read back as the mask, also after GIMP or Krita
save it again without Retouch's attributes."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
import zipfile

import numpy as np
import pytest
from PIL import Image

from editor.fileio.ora import OraLayer, read_ora, write_ora


def _mask() -> np.ndarray:
    mask = np.zeros((20, 30), np.uint8)
    mask[4:12, 6:20] = 255
    mask[12, 6:20] = 90  # a soft edge
    return mask


def _background() -> np.ndarray:
    pixels = np.zeros((20, 30, 4), np.uint8)
    pixels[..., 1] = 120
    pixels[..., 3] = 255
    return pixels


def _stack(path) -> list[ET.Element]:
    with zipfile.ZipFile(path) as archive:
        return list(ET.fromstring(archive.read("stack.xml")).iter("layer"))


@pytest.mark.parametrize("overlay_shown", [True, False])
def test_the_mask_is_hidden_elsewhere_and_keeps_its_overlay_state_here(tmp_path, overlay_shown):
    path = tmp_path / "doc.ora"
    layers = [OraLayer("Background", _background()),
              OraLayer("Mask", _mask(), kind="mask", visible=overlay_shown)]  # fmt: skip
    write_ora(path, 30, 20, layers, _background())
    mask_element = next(e for e in _stack(path) if e.get("name") == "Mask")
    assert mask_element.get("visibility") == "hidden"
    back = read_ora(path).layers
    assert [layer.kind for layer in back] == ["image", "mask"]
    assert back[1].visible is overlay_shown and np.array_equal(back[1].pixels, _mask())


def _zero_transparent_colour(png: bytes) -> bytes:
    image = np.array(Image.open(io.BytesIO(png)))
    if image.ndim == 3 and image.shape[2] == 4:
        image[image[..., 3] == 0, :3] = 0
    stream = io.BytesIO()
    Image.fromarray(image).save(stream, format="PNG")
    return stream.getvalue()


def _as_another_program_saves_it(path, tmp_path):
    """Rewrite stack.xml without Retouch's namespace (as GIMP and Krita do) and, like GIMP's
    PNG export, zero the colour of fully transparent pixels."""
    out = tmp_path / "resaved.ora"
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "stack.xml":
                data = data.replace(b' retouch:kind="mask"', b"").replace(
                    b' retouch:visible="true"', b"")  # fmt: skip
            elif info.filename.startswith("data/"):
                data = _zero_transparent_colour(data)
            dst.writestr(info, data)
    return out


def test_a_mask_saved_again_by_another_program_reads_back_as_the_mask(tmp_path):
    path = tmp_path / "doc.ora"
    write_ora(path, 30, 20, [OraLayer("Background", _background()),
                             OraLayer("Mask", _mask(), kind="mask")], _background())  # fmt: skip
    resaved = _as_another_program_saves_it(path, tmp_path)
    assert b"retouch:kind" not in zipfile.ZipFile(resaved).read("stack.xml")
    back = read_ora(resaved).layers
    assert back[1].kind == "mask" and np.array_equal(back[1].pixels, _mask())


def test_other_hidden_layers_named_mask_stay_image_layers(tmp_path):
    painted = _background()
    path = tmp_path / "other.ora"
    write_ora(path, 30, 20, [OraLayer("Background", _background()),
                             OraLayer("Mask", painted, visible=False)], _background())  # fmt: skip
    back = read_ora(path).layers
    assert back[1].kind == "image" and not back[1].visible
