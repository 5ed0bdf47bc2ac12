"""Erase's big-hole path: PatchMatch on a shrunk crop, lifted to full resolution."""

from __future__ import annotations

import numpy as np
import pytest

cv2 = pytest.importorskip("cv2")

from editor.engine import big_hole  # noqa: E402
from editor.engine.context import JobCancelled, JobContext  # noqa: E402

NO_PATCHMATCH = "PyPatchMatch's native library did not load"
needs_patchmatch = pytest.mark.skipif(not big_hole.available(), reason=NO_PATCHMATCH)


def _deck_photo(height: int = 360, width: int = 640) -> np.ndarray:
    """Grainy sky with a dark horizontal deck across the whole photo (rows 170-199), RGBA."""
    rng = np.random.default_rng(0)
    grain = cv2.GaussianBlur(rng.normal(0, 1, (height, width)).astype(np.float32), (0, 0), 1.0)
    rgb = np.zeros((height, width, 3), np.float32)
    rgb[:] = (150, 190, 230)
    rgb[170:200] = (70, 40, 30)
    rgb = np.clip(rgb + 12 * grain[..., None] / grain.std(), 0, 255).astype(np.uint8)
    return np.dstack([rgb, np.full((height, width), 255, np.uint8)])


def _tower_mask(height: int = 360, width: int = 640) -> np.ndarray:
    """A tower brushed out: a 120-px-wide column over the deck's middle."""
    mask = np.zeros((height, width), np.uint8)
    mask[60:320, 260:380] = 255
    return mask


def test_the_shrink_keeps_both_budgets():
    assert big_hole.shrink_factor(10_000, 200_000) == 1.0  # small enough as it is
    scale = big_hole.shrink_factor(360_000, 1_440_000)  # a 600x600 hole on a 1200x1200 crop
    assert 360_000 * scale**2 == pytest.approx(big_hole.HOLE_BUDGET, rel=1e-6)
    scale = big_hole.shrink_factor(20_000, 4_000_000)  # a thin wire across a wide crop
    assert 4_000_000 * scale**2 == pytest.approx(big_hole.AREA_BUDGET, rel=1e-6)


