"""Erase (fast) as a pure function, and the engine thread that runs it."""

import numpy as np
import pytest

from editor.engine.context import JobCancelled, JobContext, JobError
from editor.engine.crop import crop_window, paste_weight
from editor.engine.engine import Engine
from editor.engine.inpaint import run_inpaint
from editor.engine.requests import InpaintRequest
from editor.engine.results import PatchResult


def _mask(shape, box):
    mask = np.zeros(shape, np.uint8)
    y0, y1, x0, x1 = box
    mask[y0:y1, x0:x1] = 255
    return mask


def test_telea_changes_only_pixels_near_the_hole(photo):
    image = photo.copy()
    image[50:60, 70:90, :3] = [255, 0, 255]  # an object to erase
    mask = _mask(image.shape[:2], (50, 60, 70, 90))
    result = run_inpaint(InpaintRequest(image=image, mask=mask, margin=16), JobContext())
    assert isinstance(result, PatchResult)
    out = image.copy()
    out[result.rect.slices()] = result.pixels
    # Inside the hole the magenta object is gone and replaced by something like its surroundings.
    filled = out[52:58, 72:88, :3].astype(int)
    assert np.abs(filled - [255, 0, 255]).sum(axis=2).min() > 150
    assert np.abs(filled.mean(axis=(0, 1)) - photo[52:58, 72:88, :3].mean(axis=(0, 1))).max() < 40
    # Outside the dilated + feathered band nothing changed, bit for bit.
    weight = paste_weight(mask, dilate=2, feather=3)
    assert np.array_equal(out[weight == 0], image[weight == 0])


def test_crop_window_has_margin_and_stays_inside_the_image():
    mask = _mask((100, 100), (0, 5, 90, 100))  # hole at the top-right corner
    window = crop_window(mask, margin=10, min_size=40)
    assert window.rect.x >= 0 and window.rect.right == 100 and window.rect.y == 0
    assert window.rect.w >= 40 and window.rect.h >= 40
    assert crop_window(np.zeros((5, 5), np.uint8), 3) is None


def test_empty_mask_and_mismatched_shapes_are_clear_errors(photo):
    with pytest.raises(JobError, match="empty"):
        run_inpaint(
            InpaintRequest(image=photo, mask=np.zeros(photo.shape[:2], np.uint8)), JobContext()
        )
    with pytest.raises(ValueError, match="does not match"):
        InpaintRequest(image=photo, mask=np.zeros((3, 3), np.uint8))


def test_cancel_stops_the_run(photo):
    mask = _mask(photo.shape[:2], (10, 20, 10, 20))
    with pytest.raises(JobCancelled):
        run_inpaint(InpaintRequest(image=photo, mask=mask), JobContext(is_cancelled=lambda: True))


@pytest.fixture
def engine(qapp):
    engine = Engine()
    yield engine
    engine.shutdown()


def test_engine_runs_a_job_and_reports_progress(qtbot, engine, photo):
    mask = _mask(photo.shape[:2], (30, 40, 30, 40))
    fractions = []
    engine.progress.connect(lambda job_id, fraction, text: fractions.append(fraction))
    with qtbot.waitSignal(engine.finished, timeout=10000) as blocker:
        job = engine.submit(InpaintRequest(image=photo, mask=mask), "Erase (fast)")
    assert blocker.args[0] == job and isinstance(blocker.args[1], PatchResult)
    assert fractions and fractions[-1] == 1.0 and fractions == sorted(fractions)


def test_engine_reports_failures_as_messages(qtbot, engine, photo):
    empty = np.zeros(photo.shape[:2], np.uint8)
    with qtbot.waitSignal(engine.failed, timeout=10000) as blocker:
        engine.submit(InpaintRequest(image=photo, mask=empty), "Erase (fast)")
    assert "mask is empty" in blocker.args[1]


def test_engine_cancels_a_queued_job(qtbot, engine, photo):
    mask = _mask(photo.shape[:2], (30, 40, 30, 40))
    request = InpaintRequest(image=photo, mask=mask)
    with qtbot.waitSignals([engine.finished, engine.cancelled], timeout=10000):
        engine.submit(request, "first")
        second = engine.submit(request, "second")
        engine.cancel(second)
