"""Shared by the batch tests: small image folders and the single-image reference."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
from PIL import Image


def write_photos(folder: Path, count: int, size: int = 16, seed: int = 0) -> list[Path]:
    """`count` noisy RGB PNGs, every third in a subfolder (the layout must be kept)."""
    rng = np.random.default_rng(seed)
    ys, xs = np.mgrid[0:size, 0:size].astype(np.float32)
    paths = []
    for index in range(count):
        base = np.stack([xs * 255 / size, ys * 255 / size, np.full_like(xs, index * 5 % 255)], 2)
        rgb = np.clip(base + rng.normal(0, 20, base.shape), 0, 255).astype(np.uint8)
        path = folder / ("sub" if index % 3 == 2 else "") / f"photo{index:03}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        Image.fromarray(rgb).save(path)
        paths.append(path)
    return paths


def write_corrupt(folder: Path) -> list[Path]:
    """A truncated PNG and a text file named .jpg."""
    folder.mkdir(parents=True, exist_ok=True)
    good = folder / "tmp-good.png"
    Image.fromarray(np.zeros((16, 16, 3), np.uint8)).save(good)
    truncated = folder / "broken.png"
    truncated.write_bytes(good.read_bytes()[:40])
    good.unlink()
    text = folder / "notes.jpg"
    text.write_text("not a photo")
    return [truncated, text]


def pixels(path: Path) -> np.ndarray:
    with Image.open(path) as image:
        return np.asarray(image.convert("RGBA"))


def single_image(command: str, src: Path, dst: Path, *options: str) -> np.ndarray:
    """What the single-image command writes for `src`."""
    from editor.cli import main

    dst.parent.mkdir(parents=True, exist_ok=True)
    assert main([command, str(src), "-o", str(dst), *options]) == 0
    return pixels(dst)


def lite0_in_test_cache() -> None:
    """Copy the EfficientNet-Lite0 weights of the real user cache into the test's cache (tests
    never download); skip with the reason when they are not there."""
    import os

    import platformdirs

    from editor.engine.colorize_model import ENCODER

    name = f"{ENCODER}.safetensors"
    real = Path(platformdirs.user_cache_dir("retouch")) / "models" / name
    if not real.is_file():
        pytest.skip("EfficientNet-Lite0 weights are not in the user cache "
                    "(retouch models fetch efficientnet-lite0-imagenet)")  # fmt: skip
    target = Path(os.environ["RETOUCH_CACHE_DIR"]) / "models" / name
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(real, target)
