"""tools/gpu_train.py: the packed data keeps the subjects' names within the per-subject cap, and
the run plans every trainer on CUDA with the packed files (it refuses to run without CUDA)."""

from __future__ import annotations

import importlib.util
import io
import tarfile
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

TOOL = Path(__file__).resolve().parents[1] / "tools" / "gpu_train.py"


@pytest.fixture
def tool():
    spec = importlib.util.spec_from_file_location("gpu_train", TOOL)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _shard(path: Path, names: list[str]) -> Path:
    with tarfile.open(path, "w") as archive:
        for name in names:
            encoded = io.BytesIO()
            Image.fromarray(np.full((160, 240, 3), 90, np.uint8)).save(encoded, "JPEG")
            member = tarfile.TarInfo(name)
            member.size = encoded.tell()
            encoded.seek(0)
            archive.addfile(member, encoded)
    return path


def test_pack_keeps_names_caps_each_subject_and_shrinks(tool, tmp_path, monkeypatch):
    pytest.importorskip("torch")
    from editor.training import features

    lite0 = tmp_path / "lite0.pth"
    lite0.write_bytes(b"weights")
    monkeypatch.setattr(features, "weights_path", lambda explicit=None: lite0)
    names = [f"animals_cats_{i}.jpg" for i in range(6)] + ["objects_cars_0.jpg",
             "people_lfw_0.jpg", "glacier_1.jpg"]  # fmt: skip
    shard = _shard(tmp_path / "train.tar", names)
    tool.pack([str(shard)], tmp_path / "out", per_subject=2)
    with tarfile.open(tmp_path / "out" / tool.PHOTOS) as archive:
        packed = archive.getnames()
        first = Image.open(archive.extractfile(packed[0]))
        assert min(first.size) == tool.SIDE
    assert packed == ["animals_cats_0.jpg", "animals_cats_3.jpg", "glacier_1.jpg",
                      "people_lfw_0.jpg"]  # fmt: skip
    assert (tmp_path / "out" / tool.LITE0).read_bytes() == b"weights"


def test_the_run_plans_every_trainer_on_cuda_with_the_packed_files(tool, tmp_path, capsys):
    plan = tool.commands(tmp_path, tmp_path / "out", 7.0, ["erase", "upscale", "sketch-people"])
    for job, command in plan.items():
        assert command[command.index("--device") + 1] == "cuda"
        assert command[command.index("--data") + 1] == str(tmp_path / tool.PHOTOS)
        assert command[command.index("--out") + 1] == str(tmp_path / "out" / job)
    assert "--feature-weights" in plan["erase"] and "--init" in plan["sketch-people"]
    with pytest.raises(SystemExit, match="unknown jobs"):
        tool.commands(tmp_path, tmp_path, 1.0, ["colourise"])
    assert tool.main(["run", "--out", str(tmp_path), "--dry-run"]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 5


def test_the_run_refuses_without_cuda(tool, tmp_path, monkeypatch):
    torch = pytest.importorskip("torch")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert tool.main(["run", "--out", str(tmp_path), "--jobs", "erase"]) == 2
    assert not (tmp_path / "erase").exists()


def test_the_gpu_configs_fit_the_packed_photos(tool):
    """Every job's GPU config reads photos no larger than the packed ones (no patch would be
    cut, or the photos would be upsampled)."""
    pytest.importorskip("torch")
    from editor.training import train_inpaint, train_sketcher, train_upscale

    assert train_upscale.CONFIGS["full"].patch <= tool.SIDE
    assert train_inpaint.CONFIGS["fill-full"].store <= tool.SIDE
    assert train_sketcher.CONFIGS["full"].size <= tool.SIDE
