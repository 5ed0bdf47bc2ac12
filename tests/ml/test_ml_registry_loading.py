"""Registry rules, strict loading, safe import of official-style checkpoints, the LRU cache."""

from __future__ import annotations

import sys
from types import MappingProxyType

import pytest
import torch

from editor.ml.errors import ModelLoadError, UnknownModel, WeightsUnavailable
from editor.ml.loading import (
    ModelCache,
    build_and_load,
    load_state_dict_file,
    load_strict,
    parameter_bytes,
)
from editor.ml.manager import ModelManager
from editor.ml.registry import ModelSpec, Registry, default_registry


def _spec(name: str = "tiny", **changes) -> ModelSpec:
    fields = {
        "name": name,
        "task": "upscale",
        "title": "Tiny",
        "scale": 4,
        "arch": "editor.ml.archs.srvgg:SRVGGNetCompact",
        "arch_kwargs": MappingProxyType({"num_feat": 8, "num_conv": 3}),
        "weight_file": f"{name}.safetensors",
    }
    return ModelSpec(**{**fields, **changes})


def test_duplicate_names_are_errors():
    registry = Registry([_spec("a")])
    with pytest.raises(ValueError, match="duplicate model name 'a'"):
        registry.add(_spec("a"))
    with pytest.raises(ValueError, match="duplicate"):
        Registry([_spec("b"), _spec("b")])
    with pytest.raises(UnknownModel, match="known: a"):
        registry.get("zzz")


def test_builtin_registry_offers_fast_and_best_photo_and_illustration_upscalers():
    specs = default_registry().for_task("upscale")
    assert [spec.name for spec in specs] == ["photo-fast", "realesrgan-x4plus",
                                              "realesr-animevideov3"]  # fmt: skip
    titles = [spec.title for spec in specs]
    assert titles[0].startswith("Photo (fast)")  # first: selected when its weights are there
    assert titles[1].startswith("Photo (best, slow on CPU)")
    assert titles[2].startswith("Illustration / anime")  # it makes photos look drawn
    assert specs[0].sha256 is not None and not specs[0].sources  # shipped in models/, pinned


def test_registry_and_manager_do_not_import_torch():
    code = (
        "import sys; from editor.ml.manager import ModelManager; "
        "m = ModelManager(); m.is_available('realesrgan-x4plus'); "
        "import editor.engine.upscale; assert 'torch' not in sys.modules, 'torch imported'"
    )
    import subprocess

    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_strict_loading_names_the_offending_keys(make_srvgg):
    model = make_srvgg()
    state = dict(model.state_dict())
    state.pop("body.0.bias")
    state["extra.weight"] = torch.zeros(1)
    state["body.2.weight"] = torch.zeros(1, 1, 3, 3)
    with pytest.raises(ModelLoadError) as info:
        load_strict(make_srvgg(), state, "bad.pth")
    message = str(info.value)
    assert "missing keys ['body.0.bias']" in message
    assert "unexpected keys ['extra.weight']" in message
    assert "shape mismatch" in message and "body.2.weight" in message


def test_realesrgan_key_names():
    from editor.ml.archs.rrdbnet import build_rrdbnet_x4plus
    from editor.ml.archs.srvgg import build_srvgg_animevideov3

    keys = build_rrdbnet_x4plus().state_dict().keys()
    assert {"conv_first.weight", "body.22.rdb3.conv5.bias", "conv_body.weight"} <= set(keys)
    assert {"conv_up1.weight", "conv_up2.weight", "conv_hr.weight", "conv_last.bias"} <= set(keys)
    assert len(keys) == 2 * (1 + 23 * 15 + 5)
    srvgg = build_srvgg_animevideov3().state_dict()
    assert srvgg["body.0.weight"].shape == (64, 3, 3, 3) and srvgg["body.1.weight"].shape == (64,)
    assert srvgg["body.34.weight"].shape == (48, 64, 3, 3)


def test_weights_only_refuses_pickled_code(tmp_path):
    path = tmp_path / "evil.pth"
    torch.save({"params_ema": {"w": torch.zeros(1)}, "hook": ModelCache}, path)
    with pytest.raises(ModelLoadError, match="holds Python objects besides tensors"):
        load_state_dict_file(path)


@pytest.mark.parametrize("wrapper", ["params_ema", "params", None])
def test_import_official_style_checkpoint(tmp_path, make_srvgg, make_rrdbnet, wrapper):
    for make in (make_srvgg, make_rrdbnet):
        model = make(seed=5)
        state = model.state_dict()
        path = tmp_path / f"My_{type(model).__name__}_{wrapper}.pth"
        torch.save({wrapper: state} if wrapper else state, path)
        name = ModelManager().import_checkpoint(path)
        assert name.startswith("user-my-")
        fresh = ModelManager()  # a new process would rediscover it from the cache
        assert fresh.is_available(name)
        loaded = build_and_load(fresh.spec(name), fresh.locate(name))
        x = torch.rand(1, 3, 12, 10)
        torch.testing.assert_close(loaded(x), model(x))


def test_import_rejects_unknown_architectures(tmp_path):
    path = tmp_path / "other.pth"
    torch.save({"params_ema": {"fc.weight": torch.zeros(2, 2)}}, path)
    with pytest.raises(ModelLoadError, match="unrecognised"):
        ModelManager().import_checkpoint(path)


def test_offline_message_says_how_to_get_weights(tmp_path):
    manager = ModelManager(Registry([_spec("tiny")]), project_dir=tmp_path)
    assert not manager.is_available("tiny")
    assert manager.choices("upscale") == [("tiny", "Tiny", False)]
    with pytest.raises(WeightsUnavailable) as info:
        manager.ensure("tiny")
    assert "retouch models fetch tiny" in str(info.value)
    assert "retouch models import FILE" in str(info.value)


def test_project_models_folder_is_tried_first_and_pinned_by_sha256(tmp_path, make_srvgg):
    from editor.ml.hashing import sha256_file
    from editor.ml.manager import save_weights

    project = tmp_path / "models"
    path = save_weights(make_srvgg().state_dict(), project / "tiny.safetensors", {})
    good = ModelManager(Registry([_spec(sha256=sha256_file(path))]), project_dir=project)
    assert good.locate("tiny") == path
    wrong = ModelManager(Registry([_spec(sha256="0" * 64)]), project_dir=project)
    assert wrong.locate("tiny") is None


def test_lru_cache_is_bounded_by_parameter_bytes(make_srvgg):
    size = parameter_bytes(make_srvgg())
    cache = ModelCache(budget_bytes=2 * size)
    loads = []

    def loader(seed):
        def load():
            loads.append(seed)
            return make_srvgg(seed=seed)

        return load

    a = cache.get_or_load("a", loader(1))
    cache.get_or_load("b", loader(2))
    assert cache.get_or_load("a", loader(1)) is a  # hit, and "a" becomes most recent
    cache.get_or_load("c", loader(3))  # evicts "b", the least recently used
    assert cache.keys() == ["a", "c"] and loads == [1, 2, 3]
    assert cache.total_bytes <= 2 * size
    tiny = ModelCache(budget_bytes=1)
    tiny.get_or_load("x", loader(4))
    assert tiny.keys() == ["x"]  # the newest model is kept even over budget
