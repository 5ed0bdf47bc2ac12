"""What the decoders on frozen EfficientNet-Lite0 features (colorize, sketch → photo) share when
they load: the pinned decoder file and the pinned encoder through the model manager, each with a
message saying how to get it, and the two halves built from their files.

Torch is imported lazily: this module is only reached from a job.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypedDict

from editor.engine.context import JobContext, JobError

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from editor.ml.loading import ModelCache
    from editor.ml.manager import ModelManager

ENCODER = "efficientnet-lite0-imagenet"


@dataclass(frozen=True)
class Lite0Model:
    """A ready encoder + decoder module (eval mode, frozen, on `device`) and the long side
    (pixels) an image is resized to before it runs."""

    module: Any
    device: str
    working_size: int


# build(decoder file, encoder file, device) -> the module (a loader's *_module function)
ModuleBuilder = Callable[[Path, Path, str], Any]


class LoadOptions(TypedDict, total=False):
    """Where a loader gets its files and puts the model (all optional)."""

    manager: ModelManager | None  # default: one over models/ and the user cache
    progress: Callable[[float, str], None] | None  # the encoder's download
    cancelled: Callable[[], bool] | None
    device: str | None  # default: the best available
    cache: ModelCache | None  # a job passes its own (the Settings' memory budget)


def load_model(
    decoder_name: str,
    build: ModuleBuilder,
    missing_decoder: str,
    default_working_size: int,
    **options: Unpack[LoadOptions],
) -> Lite0Model:
    """The pinned decoder `decoder_name` on the pinned encoder, built by `build` on the device
    and kept in the cache the options give; JobError saying how to get what is missing."""
    decoder, encoder = ensure_files(decoder_name, missing_decoder, options.get("manager"),
                                    options.get("progress"), options.get("cancelled"))  # fmt: skip
    device = options.get("device") or default_device()
    module = load_cached(build, decoder, encoder, missing_decoder, device, options.get("cache"))
    return Lite0Model(module, device, working_size_of(decoder, default_working_size))


def job_load_options(ctx: JobContext) -> LoadOptions:
    """A job's: its manager, progress and Cancel, the Settings' device and its model cache."""
    return LoadOptions(manager=ctx.models.manager(), progress=ctx.progress,
                       cancelled=ctx.is_cancelled, device=str(ctx.policy().device),
                       cache=ctx.runtime.cache)  # fmt: skip


def model_from_files(
    build: ModuleBuilder,
    decoder: str | Path,
    encoder: str | Path,
    default_working_size: int,
    device: str | None = None,
) -> Lite0Model:
    """The model from a decoder file and a Lite0 file without the pins (benchmarks of candidate
    weights, tests); the app goes through `load_model`."""
    device = device or default_device()
    module = build(Path(decoder), Path(encoder), device)
    return Lite0Model(module, device, working_size_of(decoder, default_working_size))


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


def load_decoder(module: Any, path: str | Path, state: dict[str, Any] | None = None) -> Any:
    """`module` (a decoder with random weights) loaded strictly from an exported fp16 file
    (`state`: its tensors, when the caller has read them already)."""
    from editor.ml.loading import load_state_dict_file, load_strict

    state = state if state is not None else load_state_dict_file(path)
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


def default_device() -> str:
    """The device a loader called without a job uses (benchmarks, tests): the best available,
    or $RETOUCH_DEVICE. Jobs pass the Settings' (`JobContext.policy()`)."""
    from editor.engine.devices import pick_policy

    return str(pick_policy().device)


def load_cached(
    build: Callable[[Path, Path, str], Any],
    decoder: Path,
    encoder: Path,
    missing_decoder: str,
    device: str,
    cache: ModelCache | None = None,
) -> Any:
    """The module `build(decoder, encoder, device)` makes, kept in `cache` (the job's model
    cache, bounded by the Settings' memory budget) under the files' identity and the device, so
    a changed file builds again; without a cache it is built each call. JobError with
    `missing_decoder` when a file is unusable."""
    from editor.ml.errors import ModelError

    try:
        key = (build.__module__, build.__qualname__, str(decoder), decoder.stat().st_mtime_ns,
               str(encoder), encoder.stat().st_mtime_ns, device)  # fmt: skip
        if cache is None:
            return build(decoder, encoder, device)
        return cache.get_or_load(key, lambda: build(decoder, encoder, device))
    except (ModelError, ValueError, OSError) as exc:
        raise JobError(f"{missing_decoder} ({exc})") from exc


def working_size_of(decoder: str | Path, default: int) -> int:
    """The long side the decoder was trained to run at (its metadata), else `default`."""
    from editor.ml.safetensors_meta import read_safetensors_metadata

    return int(read_safetensors_metadata(decoder).get("working_size", str(default)))
