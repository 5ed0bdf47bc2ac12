"""Load a subject's sketcher: the project's decoder (models/sketch-<subject>.safetensors,
sha256-pinned) on the EfficientNet-Lite0 ImageNet encoder the model manager fetches (pinned).

Torch is imported lazily: this module is only reached from a job.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from editor.engine.context import JobError
from editor.engine.lite0_decoders import (
    default_device,
    ensure_files,
    load_cached,
    load_decoder,
    load_encoder,
    working_size_of,
)
from editor.ml.catalog_sketch import SUBJECTS, model_name

if TYPE_CHECKING:
    from editor.ml.loading import ModelCache
    from editor.ml.manager import ModelManager

WORKING_SIZE = 192  # long side a drawing is rendered at unless the weights' metadata says


@dataclass(frozen=True)
class SketchModel:
    """A ready sketcher (eval mode, on `device`) and the long side it renders at."""

    module: Any  # editor.ml.archs.sketcher.Sketcher
    device: str
    working_size: int


def retrain_command(subject: str) -> str:
    return (
        f"python -m editor.training sketch --subject {subject} --config cpu-tuned --data "
        f"../shared/data/train/diverse-00*.tar ../shared/data/train/photos-000.tar --minutes 30 "
        f"--out runs/sketch"
    )


def missing_decoder_message(subject: str) -> str:
    name = model_name(subject)
    return (
        f"The sketch model for {SUBJECTS[subject][0].lower()} (models/{name}.safetensors) is "
        "missing or does not match its pinned sha256. Reinstall Retouch, or retrain it: "
        f"`{retrain_command(subject)}` and copy the exported file into models/ (see "
        "models/MODELS.md)."
    )


def load_sketcher(
    subject: str,
    manager: ModelManager | None = None,
    progress: Callable[[float, str], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
    device: str | None = None,
    cache: ModelCache | None = None,
) -> SketchModel:
    """The subject's sketcher on `device` (default: the best available), kept in `cache` (a job
    passes its own: the Settings' device and memory budget); JobError saying how to get what
    is missing."""
    if subject not in SUBJECTS:
        raise JobError(f"Unknown sketch subject {subject!r}: choose one of {', '.join(SUBJECTS)}.")
    decoder, encoder = ensure_files(model_name(subject), missing_decoder_message(subject),
                                    manager, progress, cancelled)  # fmt: skip
    device = device or default_device()
    module = load_cached(sketcher_module, decoder, encoder, missing_decoder_message(subject),
                         device, cache)  # fmt: skip
    return SketchModel(module, device, working_size_of(decoder, WORKING_SIZE))


def sketcher_from_files(
    decoder: str | Path, encoder: str | Path, device: str | None = None
) -> SketchModel:
    """Build a sketcher from a decoder file and a Lite0 file without the pins (benchmarks of
    candidate weights, tests). The app goes through `load_sketcher`."""
    device = device or default_device()
    module = sketcher_module(Path(decoder), Path(encoder), device)
    return SketchModel(module, device, working_size_of(decoder, WORKING_SIZE))


def sketcher_module(decoder: Path, encoder: Path, device: str) -> Any:
    """The Sketcher module (eval mode, frozen) on `device` from its two files."""
    from editor.ml.archs.sketcher import Sketcher, decoder_for
    from editor.ml.loading import load_state_dict_file

    head = load_decoder(decoder_for(load_state_dict_file(decoder)), decoder)
    return Sketcher(load_encoder(encoder), head).eval().requires_grad_(False).to(device)
