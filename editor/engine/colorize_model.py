"""Load the colorizer: the project's decoder (models/colorize.safetensors, sha256-pinned) on the
EfficientNet-Lite0 ImageNet encoder the model manager fetches (also pinned).

Torch is imported lazily: this module is only reached from a job.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from editor.engine.lite0_decoders import (
    ENCODER,  # noqa: F401  (the encoder's model name, read by callers)
    Lite0Model,
    LoadOptions,
    load_decoder,
    load_encoder,
    load_model,
    model_from_files,
)

if TYPE_CHECKING:
    from typing_extensions import Unpack

DECODER = "colorize"
WORKING_SIZE = 256  # long side the photo is colorized at unless the weights' metadata says
RETRAIN = (
    "python -m editor.training colorize --data ../shared/data/train/diverse-00*.tar "
    "../shared/data/train/photos-000.tar --minutes 85 --out runs/colorize"
)


ColorizeModel = Lite0Model  # a ready colorizer (module: editor.ml.archs.colorizer.Colorizer)


def missing_decoder_message() -> str:
    return (
        "The colorize model (models/colorize.safetensors) is missing or does not match its "
        f"pinned sha256. Reinstall Retouch, or retrain it: `{RETRAIN}` and copy the exported "
        "file into models/ (see models/MODELS.md)."
    )


def load_colorizer(**options: Unpack[LoadOptions]) -> ColorizeModel:
    """The colorizer (lite0_decoders.load_model: pinned files, the options' device and cache)."""
    return load_model(DECODER, colorizer_module, missing_decoder_message(), WORKING_SIZE,
                      **options)  # fmt: skip


def colorizer_from_files(
    decoder: str | Path, encoder: str | Path, device: str | None = None
) -> ColorizeModel:
    """The colorizer from candidate files, without the pins (benchmarks, tests)."""
    return model_from_files(colorizer_module, decoder, encoder, WORKING_SIZE, device)


def colorizer_module(decoder: Path, encoder: Path, device: str) -> Any:
    """The Colorizer module (eval mode, frozen) on `device` from its two files."""
    from editor.ml.archs.colorizer import ColorDecoder, Colorizer
    from editor.ml.loading import load_state_dict_file

    bins = load_state_dict_file(decoder).get("bin_ab")
    if bins is None:
        raise ValueError(f"{decoder.name} is not a colorizer decoder (no bin_ab)")
    head = load_decoder(ColorDecoder(bins.shape[0]), decoder)
    return Colorizer(load_encoder(encoder), head).eval().requires_grad_(False).to(device)
