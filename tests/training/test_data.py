from __future__ import annotations

import io
import tarfile

import numpy as np
import pytest

torch = pytest.importorskip("torch")
from PIL import Image  # noqa: E402

from editor.training.data import load_photos, random_crops  # noqa: E402

COLOURS = {"red.png": (255, 0, 0), "green.jpg": (0, 255, 0), "blue.png": (0, 0, 255)}


def _encoded(name: str, colour, size) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, format="PNG" if name.endswith("png") else "JPEG")
    return buffer.getvalue()


@pytest.fixture()
def shard(tmp_path):
    path = tmp_path / "shard.tar"
    with tarfile.open(path, "w") as archive:
        for i, (name, colour) in enumerate(sorted(COLOURS.items())):
            payload = _encoded(name, colour, (40 + 10 * i, 30 + 5 * i))
            info = tarfile.TarInfo(f"photos/{name}")
            info.size = len(payload)
            archive.addfile(info, io.BytesIO(payload))
        info = tarfile.TarInfo("notes.txt")
        info.size = 2
        archive.addfile(info, io.BytesIO(b"hi"))
    return path


def test_loads_tar_as_rgb_uint8_squares(shard):
    photos = load_photos([shard], 24)
    assert photos.dtype == torch.uint8 and photos.shape == (3, 24, 24, 3)
    # Sorted member order: blue, green, red; RGB channel order (not BGR).
    centres = photos[:, 12, 12].numpy().astype(int)
    expected = np.array([COLOURS["blue.png"], COLOURS["green.jpg"], COLOURS["red.png"]])
    assert np.abs(centres - expected).max() <= 3


def test_loads_folders(tmp_path):
    folder = tmp_path / "photos" / "sub"
    folder.mkdir(parents=True)
    for name, colour in COLOURS.items():
        (folder / name).write_bytes(_encoded(name, colour, (30, 50)))
    assert load_photos([tmp_path / "photos"], 16).shape == (3, 16, 16, 3)


def test_random_crops_are_seeded_and_in_range(shard):
    photos = load_photos([shard], 32)
    a = random_crops(photos, 6, 16, torch.Generator().manual_seed(1))
    b = random_crops(photos, 6, 16, torch.Generator().manual_seed(1))
    assert a.shape == (6, 3, 16, 16) and a.dtype == torch.float32
    assert torch.equal(a, b)
    assert float(a.min()) >= 0.0 and float(a.max()) <= 1.0


def test_no_images_is_an_error(tmp_path):
    with pytest.raises(ValueError):
        load_photos([tmp_path], 16)
