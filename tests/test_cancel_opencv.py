"""Cancel reaches the operations that are single library calls or long merges: OpenCV's fills
and GrabCut run in a child process that Cancel kills, and Colorize checks inside its network,
while spreading hints and between bands of its full-resolution merge."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest

from editor.core.geometry import Rect
from editor.engine.context import JobCancelled, JobContext, JobError


def _cancelled_after(seconds: float) -> tuple[JobContext, list[float]]:
    at: list[float] = [time.perf_counter() + seconds]
    return JobContext(is_cancelled=lambda: time.perf_counter() >= at[0]), at


def test_a_call_in_a_child_returns_its_result_or_raises_its_error():
    from editor.engine.child import call_in_child

    assert call_in_child(divmod, 17, 5, ctx=JobContext()) == (3, 2)
    with pytest.raises(ZeroDivisionError):
        call_in_child(divmod, 1, 0, ctx=JobContext())


def test_cancel_kills_a_call_in_a_child_at_once():
    from editor.engine.child import call_in_child

    call_in_child(divmod, 1, 1, ctx=JobContext())  # the forkserver is up
    ctx, at = _cancelled_after(0.3)
    with pytest.raises(JobCancelled):
        call_in_child(time.sleep, 30, ctx=ctx)
    assert time.perf_counter() - at[0] < 2.0  # not the 30 s sleep (generous: a busy CI)


def test_a_child_that_dies_is_a_job_error():
    import os

    from editor.engine.child import call_in_child

    with pytest.raises(JobError, match="stopped unexpectedly"):
        call_in_child(os._exit, 3, ctx=JobContext())


def test_a_large_classical_fill_runs_in_a_child_with_the_same_result(monkeypatch, photo):
    from editor.engine import child, inpaint
    from editor.engine.requests import InpaintRequest

    mask = np.zeros(photo.shape[:2], np.uint8)
    mask[40:80, 50:110] = 255
    request = InpaintRequest(image=photo, mask=mask, method="telea")
    inline = inpaint.run_inpaint(request, JobContext()).pixels
    calls = []
    real = child.call_in_child
    monkeypatch.setattr(child, "call_in_child", lambda *a, **k: calls.append(a) or real(*a, **k))
    monkeypatch.setattr(inpaint, "INLINE_HOLE_PIXELS", 100)
    assert np.array_equal(inpaint.run_inpaint(request, JobContext()).pixels, inline)
    assert calls  # it did go through a child


def test_smart_select_stops_when_cancelled(photo):
    from editor.engine.select import SmartSelectRequest, run_smart_select

    request = SmartSelectRequest(photo, Rect(30, 20, 100, 80))
    assert run_smart_select(request, JobContext()).mask.any()
    pressed = threading.Event()
    pressed.set()
    with pytest.raises(JobCancelled):
        run_smart_select(request, JobContext(is_cancelled=pressed.is_set))


# -- Colorize


@pytest.fixture
def gray(photo) -> np.ndarray:
    out = photo.copy()
    out[..., :3] = photo[..., :3].mean(axis=2, keepdims=True).astype(np.uint8)
    return out


def test_colorize_checks_cancel_inside_the_network(random_colorizer, gray):
    from editor.engine.colorize import ColorizeRequest, run_colorize

    checks = []

    def is_cancelled() -> bool:
        checks.append(1)
        return len(checks) > 20  # well inside the encoder (its layers each check)

    with pytest.raises(JobCancelled):
        run_colorize(ColorizeRequest(gray), JobContext(is_cancelled=is_cancelled))
    assert len(checks) == 21


def test_colorize_checks_cancel_while_spreading_hints(random_colorizer, gray, monkeypatch):
    from editor.engine.colorize import ColorizeRequest, predict_chroma
    from editor.ml import colorization

    hints = tuple((20 * i, 10 * i, (200, 30, 30)) for i in range(1, 6))
    spread = []
    real = colorization.path_weights
    monkeypatch.setattr(colorization, "path_weights",
                        lambda *a: spread.append(1) or real(*a))  # fmt: skip
    stop = threading.Event()

    def check() -> bool:
        if len(spread) == 2:
            stop.set()
        return stop.is_set()

    request = ColorizeRequest(gray, hints=hints)
    with pytest.raises(JobCancelled):
        predict_chroma(request.image, request.hints, random_colorizer, 0.5,
                       JobContext(is_cancelled=check))  # fmt: skip
    assert len(spread) == 2  # stopped before the third hint, not after all five


def test_colorize_merges_in_bands_with_the_same_result(random_colorizer, gray, monkeypatch):
    from editor.engine import colorize

    hints = ((40, 30, (30, 90, 200)),)
    request = colorize.ColorizeRequest(gray, hints=hints, strength=0.8)
    whole = colorize.run_colorize(request, JobContext()).pixels
    monkeypatch.setattr(colorize, "BAND_PIXELS", 160 * 7)  # 7 rows a band
    reports = []
    ctx = JobContext(report=lambda fraction, text: reports.append(text))
    banded = colorize.run_colorize(request, ctx).pixels
    assert np.array_equal(banded, whole)
    assert sum(text.startswith("Merging") for text in reports) == -(-120 // 7)


def test_a_colorized_region_is_exactly_that_part_of_the_whole(random_colorizer, gray):
    from editor.engine.colorize import ColorizeRequest, run_colorize

    hints = ((100, 60, (220, 180, 40)),)
    whole = run_colorize(ColorizeRequest(gray, hints=hints), JobContext()).pixels
    region = Rect(37, 21, 70, 55)
    part = run_colorize(ColorizeRequest(gray, hints=hints, region=region), JobContext())
    assert part.rect == region
    assert np.array_equal(part.pixels, whole[region.slices()])


def test_hint_spreading_checks_cancel_between_sweeps():
    """One hint's spreading is many sweeps over the image: Cancel is looked at before each."""
    import torch

    from editor.ml.colorization import path_weights

    sources = torch.zeros(64, 64, dtype=torch.bool)
    sources[0, 0] = True
    steps_x, steps_y = torch.full((64, 63), 0.99), torch.full((63, 64), 0.99)
    calls = []

    def check() -> None:
        calls.append(1)
        if len(calls) == 2:  # the first sweep is done, the image not yet settled
            raise JobCancelled()

    with pytest.raises(JobCancelled):
        path_weights(sources, steps_x.double(), steps_y.double(), check)
    assert len(calls) == 2
