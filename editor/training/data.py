"""Training photos: decoded once into one in-memory uint8 tensor, augmented on the device.

Sources are folders (searched recursively) or tar shards of JPEG/PNG files. Every photo is
centre-cropped to a square and resized to `store_size`, so the whole set is one
N×store×store×3 uint8 RGB tensor; batches are cut from it with one `grid_sample` per batch
(random scale, position and horizontal flip per sample), on the training device.
"""

from __future__ import annotations

import logging
import tarfile
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

log = logging.getLogger(__name__)

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp", ".webp")


def _decode(payload: bytes) -> np.ndarray | None:
    """HxWx3 uint8 RGB, or None for an unreadable file."""
    import cv2

    image = cv2.imdecode(np.frombuffer(payload, np.uint8), cv2.IMREAD_COLOR)
    if image is None:
        return None
    return cv2.cvtColor(image, cv2.COLOR_BGR2RGB)


def iter_encoded(
    sources: Iterable[str | Path], include: Callable[[str], bool] | None = None
) -> Iterator[tuple[str, bytes]]:
    """(name, encoded bytes) for every image in the folders / tar files, in a stable order;
    with `include`, only the images whose file name (without folders) it accepts."""
    for source in sources:
        path = Path(source)
        if path.is_dir():
            for file in sorted(path.rglob("*")):
                if file.suffix.lower() in IMAGE_SUFFIXES and _wanted(file.name, include):
                    yield str(file), file.read_bytes()
        elif path.suffix == ".tar" or tarfile.is_tarfile(path):
            with tarfile.open(path) as archive:
                members = sorted(
                    (m for m in archive.getmembers()
                     if m.isfile() and m.name.lower().endswith(IMAGE_SUFFIXES)
                     and _wanted(Path(m.name).name, include)),
                    key=lambda m: m.name,
                )  # fmt: skip
                for member in members:
                    handle = archive.extractfile(member)
                    if handle is not None:
                        yield f"{path.name}:{member.name}", handle.read()
        else:
            raise FileNotFoundError(f"not a folder or tar file: {path}")


def _wanted(name: str, include: Callable[[str], bool] | None) -> bool:
    return include is None or include(name)


def square(image: np.ndarray, size: int) -> np.ndarray:
    """Centre square crop resized to size×size (area filter when shrinking). HxWx3 uint8."""
    import cv2

    height, width = image.shape[:2]
    side = min(height, width)
    y0, x0 = (height - side) // 2, (width - side) // 2
    crop = image[y0 : y0 + side, x0 : x0 + side]
    if side == size:
        return np.ascontiguousarray(crop)
    interp = cv2.INTER_AREA if side > size else cv2.INTER_CUBIC
    return cv2.resize(crop, (size, size), interpolation=interp)


def load_photos(
    sources: Iterable[str | Path],
    store_size: int,
    limit: int | None = None,
    include: Callable[[str], bool] | None = None,
) -> torch.Tensor:
    """N×store×store×3 uint8 RGB tensor of every decodable photo in `sources` (those whose file
    name `include` accepts, when given)."""
    images = []
    for name, payload in iter_encoded(sources, include):
        image = _decode(payload)
        if image is None:
            log.warning("skipping unreadable image %s", name)
            continue
        images.append(square(image, store_size))
        if limit is not None and len(images) >= limit:
            break
    if not images:
        raise ValueError("no images found in the training data sources")
    return torch.from_numpy(np.stack(images))


def random_crops(
    photos: torch.Tensor,
    count: int,
    size: int,
    generator: torch.Generator,
    min_zoom: float = 0.5,
    max_zoom: float = 1.0,
) -> torch.Tensor:
    """count×3×size×size float32 RGB [0, 1] crops on `photos.device`.

    Each crop covers a random fraction (min_zoom..max_zoom of the side) of a random stored
    photo, at a random position, flipped left-right with p=0.5, resampled bilinearly to `size`.
    """
    device = photos.device
    index = torch.randint(0, photos.shape[0], (count,), generator=generator, device="cpu")
    batch = photos[index.to(device)].permute(0, 3, 1, 2).float().div_(255.0)
    rand = torch.rand(count, 4, generator=generator).to(device)
    frac = min_zoom + (max_zoom - min_zoom) * rand[:, 0]  # crop side / photo side
    # Never upsample past the stored resolution by more than the crop needs.
    frac = torch.maximum(frac, torch.full_like(frac, min(1.0, size / photos.shape[1])))
    cx = (1.0 - frac) * (2.0 * rand[:, 1] - 1.0)
    cy = (1.0 - frac) * (2.0 * rand[:, 2] - 1.0)
    flip = torch.where(rand[:, 3] < 0.5, -1.0, 1.0)
    theta = torch.zeros(count, 2, 3, device=device)
    theta[:, 0, 0] = frac * flip
    theta[:, 0, 2] = cx
    theta[:, 1, 1] = frac
    theta[:, 1, 2] = cy
    grid = F.affine_grid(theta, [count, 3, size, size], align_corners=False)
    out = F.grid_sample(batch, grid, mode="bilinear", padding_mode="reflection",
                        align_corners=False)  # fmt: skip
    return out.clamp_(0.0, 1.0)


