"""Load the shipped pix2pix generator (sketch2photo) through the model manager.

The manager finds models/<file> only when its sha256 matches the pin in
editor.ml.catalog_pix2pix, so a damaged or swapped file is refused. Torch is imported lazily:
this module is only reached from a job.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from editor.engine.context import JobError

if TYPE_CHECKING:
    from editor.ml.manager import ModelManager

RETRAIN = {
    "sketch2photo": "python -m editor.training sketch2photo --data ../shared/data/train/*.tar "
    "--eval ../shared/data/eval/photos --minutes 20 --out runs/sketch2photo",
}


@dataclass(frozen=True)
class Generator:
    """A ready generator (eval mode, on `device`) and the long side it was made to run at."""

    module: Any  # editor.ml.archs.pix2pix.UNetGenerator
    working_size: int
    device: str


def missing_message(name: str) -> str:
    return (
        f"The {name} model (models/{name}.safetensors) is missing or does not match its "
        f"pinned sha256. Reinstall Retouch, or retrain it: `{RETRAIN[name]}` and copy the "
        "exported file into models/ (see models/MODELS.md)."
    )


def _manager(name: str) -> ModelManager:
    from editor.engine.models import shared_manager

    return shared_manager()


def load_generator(name: str, manager: ModelManager | None = None) -> Generator:
    """The named generator on the best device; JobError (how to get it) when unavailable."""
    from editor.ml.errors import ModelError

    manager = manager or _manager(name)
    try:
        path = manager.ensure(name)
    except ModelError as exc:
        raise JobError(missing_message(name)) from exc
    return _load(name, str(path), Path(path).stat().st_mtime_ns)


@functools.lru_cache(maxsize=2)
def _load(name: str, path: str, _mtime: int) -> Generator:
    """Cached per (file, modification time): weights load once per process."""
    from editor.ml.errors import ModelError

    try:
        return generator_from_file(name, path)
    except (ModelError, ValueError) as exc:
        raise JobError(f"{missing_message(name)} ({exc})") from exc


def generator_from_file(name: str, path: str | Path) -> Generator:
    """Load a generator file of model `name` without the sha256 pin (benchmarks of candidate
    weights, tests). The app goes through `load_generator`."""
    import torch

    from editor.ml.catalog_pix2pix import PIX2PIX_SPECS
    from editor.ml.loading import build_and_load
    from editor.ml.safetensors_meta import read_safetensors_metadata

    spec = next(s for s in PIX2PIX_SPECS if s.name == name)
    module = build_and_load(spec, path)
    working = int(read_safetensors_metadata(path).get("working_size", "128"))
    device = "cuda" if torch.cuda.is_available() else "cpu"
    return Generator(module.to(device), working, device)


def working_shape(height: int, width: int, working_size: int) -> tuple[int, int]:
    """(h, w) with the long side at most `working_size` (never enlarged), aspect kept."""
    scale = min(1.0, working_size / max(height, width))
    return max(1, round(height * scale)), max(1, round(width * scale))
