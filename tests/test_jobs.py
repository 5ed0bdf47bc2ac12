"""Operations and the engine together: live previews, Cancel keeping the last preview."""

import threading
from dataclasses import dataclass

import numpy as np
import pytest

from editor.core.geometry import Rect
from editor.document.document import Document
from editor.engine import run as run_module
from editor.engine.engine import Engine
from editor.engine.results import PatchResult
from editor.jobs import Operations

RELEASE = threading.Event()


@dataclass(frozen=True, eq=False)
class FormingRequest:
    image: np.ndarray
    previews: int


def run_forming(request: FormingRequest, ctx) -> PatchResult:
    """Emits `previews` previews (pixel value = preview number), then waits to be released or
    cancelled, like an optimisation that shows its progress."""
    for step in range(1, request.previews + 1):
        ctx.preview(_solid(request.image, step))
        ctx.progress(step / (request.previews + 1), "forming")
    while not RELEASE.wait(0.01):
        ctx.check_cancelled()
    height, width = request.image.shape[:2]
    return PatchResult(Rect(0, 0, width, height), _solid(request.image, 99), "Done")


def _solid(like: np.ndarray, value: int) -> np.ndarray:
    out = np.full_like(like, value)
    out[..., 3] = 255
    return out


@pytest.fixture
def operations(qapp, monkeypatch, photo):
    monkeypatch.setitem(run_module._RUNNERS, "FormingRequest", f"{__name__}:run_forming")
    RELEASE.clear()
    document = Document()
    document.load(photo.copy())
    engine = Engine()
    ops = Operations(document, engine)
    yield ops
    RELEASE.set()
    engine.shutdown()


def test_previews_show_and_cancel_keeps_the_last(qtbot, operations, photo):
    doc = operations.document
    with qtbot.waitSignal(operations.engine.preview, timeout=5000):
        operations._submit(FormingRequest(photo, 3), "Forming", operations._show_patch)
    qtbot.waitUntil(lambda: doc.preview is not None and doc.preview.pixels[0, 0, 0] == 3)
    operations.cancel()
    assert not operations.is_busy()
    assert doc.preview is not None and doc.preview.pixels[0, 0, 0] == 3  # kept, pending
    doc.accept_preview()
    assert doc.image_layer.pixels[0, 0, 0] == 3


def test_finished_result_replaces_the_previews(qtbot, operations, photo):
    doc = operations.document
    operations._submit(FormingRequest(photo, 2), "Forming", operations._show_patch)
    qtbot.waitUntil(lambda: doc.preview is not None)
    with qtbot.waitSignal(operations.engine.finished, timeout=5000):
        RELEASE.set()
    assert doc.preview.pixels[0, 0, 0] == 99 and not operations.is_busy()
