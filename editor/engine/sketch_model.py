"""Load a subject's sketcher: the project's decoder (models/sketch-<subject>.safetensors,
sha256-pinned) on the EfficientNet-Lite0 ImageNet encoder the model manager fetches (pinned).

Torch is imported lazily: this module is only reached from a job.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from editor.engine import lite0_decoders as lite0
from editor.engine.context import JobError
from editor.ml.catalog_sketch import SUBJECTS, model_name

if TYPE_CHECKING:
    from typing_extensions import Unpack

WORKING_SIZE = 192  # long side a drawing is rendered at unless the weights' metadata says

SketchModel = lite0.Lite0Model  # a ready sketcher (module: editor.ml.archs.sketcher.Sketcher)


def retrain_command(subject: str) -> str:
    return (
        f"python -m editor.training sketch --subject {subject} --data "
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


def load_sketcher(subject: str, **options: Unpack[lite0.LoadOptions]) -> SketchModel:
    """The subject's sketcher (lite0_decoders.load_model: pinned files, the options' device and
    cache)."""
    if subject not in SUBJECTS:
        raise JobError(f"Unknown sketch subject {subject!r}: choose one of {', '.join(SUBJECTS)}.")
    message = missing_decoder_message(subject)
    return lite0.load_model(model_name(subject), sketcher_module, message, WORKING_SIZE,
                            **options)  # fmt: skip


def sketcher_from_files(
    decoder: str | Path, encoder: str | Path, device: str | None = None
) -> SketchModel:
    """A sketcher from candidate files, without the pins (benchmarks, tests)."""
    return lite0.model_from_files(sketcher_module, decoder, encoder, WORKING_SIZE, device)


def sketcher_module(decoder: Path, encoder: Path, device: str) -> Any:
    """The Sketcher module (eval mode, frozen) on `device` from its two files."""
    from editor.ml.archs.sketcher import Sketcher, decoder_for
    from editor.ml.loading import load_state_dict_file

    state = load_state_dict_file(decoder)  # read once: its names choose the layout
    head = lite0.load_decoder(decoder_for(state), decoder, state)
    return Sketcher(lite0.load_encoder(encoder), head).eval().requires_grad_(False).to(device)
