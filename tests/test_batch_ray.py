"""`retouch batch --ray` on a local Ray instance this module starts (ray.init(num_cpus=2)):
50 small images through denoise and colorize give the single-image command's pixels; corrupt
inputs are recorded as failed with the error text while the others succeed. Skipped only where
Ray is not installed (it is in the dev extra)."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from batch_helpers import lite0_in_test_cache, pixels, single_image, write_corrupt, write_photos

from editor.batch.manifest import Manifest

ray = pytest.importorskip("ray", reason="Ray is not installed: pip install -e '.[scale]'")


NICENESS = "RAY_worker_niceness"  # Ray's name for its setting (lower case as Ray spells it)


@pytest.fixture(scope="module")
def local_ray():
    # Ray starts its workers at nice 15: on a machine whose cores are busy they would starve.
    niceness = os.environ.get(NICENESS)
    os.environ[NICENESS] = "0"
    try:
        ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False,
                 object_store_memory=100 * 1024 * 1024)  # fmt: skip
    finally:
        if niceness is None:
            del os.environ[NICENESS]
        else:
            os.environ[NICENESS] = niceness
    yield
    ray.shutdown()


def _batch(*argv: str) -> int:
    from editor.cli import main

    return main(["batch", *argv])


def _check(tmp_path: Path, command: str, photos: list[Path], compare: list[Path], *options):
    inputs, out = tmp_path / "in", tmp_path / "out"
    bad = write_corrupt(inputs / "bad")
    assert _batch(command, str(inputs), "-o", str(out), "--ray", "auto", "--workers", "2",
                  "--threads", "1", *options) == 1  # fmt: skip  (two inputs failed)
    with Manifest.in_folder(out) as manifest:
        assert manifest.counts() == {"done": len(photos), "failed": 2}
        errors = {row.input: row.error for row in manifest.rows("failed")}
    assert set(errors) == {str(path) for path in bad}
    assert all(Path(path).name in error for path, error in errors.items())
    for src in compare:
        reference = single_image(command, src, tmp_path / "ref" / src.name, *options)
        assert np.array_equal(pixels(out / src.relative_to(inputs)), reference), src


def test_denoise_on_ray_matches_the_single_image_command(tmp_path, local_ray):
    photos = write_photos(tmp_path / "in", 50)
    _check(tmp_path, "denoise", photos, photos, "--strength", "20")


def test_colorize_on_ray_matches_the_single_image_command(tmp_path, local_ray):
    lite0_in_test_cache()
    photos = write_photos(tmp_path / "in", 50, seed=1)
    _check(tmp_path, "colorize", photos, photos[::5], "--vibrance", "0.5")
