"""Colorize is offered for black-and-white photos with real tonal range, never for a blank
canvas, a flat fill or line art."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from editor.core.pixels import looks_like_bw_photo


def _gray(values: np.ndarray) -> np.ndarray:
    return np.dstack([values, values, values, np.full_like(values, 255)]).astype(np.uint8)


@pytest.fixture
def bw_photo(photo) -> np.ndarray:
    return _gray(photo[..., :3].mean(axis=2).astype(np.uint8))


def _line_art() -> np.ndarray:
    drawing = np.full((120, 160), 255, np.uint8)
    drawing[40:42, 10:150] = 0
    drawing[10:110, 80:82] = 30
    return _gray(drawing)


def test_the_rule(bw_photo, photo):
    assert looks_like_bw_photo(bw_photo)
    assert not looks_like_bw_photo(photo)  # colour
    assert not looks_like_bw_photo(_gray(np.full((120, 160), 255, np.uint8)))  # blank canvas
    assert not looks_like_bw_photo(_gray(np.full((120, 160), 128, np.uint8)))  # flat fill
    assert not looks_like_bw_photo(_line_art())
    faint = (bw_photo[..., 0] // 8 + 120).astype(np.uint8)  # 32 levels squeezed into a sliver
    assert not looks_like_bw_photo(_gray(faint))


@pytest.mark.parametrize(
    "image, offered",
    [
        (lambda photo: _gray(photo[..., :3].mean(axis=2).astype(np.uint8)), True),
        (lambda photo: _gray(np.full((120, 160), 255, np.uint8)), False),
        (lambda photo: _line_art(), False),
    ],
    ids=["gray photo", "blank white", "line art"],
)
def test_opening_offers_colorize_only_for_a_gray_photo(window, tmp_path, photo, image, offered):
    path = tmp_path / "opened.png"
    Image.fromarray(image(photo)).save(path)
    assert window.open_path(path)
    offer = getattr(window.filter_menu, "offer", None)
    assert (offer is not None and offer.isVisible()) == offered
    if offer is not None:
        offer.reject()
