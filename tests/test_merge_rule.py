"""One merge rule (editor.core.merge): the editor's Accept and the CLI give the same pixels,
and a pixel the operation left alone stays exactly as it was, semi-transparent ones too."""

from __future__ import annotations

import numpy as np
from PIL import Image

from editor.core.merge import merge_patch


def test_a_patch_replaces_what_is_under_it_and_is_clipped_to_the_base():
    base = np.full((4, 5, 4), 128, np.uint8)
    patch = np.full((3, 3, 4), 128, np.uint8)
    patch[0, 0] = (1, 2, 3, 4)
    out = merge_patch(base, patch, -1, 2)
    assert np.array_equal(out, base)  # the changed pixel lies outside; the rest equals the base
    assert out is not base
    out = merge_patch(base, patch, 3, 1)
    assert tuple(out[1, 3]) == (1, 2, 3, 4) and np.array_equal(out[:, :3], base[:, :3])


def test_gui_accept_and_the_cli_give_identical_pixels_on_a_semi_transparent_layer(
    qtbot, window, tmp_path, photo
):
    from editor.cli import main

    image = photo.copy()
    image[..., 3] = 128
    image[:30, :40, 3] = 255
    mask = np.zeros(image.shape[:2], np.uint8)
    mask[50:70, 60:90] = 255
    Image.fromarray(image).save(tmp_path / "in.png")
    Image.fromarray(mask).save(tmp_path / "mask.png")
    argv = ["inpaint", str(tmp_path / "in.png"), "--mask", str(tmp_path / "mask.png"),
            "-o", str(tmp_path / "out.png"), "--method", "telea"]  # fmt: skip
    assert main(argv) == 0
    cli_pixels = np.asarray(Image.open(tmp_path / "out.png").convert("RGBA"))

    assert window.open_path(tmp_path / "in.png")
    doc = window.document
    doc.set_mask(mask, "Mask")
    assert window.operations.erase("telea") is not None
    qtbot.waitUntil(lambda: doc.preview is not None, timeout=60000)
    doc.accept_preview()
    gui_pixels = doc.image_layer.pixels
    assert np.array_equal(gui_pixels, cli_pixels)
    far = np.ones(mask.shape, bool)
    far[40:80, 50:100] = False
    assert np.array_equal(gui_pixels[far], image[far])  # alpha 128 stays 128 where unchanged
    assert (gui_pixels[far][:, 3] == 128).any()
