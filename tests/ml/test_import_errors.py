"""`retouch models import` on a file it cannot use says what the file is not and what is
accepted, in one line, never torch's advice to load with weights_only=False."""

from __future__ import annotations

import pytest
import torch

from editor.cli import main


def _import(path, capsys) -> str:
    assert main(["models", "import", str(path)]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert "weights_only" not in err and "issue" not in err.lower()
    assert "Retouch imports a .pth or .pt checkpoint holding only tensors" in err
    return err


@pytest.mark.parametrize("suffix", [".pth", ".pt", ".bin"])
def test_a_file_that_is_no_checkpoint(tmp_path, capsys, suffix):
    path = tmp_path / f"notes{suffix}"
    path.write_text("hello")
    assert "is not a PyTorch checkpoint" in _import(path, capsys)


def test_a_checkpoint_with_python_objects(tmp_path, capsys):
    path = tmp_path / "pickled.pth"
    torch.save({"weight": torch.zeros(2), "hook": print}, path)
    assert "holds Python objects besides tensors" in _import(path, capsys)


def test_a_checkpoint_without_tensors_and_a_broken_safetensors(tmp_path, capsys):
    path = tmp_path / "numbers.pth"
    torch.save({"epoch": 3}, path)
    assert "does not hold a state dict of tensors" in _import(path, capsys)
    broken = tmp_path / "broken.safetensors"
    broken.write_bytes(b"\x00" * 64)
    assert "is not a valid .safetensors file" in _import(broken, capsys)
