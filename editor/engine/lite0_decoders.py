"""What the decoders on frozen EfficientNet-Lite0 features (colorize, sketch → photo) share when
they load: the pinned decoder file and the pinned encoder through the model manager, each with a
message saying how to get it, and the two halves built from their files.

Torch is imported lazily: this module is only reached from a job.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from editor.engine.context import JobError

if TYPE_CHECKING:
    from editor.ml.manager import ModelManager

ENCODER = "efficientnet-lite0-imagenet"
Model = TypeVar("Model")


def missing_encoder_message() -> str:
    return (
        "This operation needs the EfficientNet-Lite0 ImageNet weights (17 MB, once): run "
        f"`retouch models fetch {ENCODER}` while online."
    )


def ensure_files(
    decoder: str,
    missing_decoder: str,
    manager: ModelManager | None = None,
    progress: Callable[[float, str], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> tuple[Path, Path]:
    """(decoder file, encoder file), verified by the manager; JobError saying how to get what
    is missing (`missing_decoder` for the decoder)."""
    from editor.ml.errors import FetchCancelled, ModelError

    if manager is None:
        from editor.engine.models import shared_manager

        manager = shared_manager()
    try:
        decoder_path = manager.ensure(decoder)
    except ModelError as exc:
        raise JobError(missing_decoder) from exc
    try:
        encoder_path = manager.ensure(ENCODER, progress, cancelled)
    except FetchCancelled:
        raise
    except ModelError as exc:
        raise JobError(f"{missing_encoder_message()} ({exc})") from exc
    return Path(decoder_path), Path(encoder_path)


def load_decoder(module: Any, path: str | Path) -> Any:
    """`module` (a decoder with random weights) loaded strictly from an exported fp16 file."""
    from editor.ml.loading import load_state_dict_file, load_strict

    state = load_state_dict_file(path)
    # Exports leave out batch norm's step counters (unused at inference).
    counters = {k: v for k, v in module.state_dict().items() if k.endswith("num_batches_tracked")}
    load_strict(module, {**counters, **{k: v.float() for k, v in state.items()}}, Path(path).name)
    return module


def load_encoder(path: str | Path) -> Any:
    """The frozen EfficientNet-Lite0 encoder from its file."""
    from editor.ml.archs.efficientnet_lite import EfficientNetLite0
    from editor.ml.loading import load_state_dict_file, load_strict

    backbone = EfficientNetLite0()
    load_strict(backbone, load_state_dict_file(path), Path(path).name)
    return backbone


def best_device() -> str:
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


def load_cached(build: Callable[[str, str], Model], decoder: Path, encoder: Path,
                missing_decoder: str) -> Model:  # fmt: skip
    """`build(decoder, encoder)`, once per process for the same files (a changed file, by its
    modification time, builds again); JobError with `missing_decoder` when a file is unusable."""
    from editor.ml.errors import ModelError

    try:
        return _built(build, str(decoder), decoder.stat().st_mtime_ns, str(encoder),
                      encoder.stat().st_mtime_ns)  # fmt: skip
    except (ModelError, ValueError) as exc:
        raise JobError(f"{missing_decoder} ({exc})") from exc


@functools.lru_cache(maxsize=4)  # the colorizer and the three sketch subjects
def _built(build: Callable[[str, str], Any], decoder: str, _dmtime: int, encoder: str,
           _emtime: int) -> Any:  # fmt: skip
    return build(decoder, encoder)