def synthetic_photos(count: int, size: int, seed: int) -> torch.Tensor:
    """count×size×size×3 uint8 smooth random images (gradients + blobs) for the tiny config."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float32) / size
    images = []
    for _ in range(count):
        image = np.zeros((size, size, 3), np.float32)
        for channel in range(3):
            a, b, c = rng.uniform(-1, 1, 3)
            image[..., channel] = 0.5 + 0.3 * (a * xx + b * yy) + 0.2 * np.sin(6 * c * xx + 3 * yy)
        for _ in range(4):
            cx, cy, r = rng.uniform(0, 1, 3)
            blob = ((xx - cx) ** 2 + (yy - cy) ** 2) < (0.05 + 0.2 * r) ** 2
            image[blob] = rng.uniform(0, 1, 3)
        images.append(np.clip(image * 255 + 0.5, 0, 255).astype(np.uint8))
    return torch.from_numpy(np.stack(images))


# ---- photos at their native size (denoise, upscale: detail must not be resampled) ------------


def load_images(sources: list[str]) -> list[np.ndarray]:
    """Every decodable photo (HxWx3 uint8 RGB, native size) in the folders / tar shards."""
    images = []
    for name, payload in iter_encoded(sources):
        image = _decode(payload)
        if image is None:
            log.warning("skipping unreadable image %s", name)
            continue
        images.append(image)
    if not images:
        raise ValueError("no images found in the training data sources")
    return images


def patches_and_held(sources: list[str], patch: int, seed: int, holdout: tuple[int, int, int],
                     multiple: int) -> tuple[torch.Tensor, list[np.ndarray]]:  # fmt: skip
    """(N×patch×patch×3 uint8 training patches, held-out photos) from the sources' photos at
    native size (without sources, 12 synthetic ones: the tiny configs). `holdout`: (every,
    at most, side) as split_holdout takes them; held-out sides are multiples of `multiple`."""
    started = time.monotonic()
    images = load_images(sources) if sources else list(synthetic_photos(12, patch, seed).numpy())
    train, held = split_holdout(images, *holdout, multiple)
    patches = cut_patches(train, patch)
    log.info("data: %d patches of %d px, %d photos held out; loaded in %.1fs",
             patches.shape[0], patch, len(held), time.monotonic() - started)  # fmt: skip
    return patches, held


def cut_patches(images: list[np.ndarray], patch: int) -> torch.Tensor:
    """N×patch×patch×3 uint8: non-overlapping squares of each image at native resolution
    (centred grid; an image smaller than `patch` is skipped)."""
    patches = []
    for image in images:
        height, width = image.shape[:2]
        rows, cols = height // patch, width // patch
        y0, x0 = (height - rows * patch) // 2, (width - cols * patch) // 2
        for r in range(rows):
            for c in range(cols):
                y, x = y0 + r * patch, x0 + c * patch
                patches.append(image[y : y + patch, x : x + patch])
    if not patches:
        raise ValueError(f"no training photo is at least {patch} px on its short side")
    return torch.from_numpy(np.stack(patches))


def split_holdout(images: list[np.ndarray], every: int, at_most: int, side: int,
                  multiple: int) -> tuple[list[np.ndarray], list[np.ndarray]]:  # fmt: skip
    """(training photos, held-out photos): every `every`-th photo, up to `at_most`, is held out
    whole, centre-cropped to at most `side` with sides a multiple of `multiple`."""
    held, train = [], []
    for i, image in enumerate(images):
        if i % every == every - 1 and len(held) < at_most:
            height, width = image.shape[:2]
            h = min(height, side) // multiple * multiple
            w = min(width, side) // multiple * multiple
            y0, x0 = (height - h) // 2, (width - w) // 2
            held.append(np.ascontiguousarray(image[y0 : y0 + h, x0 : x0 + w]))
        else:
            train.append(image)
    return train, held
