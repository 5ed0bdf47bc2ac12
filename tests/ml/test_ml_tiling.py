"""Tiled inference equals one pass over the whole image, survives OOM, honours Cancel."""

from __future__ import annotations

import pytest
import torch

from editor.engine.context import JobCancelled, JobContext, JobError
from editor.engine.tiling import grid, split_evenly, upscale_tiled


def _image(height: int, width: int, seed: int = 0) -> torch.Tensor:
    generator = torch.Generator().manual_seed(seed)
    return torch.rand((1, 3, height, width), generator=generator)


def _whole(model, image) -> torch.Tensor:
    with torch.inference_mode():
        return model(image).clamp(0, 1)


@pytest.mark.parametrize(("tile", "overlap"), [(32, 16), (40, 20), (25, 12)])
def test_tiled_equals_untiled(make_srvgg, tile, overlap):
    model = make_srvgg(num_conv=4)  # 6 convs: receptive radius 6 <= overlap / 2 in all cases
    image = _image(70, 97)
    reports = []
    ctx = JobContext(report=lambda f, t: reports.append(f))
    tiled = upscale_tiled(model, image, 4, tile=tile, overlap=overlap, ctx=ctx)
    assert tiled.shape == (1, 3, 280, 388)
    assert len(grid(70, 97, tile)) > 1
    assert (tiled - _whole(model, image)).abs().max().item() <= 1 / 255
    assert reports == sorted(reports) and reports[-1] == 1.0
    assert len(reports) >= len(grid(70, 97, tile))  # one report per tile at least


def test_small_overlap_still_blends_without_seams(make_srvgg):
    """With too little context the result differs slightly, but never by a hard step."""
    model = make_srvgg(num_conv=8)
    image = _image(64, 64, seed=3)
    tiled = upscale_tiled(model, image, 4, tile=32, overlap=4)
    error = (tiled - _whole(model, image)).abs().mean().item()
    assert error <= 2 / 255


def test_grid_covers_every_pixel_once():
    cores = grid(101, 57, 30)
    covered = torch.zeros(101, 57, dtype=torch.int32)
    for core in cores:
        covered[core.y : core.y + core.h, core.x : core.x + core.w] += 1
    assert bool((covered == 1).all())
    assert max(max(c.w, c.h) for c in cores) <= 30
    assert split_evenly(10, 100) == [(0, 10)]


class _OomAbove(torch.nn.Module):
    """Wraps a model and raises CUDA OOM for inputs larger than `limit` pixels per side."""

    def __init__(self, inner, limit: int) -> None:
        super().__init__()
        self.inner = inner
        self.limit = limit
        self.sizes: list[int] = []

    def forward(self, x):
        self.sizes.append(max(x.shape[-2:]))
        if max(x.shape[-2:]) > self.limit:
            raise torch.cuda.OutOfMemoryError("CUDA out of memory (simulated)")
        return self.inner(x)


def test_out_of_memory_halves_the_tile_and_retries(make_srvgg, monkeypatch):
    from editor.engine import tiling

    monkeypatch.setattr(tiling, "CPU_START_TILE", 10_000)  # a GPU-sized first tile on the CPU
    inner = make_srvgg(num_conv=2)
    model = _OomAbove(inner, limit=64 + 2 * 8)
    image = _image(128, 128)
    out = upscale_tiled(model, image, 4, tile=128, overlap=8)
    assert model.sizes[0] == 128 and max(model.sizes[1:]) <= 80
    assert (out - _whole(inner, image)).abs().max().item() <= 1 / 255


def test_out_of_memory_on_cpu_below_floor_is_a_job_error(make_srvgg):
    model = _OomAbove(make_srvgg(num_conv=2), limit=4)
    with pytest.raises(JobError, match="memory"):
        upscale_tiled(model, _image(64, 64), 4, tile=64, overlap=8)


def test_cancel_between_tiles(make_srvgg):
    model = make_srvgg(num_conv=2)
    calls = []

    def cancelled() -> bool:
        calls.append(1)
        return len(calls) > 2

    with pytest.raises(JobCancelled):
        upscale_tiled(model, _image(64, 64), 4, tile=16, ctx=JobContext(is_cancelled=cancelled))
    assert len(calls) == 3
