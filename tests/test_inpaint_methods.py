"""The classical erase methods (Telea, Navier–Stokes, shift-map, FSR fast/best): each fills the
hole from its surroundings in RGB order, never reads what is under the hole, and leaves every
pixel outside the dilated, feathered mask bit for bit as it was."""

from __future__ import annotations

import numpy as np
import pytest

from editor.cli import build_parser
from editor.engine.context import JobContext, JobError
from editor.engine.crop import paste_weight
from editor.engine.inpaint import (
    CLASSICAL_METHODS,
    ERASE_METHODS,
    classical_fill,
    default_erase_method,
    run_inpaint,
)
from editor.engine.requests import InpaintRequest

RED = (200, 30, 40)


def _red_image(height: int = 70, width: int = 90, seed: int = 0) -> np.ndarray:
    """A red RGBA surface with mild texture; sizes deliberately not multiples of 16."""
    rng = np.random.default_rng(seed)
    rgb = np.asarray(RED, np.float32) + rng.normal(0, 3, (height, width, 3))
    alpha = np.full((height, width), 255, np.uint8)
    return np.dstack([np.clip(rgb, 0, 255).astype(np.uint8), alpha])


def _mask(shape: tuple[int, int], y0: int, y1: int, x0: int, x1: int) -> np.ndarray:
    mask = np.zeros(shape, np.uint8)
    mask[y0:y1, x0:x1] = 255
    return mask


def test_the_table_holds_every_method_and_the_cli_offers_exactly_those():
    assert set(CLASSICAL_METHODS) == {"telea", "ns", "shiftmap", "fsr_fast", "fsr_best",
                                      "patchmatch"}  # fmt: skip
    assert set(ERASE_METHODS) == {"model", *CLASSICAL_METHODS}
    assert default_erase_method() in ERASE_METHODS
    parser = build_parser()
    method = next(a for a in parser._subparsers._group_actions[0].choices["inpaint"]._actions
                  if a.dest == "method")  # fmt: skip
    assert tuple(method.choices) == tuple(ERASE_METHODS)
    for name in ERASE_METHODS:
        args = parser.parse_args(["inpaint", "i.png", "--mask", "m.png", "-o", "o.png",
                                  "--method", name])  # fmt: skip
        assert args.method == name


@pytest.mark.parametrize("method", CLASSICAL_METHODS)
@pytest.mark.parametrize(
    ("shape", "box"),
    [((70, 90), (25, 45, 30, 60)), ((70, 90), (0, 14, 20, 70)), ((40, 40), (0, 10, 0, 40))],
    ids=["centre", "edge", "band"],  # band: FSR used to go wrong in partial blocks
)
def test_a_red_surround_gives_a_red_fill_and_nothing_else_changes(method, shape, box):
    image = _red_image(*shape)
    image[box[0] : box[1], box[2] : box[3], :3] = (0, 0, 255)  # a blue object to erase
    mask = _mask(image.shape[:2], *box)
    request = InpaintRequest(image=image, mask=mask, method=method, margin=16)
    result = run_inpaint(request, JobContext())
    out = image.copy()
    out[result.rect.slices()] = result.pixels
    filled = out[mask > 0][:, :3].astype(int)
    # Red, not blue (no object left) and not BGR-swapped (that would be blue-ish too).
    assert np.abs(filled.mean(axis=0) - RED).max() < 12, filled.mean(axis=0)
    assert (filled[:, 0] > filled[:, 2] + 100).mean() > 0.97
    weight = paste_weight(mask, dilate=2, feather=3)
    assert np.array_equal(out[weight == 0], image[weight == 0])


@pytest.mark.parametrize("method", CLASSICAL_METHODS)
def test_the_fill_never_depends_on_what_is_under_the_hole(method):
    image = _red_image(48, 52, seed=3)
    mask = _mask(image.shape[:2], 14, 30, 12, 36)
    other = image.copy()
    other[mask > 0, :3] = np.random.default_rng(9).integers(0, 256, ((mask > 0).sum(), 3))
    a, b = classical_fill(image, mask, method), classical_fill(other, mask, method)
    assert np.array_equal(a, b)
    assert np.array_equal(a[mask == 0], image[mask == 0])  # outside the hole: the input itself


@pytest.mark.parametrize("method", CLASSICAL_METHODS)
def test_alpha_continues_into_the_hole(method):
    image = _red_image(40, 40)
    image[:, :20, 3] = 0  # left half transparent
    mask = _mask(image.shape[:2], 10, 30, 5, 15)  # inside the transparent half
    fill = classical_fill(image, mask, method)
    assert fill[mask > 0, 3].max() < 40
    assert np.array_equal(fill[..., 3][mask == 0], image[..., 3][mask == 0])


def test_a_hole_with_nothing_around_it_is_a_clear_error():
    image = _red_image(20, 20)
    with pytest.raises(JobError, match="smaller area"):
        classical_fill(image, np.full((20, 20), 255, np.uint8), "shiftmap")
    for method in ("model", "telea"):  # Erase of the whole image, the model's path too
        with pytest.raises(JobError, match="smaller area"):
            run_inpaint(InpaintRequest(image=image, mask=np.full((20, 20), 255, np.uint8),
                                       method=method), JobContext())  # fmt: skip
    with pytest.raises(JobError, match="Unknown erase method"):
        run_inpaint(InpaintRequest(image=image, mask=_mask((20, 20), 5, 9, 5, 9), method="x"),
                    JobContext())  # fmt: skip


def test_patch_methods_get_a_neighbourhood_that_grows_with_the_hole():
    from editor.engine.inpaint import SHIFTMAP_CONTEXT

    image = _red_image(200, 200)
    mask = _mask((200, 200), 80, 120, 80, 120)  # 40 px
    telea = run_inpaint(InpaintRequest(image, mask, method="telea", margin=4), JobContext())
    shiftmap = run_inpaint(InpaintRequest(image, mask, method="shiftmap", margin=4), JobContext())
    assert telea.rect.w == 48
    assert shiftmap.rect.w == 40 + 2 * round(SHIFTMAP_CONTEXT * 40)


@pytest.mark.parametrize("method", CLASSICAL_METHODS)
def test_a_hole_with_a_one_pixel_rim_is_still_filled_with_the_rim_colour(method):
    """Shift-map leaves such holes partly unwritten (Lab 0, 0, 0 = a saturated blue)."""
    image = _red_image(40, 40)
    mask = _mask((40, 40), 1, 39, 1, 39)
    fill = classical_fill(image, mask, method)[mask > 0][:, :3].astype(int)
    assert np.abs(fill.mean(axis=0) - RED).max() < 12, fill.mean(axis=0)