def _soft(rgb: np.ndarray) -> np.ndarray:
    """What the network gives once upscaled: the right colours, no detail."""
    height, width = rgb.shape[:2]
    small = cv2.resize(rgb, (width // 4, height // 4), interpolation=cv2.INTER_AREA)
    return cv2.resize(small, (width, height), interpolation=cv2.INTER_CUBIC)


def _sky_guide(rgb: np.ndarray, hole: np.ndarray) -> np.ndarray:
    """A network that lost the deck: plain sky over the whole hole (its colours are right,
    its layout is not)."""
    guide = _soft(rgb)
    guide[hole] = (150, 190, 230)
    return guide


def _rows_inside(fill: np.ndarray) -> np.ndarray:
    """Mean brightness of each row across the tower's middle, inside the hole."""
    rows: np.ndarray = fill[:, 270:370].astype(np.float32).mean(axis=(1, 2))
    return rows


def _smooth_guide(rgb: np.ndarray, hole: np.ndarray) -> np.ndarray:
    """A smooth fill of the right colours and layout (Telea, softened), as the network's."""
    known = np.where(hole[..., None], 0, rgb).astype(np.uint8)
    return _soft(cv2.inpaint(known, hole.astype(np.uint8) * 255, 3, cv2.INPAINT_TELEA))


@needs_patchmatch
def test_a_structure_is_carried_across_the_hole_with_sharp_pixels():
    rgba, mask = _deck_photo(), _tower_mask()
    rgb, hole = np.ascontiguousarray(rgba[..., :3]), mask > 0
    fill = big_hole.fill_big_hole(rgb, hole, _smooth_guide(rgb, hole), JobContext())
    assert np.array_equal(fill[~hole], rgb[~hole])  # known pixels are the input's own
    rows = _rows_inside(fill)
    assert rows[178:192].mean() < 80  # the deck continues through the hole ...
    assert rows[80:150].mean() > 170 and rows[220:300].mean() > 170  # ... sky either side
    lap = np.abs(cv2.Laplacian(cv2.cvtColor(fill, cv2.COLOR_RGB2GRAY), cv2.CV_32F))
    sky_hole = np.zeros_like(hole)
    sky_hole[80:150, 270:370] = True
    sky_known = np.zeros_like(hole)
    sky_known[80:150, 40:200] = True
    assert lap[sky_hole].mean() > 0.7 * lap[sky_known].mean()  # grain, not a soft patch


@needs_patchmatch
def test_patchmatchs_layout_keeps_the_sky_clean_where_the_guide_lost_the_structure():
    """The network's guided synthesis alone, given plain sky over the deck, darkens the sky
    (its rows average 136-143 there): the layout keeps it clean and the deck darker."""
    rgba, mask = _deck_photo(), _tower_mask()
    rgb, hole = np.ascontiguousarray(rgba[..., :3]), mask > 0
    rows = _rows_inside(big_hole.fill_big_hole(rgb, hole, _sky_guide(rgb, hole), JobContext()))
    assert rows[80:150].mean() > 170 and rows[220:300].mean() > 170
    assert rows[178:192].mean() < 130


@needs_patchmatch
def test_pixels_under_the_hole_are_never_read():
    rgba, mask = _deck_photo(), _tower_mask()
    rgb, hole = np.ascontiguousarray(rgba[..., :3]), mask > 0
    guide = _sky_guide(rgb, hole)
    other = rgb.copy()
    other[hole] = 255 - other[hole]
    fill = big_hole.fill_big_hole(rgb, hole, guide, JobContext())
    assert np.array_equal(fill, big_hole.fill_big_hole(other, hole, guide, JobContext()))


@needs_patchmatch
def test_cancel_stops_the_fill():
    rgba, mask = _deck_photo(), _tower_mask()
    rgb, hole = np.ascontiguousarray(rgba[..., :3]), mask > 0
    with pytest.raises(JobCancelled):
        big_hole.fill_big_hole(rgb, hole, _soft(rgb), JobContext(is_cancelled=lambda: True))


@needs_patchmatch
def test_a_rim_that_vanishes_when_shrunk_falls_back_to_the_networks_layout():
    """All but a 2-px rim is hole: shrunk for PatchMatch, nothing known is left; the fill
    takes the network's layout instead of failing."""
    rgba = _deck_photo(600, 600)
    rgb = np.ascontiguousarray(rgba[..., :3])
    hole = np.zeros((600, 600), bool)
    hole[2:-2, 2:-2] = True
    guide = np.full_like(rgb, (150, 190, 230))
    fill = big_hole.fill_big_hole(rgb, hole, guide, JobContext())
    assert np.array_equal(fill[~hole], rgb[~hole])
    assert np.abs(fill[hole].astype(np.float32).mean(axis=0) - (150, 190, 230)).max() < 40


@needs_patchmatch
def test_the_editors_engine_erases_a_big_hole_reporting_each_step(qtbot):
    """Backspace's path end to end on the engine's thread (the network, PatchMatch in a child
    process, the lift): progress only moves forward and names the PatchMatch step."""
    from editor.engine.engine import Engine
    from editor.engine.inpaint import default_erase_method
    from editor.engine.requests import InpaintRequest

    rgba, mask = _deck_photo(), _tower_mask()
    engine = Engine()
    steps = []
    engine.progress.connect(lambda job, fraction, text: steps.append((fraction, text)))
    try:
        with qtbot.waitSignal(engine.finished, timeout=120_000) as blocker:
            engine.submit(InpaintRequest(image=rgba, mask=mask, method=default_erase_method()),
                          "Erase")  # fmt: skip
    finally:
        engine.shutdown()
    fractions = [fraction for fraction, _ in steps]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    assert any("PatchMatch" in text for _, text in steps)
    result = blocker.args[1]
    pasted = rgba.copy()
    pasted[result.rect.slices()] = result.pixels
    rows = pasted[:, 270:370, :3].astype(np.float32).mean(axis=(1, 2))
    assert rows[80:150].mean() > 170  # the tower is gone from the sky
