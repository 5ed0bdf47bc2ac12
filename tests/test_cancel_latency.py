"""Cancel is answered within a layer, not after a whole pass; tiles shrink to keep it so;
progress moves within a tile; a job raising SystemExit does not stop the engine."""

from __future__ import annotations

import time

import numpy as np
import pytest

from editor.engine.context import JobCancelled, JobContext

torch = pytest.importorskip("torch")
nn = torch.nn


class _Slow(nn.Module):
    """An identity layer that takes `seconds_per_mpx` per megapixel of its input."""

    def __init__(self, seconds_per_mpx: float) -> None:
        super().__init__()
        self.seconds_per_mpx = seconds_per_mpx
        self.sizes: list[tuple[int, int]] = []
        self.bias = nn.Parameter(torch.zeros(1))  # a parameter, so the tiler finds a device

    def forward(self, x):
        self.sizes.append(tuple(x.shape[-2:]))
        time.sleep(self.seconds_per_mpx * x.shape[-1] * x.shape[-2] / 1e6)
        return x + self.bias


def _slow_model(layers: int, seconds_per_mpx: float) -> nn.Module:
    return nn.Sequential(*[_Slow(seconds_per_mpx) for _ in range(layers)]).eval()


def _cancel_after(seconds: float) -> tuple[JobContext, list[float]]:
    asked: list[float] = []
    ctx = JobContext(is_cancelled=lambda: bool(asked) and time.perf_counter() >= asked[0])
    asked.append(time.perf_counter() + seconds)
    return ctx, asked


def test_cancel_is_answered_inside_a_single_long_pass():
    from editor.engine.tiling import upscale_tiled

    model = _slow_model(layers=60, seconds_per_mpx=0.5)  # 60 x 20 ms on 0.04 MP: 1.2 s a pass
    image = torch.rand(1, 3, 200, 200)
    ctx, asked = _cancel_after(0.2)
    with pytest.raises(JobCancelled):
        upscale_tiled(model, image, 1, tile=400, ctx=ctx)
    latency = time.perf_counter() - asked[0]
    assert latency < 0.1, latency  # one layer (20 ms), not the rest of the pass (1 s)


def test_tiles_shrink_when_a_layer_runs_too_long_without_a_check():
    from editor.engine.tiling import MIN_TILE, TARGET_CHECK_GAP_S, upscale_tiled

    model = _slow_model(layers=2, seconds_per_mpx=4.0)  # a 256 tile (+overlap) ~ 0.32 s a layer
    image = torch.rand(1, 3, 512, 512)
    out = upscale_tiled(model, image, 1, tile=256, ctx=JobContext())
    assert torch.allclose(out, image.clamp(0, 1), atol=1e-6)  # the result is still right
    sides = [max(size) for size in model[0].sizes]
    assert sides[0] > sides[-1] >= MIN_TILE  # later tiles are smaller
    last_layer_s = 4.0 * sides[-1] ** 2 / 1e6
    assert last_layer_s < 2 * TARGET_CHECK_GAP_S


def test_progress_moves_within_a_tile_and_estimates_the_time_left():
    from editor.engine.tiling import upscale_tiled

    reports: list[tuple[float, str]] = []
    ctx = JobContext(report=lambda fraction, text: reports.append((fraction, text)))
    model = _slow_model(layers=30, seconds_per_mpx=1.0)
    upscale_tiled(model, torch.rand(1, 3, 120, 240), 1, tile=120, overlap=8, ctx=ctx)
    fractions = [fraction for fraction, _ in reports]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    inside_first_tile = [f for f, text in reports if text.startswith("Upscaling tile 1 ")]
    assert any(0.0 < f < 0.5 for f in inside_first_tile)  # not only at tile boundaries


def test_time_left_is_estimated_from_the_pace_so_far(monkeypatch):
    from editor.engine import tiling

    clock = [100.0]
    monkeypatch.setattr(tiling.time, "perf_counter", lambda: clock[0])
    reports: list[str] = []
    progress = tiling._TileProgress(JobContext(report=lambda f, text: reports.append(text)), 400)
    progress.start(100, tiles_left=4)
    clock[0] += 10.0  # a quarter of the area took 10 s
    progress.finish()
    progress.start(100, tiles_left=3)
    assert reports[-1] == "Upscaling tile 2 of 4, about 30 s left"


def test_hooks_are_removed_after_the_pass():
    from editor.engine.pass_watch import PassWatch

    model = _slow_model(layers=3, seconds_per_mpx=0.0)
    with PassWatch(model, JobContext()):
        model(torch.zeros(1, 3, 4, 4))
    assert all(not layer._forward_pre_hooks for layer in model)


def test_a_job_raising_system_exit_fails_alone(qtbot, monkeypatch, photo):
    from editor.engine import engine as engine_module
    from editor.engine.engine import Engine

    real_execute = engine_module.execute
    calls = []

    def execute(request, ctx):
        calls.append(request)
        if len(calls) == 1:
            raise SystemExit(3)
        return real_execute(request, ctx)

    monkeypatch.setattr(engine_module, "execute", execute)
    engine = Engine()
    try:
        from editor.engine.requests import InpaintRequest

        mask = np.zeros(photo.shape[:2], np.uint8)
        mask[40:50, 40:50] = 255
        request = InpaintRequest(image=photo, mask=mask, method="telea")
        with qtbot.waitSignal(engine.failed, timeout=10000) as failed:
            engine.submit(request, "Erase")
        assert "Erase failed" in failed.args[1]
        with qtbot.waitSignal(engine.finished, timeout=20000):
            engine.submit(request, "Erase again")  # the worker thread is still alive
    finally:
        engine.shutdown()


def test_tile_size_follows_the_measured_layer_time():
    from editor.engine.tiling import MIN_TILE, TARGET_CHECK_GAP_S, _responsive_tile

    assert _responsive_tile(384, 4 * TARGET_CHECK_GAP_S, 1024) == 192  # area / 4
    assert _responsive_tile(96, TARGET_CHECK_GAP_S / 16, 1024) == 192  # at most twice
    assert _responsive_tile(96, TARGET_CHECK_GAP_S / 16, 128) == 128  # never above memory's
    assert _responsive_tile(200, 0.75 * TARGET_CHECK_GAP_S, 1024) == 200  # close enough
    assert _responsive_tile(40, 100.0, 1024) == MIN_TILE
