"""Weight files are checked by sha256 before use, in the user cache too: a pinned model
accepts only its pinned bytes, a converted or imported file only the bytes Retouch wrote."""

from __future__ import annotations

import os
from types import MappingProxyType

from editor.ml import hashing
from editor.ml.manager import ModelManager, save_weights
from editor.ml.registry import ModelSpec, Registry, WheelSource
from editor.ml.trusted_cache import record_written

WHEEL = WheelSource("some-wheel", "1.0", MappingProxyType({"a.param": "1", "a.bin": "2"}),
                    "a.param", "a.bin")  # fmt: skip


def _spec(**changes) -> ModelSpec:
    fields = {
        "name": "tiny",
        "task": "upscale",
        "title": "Tiny",
        "scale": 4,
        "arch": "editor.ml.archs.srvgg:SRVGGNetCompact",
        "arch_kwargs": MappingProxyType({"num_feat": 8, "num_conv": 3}),
        "weight_file": "tiny.safetensors",
        "sources": (WHEEL,),
    }
    return ModelSpec(**{**fields, **changes})


def _meta(spec: ModelSpec, source: str) -> dict[str, str]:
    return {"format": "retouch-weights-1", "name": spec.name, "arch": spec.arch, "source": source}


def _flip_a_byte(path) -> None:
    data = bytearray(path.read_bytes())
    data[-5] ^= 0x01  # inside the tensor data: the header (metadata) still reads fine
    path.write_bytes(bytes(data))


def test_a_forged_cache_file_is_not_used_for_a_pinned_model(make_srvgg, tmp_path):
    shipped = save_weights(make_srvgg(seed=1).state_dict(), tmp_path / "shipped.st", {})
    spec = _spec(sha256=hashing.sha256_file(shipped), sources=())
    manager = ModelManager(Registry([spec]), project_dir=tmp_path / "models")
    forged = manager.cache_models_dir / spec.weight_file
    save_weights(make_srvgg(seed=2).state_dict(), forged, _meta(spec, "import:0000"))
    record_written(forged)  # even a recorded file must match the pin
    assert manager.locate("tiny") is None

    os.replace(shipped, forged)  # the pinned bytes are fine wherever they are
    assert manager.locate("tiny") == forged


def test_a_converted_cache_file_is_used_only_while_its_bytes_are_unchanged(make_srvgg, tmp_path):
    spec = _spec()
    manager = ModelManager(Registry([spec]), project_dir=tmp_path / "models")
    path = manager._keep(make_srvgg().state_dict(), spec, _meta(spec, WHEEL.fingerprint))
    assert manager.locate("tiny") == path
    _flip_a_byte(path)
    assert ModelManager(Registry([spec]), project_dir=tmp_path / "models").locate("tiny") is None


def test_a_cache_file_retouch_did_not_write_is_not_used(make_srvgg, tmp_path):
    spec = _spec()
    manager = ModelManager(Registry([spec]), project_dir=tmp_path / "models")
    target = manager.cache_models_dir / spec.weight_file
    save_weights(make_srvgg().state_dict(), target, _meta(spec, WHEEL.fingerprint))
    assert manager.locate("tiny") is None  # plausible metadata, but no recorded digest
    record_written(target)
    assert manager.locate("tiny") == target


def test_an_import_claim_does_not_stand_in_for_a_registered_source(make_srvgg, tmp_path):
    spec = _spec()
    manager = ModelManager(Registry([spec]), project_dir=tmp_path / "models")
    manager._keep(make_srvgg().state_dict(), spec, _meta(spec, "import:0000"))
    assert manager.locate("tiny") is None


def test_each_file_is_hashed_once_per_process_until_it_changes(make_srvgg, tmp_path, monkeypatch):
    calls: list[str] = []
    real = hashing.sha256_file
    monkeypatch.setattr(hashing, "sha256_file", lambda p: calls.append(str(p)) or real(p))
    monkeypatch.setattr(hashing, "_memo", {})
    path = save_weights(make_srvgg().state_dict(), tmp_path / "models" / "tiny.safetensors", {})
    spec = _spec(sha256=real(path), sources=())
    for _ in range(3):
        assert ModelManager(Registry([spec]), project_dir=tmp_path / "models").locate("tiny")
    assert len(calls) == 1
    stamp = path.stat().st_mtime_ns + 5_000_000_000
    os.utime(path, ns=(stamp, stamp))  # touched: hashed again
    assert ModelManager(Registry([spec]), project_dir=tmp_path / "models").locate("tiny")
    assert len(calls) == 2
