"""bench/gpu.py on a CPU: it refuses to report CPU figures as GPU ones, and its plumbing
(every case, tiny images) runs and writes a JSON marked as a plumbing run."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")

BENCH = Path(__file__).resolve().parents[1] / "bench" / "gpu.py"


@pytest.fixture(scope="module")
def gpu_bench():
    spec = importlib.util.spec_from_file_location("gpu_bench", BENCH)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    yield module
    sys.modules.pop(spec.name, None)


def test_without_cuda_it_stops_and_measures_nothing(gpu_bench, monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    out = tmp_path / "gpu.json"
    with pytest.raises(SystemExit) as info:
        gpu_bench.main(["--json", str(out)])
    assert "no" in str(info.value.code) and "nothing was measured" in str(info.value.code)
    assert info.value.code != 0
    assert not out.exists()
    assert "engine_s" not in capsys.readouterr().out


def test_a_cuda_machine_whose_engine_would_use_the_cpu_is_refused(gpu_bench, monkeypatch):
    # A CUDA device is there but the engine is told to use the CPU: its figures would be CPU
    # figures under a GPU's name.
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setenv("RETOUCH_DEVICE", "cpu")
    with pytest.raises(gpu_bench.NotOnGpu, match="would run on cpu"):
        gpu_bench.require_gpu(plumbing=False)


def test_a_model_left_on_the_cpu_is_refused(gpu_bench):
    from editor.engine.devices import DevicePolicy

    cuda = DevicePolicy(torch.device("cuda"), torch.float16, channels_last=True)
    with pytest.raises(gpu_bench.NotOnGpu, match="ran on cpu"):
        gpu_bench.on_device(torch.nn.Conv2d(3, 3, 1), cuda, plumbing=False)


def test_the_plumbing_run_measures_every_case_and_says_it_is_no_gpu_run(
    gpu_bench, tmp_path, capsys
):
    out = tmp_path / "gpu.json"
    assert gpu_bench.main(["--plumbing", "--repeats", "1", "--json", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "NOT GPU figures" in printed
    report = json.loads(out.read_text())
    assert report["plumbing"] is True and report["gpu"] is None
    assert list(report["cases"]) == list(gpu_bench.CASES)
    for name, figures in report["cases"].items():
        assert figures["engine_s"] > 0, name
        assert figures.get("bare_s", figures.get("bare_s_per_mpx", 0)) > 0, name
    assert report["cases"]["upscale-4k"]["ratio_per_pixel"] > 0
    assert report["cases"]["stylize-512"]["evaluations"] >= 2
