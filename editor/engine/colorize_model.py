"""Load the colorizer: the project's decoder (models/colorize.safetensors, sha256-pinned) on the
EfficientNet-Lite0 ImageNet encoder the model manager fetches (also pinned).

Torch is imported lazily: this module is only reached from a job.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from editor.engine.lite0_decoders import (
    ENCODER,  # noqa: F401  (the encoder's model name, read by callers)
    default_device,
    ensure_files,
    load_cached,
    load_decoder,
    load_encoder,
    working_size_of,
)

if TYPE_CHECKING:
    from editor.ml.loading import ModelCache
    from editor.ml.manager import ModelManager

DECODER = "colorize"
WORKING_SIZE = 256  # long side the photo is colorized at unless the weights' metadata says
RETRAIN = (
    "python -m editor.training colorize --data ../shared/data/train/diverse-00*.tar "
    "../shared/data/train/photos-000.tar --minutes 85 --out runs/colorize"
)


@dataclass(frozen=True)
class ColorizeModel:
    """A ready colorizer (eval mode, on `device`) and how it was trained to be run."""

    module: Any  # editor.ml.archs.colorizer.Colorizer
    device: str
    working_size: int  # long side (pixels) the image is resized to before prediction


def missing_decoder_message() -> str:
    return (
        "The colorize model (models/colorize.safetensors) is missing or does not match its "
        f"pinned sha256. Reinstall Retouch, or retrain it: `{RETRAIN}` and copy the exported "
        "file into models/ (see models/MODELS.md)."
    )


def load_colorizer(
    manager: ModelManager | None = None,
    progress: Callable[[float, str], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
    device: str | None = None,
    cache: ModelCache | None = None,
) -> ColorizeModel:
    """The colorizer on `device` (default: the best available), kept in `cache` (a job passes
    its own: the Settings' device and memory budget); JobError saying how to get what is
    missing."""
    decoder, encoder = ensure_files(DECODER, missing_decoder_message(), manager, progress,
                                    cancelled)  # fmt: skip
    device = device or default_device()
    module = load_cached(colorizer_module, decoder, encoder, missing_decoder_message(), device,
                         cache)  # fmt: skip
    return ColorizeModel(module, device, working_size_of(decoder, WORKING_SIZE))


def colorizer_from_files(
    decoder: str | Path, encoder: str | Path, device: str | None = None
) -> ColorizeModel:
    """Build the colorizer from a decoder file and a Lite0 file without the pins (benchmarks of
    candidate weights, tests). The app goes through `load_colorizer`."""
    device = device or default_device()
    module = colorizer_module(Path(decoder), Path(encoder), device)
    return ColorizeModel(module, device, working_size_of(decoder, WORKING_SIZE))


def colorizer_module(decoder: Path, encoder: Path, device: str) -> Any:
    """The Colorizer module (eval mode, frozen) on `device` from its two files."""
    from editor.ml.archs.colorizer import ColorDecoder, Colorizer
    from editor.ml.loading import load_state_dict_file

    bins = load_state_dict_file(decoder).get("bin_ab")
    if bins is None:
        raise ValueError(f"{decoder.name} is not a colorizer decoder (no bin_ab)")
    head = load_decoder(ColorDecoder(bins.shape[0]), decoder)
    return Colorizer(load_encoder(encoder), head).eval().requires_grad_(False).to(device)
