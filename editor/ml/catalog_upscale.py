"""The project's own photo upscaler (spec only; no weights, no torch import).

Trained by `python -m editor.training upscale` (editor/training/train_upscale.py) and shipped as
models/upscale_photo_fast.safetensors; the sha256 pins the shipped file (a retrained file needs
a new pin here and a new card in models/MODELS.md).
"""

from __future__ import annotations

from types import MappingProxyType

from editor.ml.registry import ModelSpec

PHOTO_FAST_SHA256 = "3f512cd5b3797e69da74f0955cf50cf550bac28495d85aab7b0af575b89358e8"

PHOTO_FAST = ModelSpec(
    name="photo-fast",
    task="upscale",
    title="Photo (fast) — Retouch compact",
    scale=4,
    arch="editor.ml.archs.srvgg:SRVGGNetCompact",
    arch_kwargs=MappingProxyType({"num_feat": 48, "num_conv": 12, "upscale": 4}),
    weight_file="upscale_photo_fast.safetensors",
    sha256=PHOTO_FAST_SHA256,
    licence=(
        "BSD-3-Clause (the project's own weights; trained on BSDS300 train images and the "
        "project's training photos, research data that is not shipped)"
    ),
    input_contract="float32 NCHW RGB in [0, 1], any size; output NCHW RGB x4 (clamp to [0, 1])",
    quality=(
        "x4 PSNR-Y/SSIM-Y (border 4): Set5 31.18 dB / 0.8792, Set14 28.04 / 0.7667 (bicubic "
        "28.43 / 0.8111, 26.09 / 0.7048; FSRCNN 30.72 on Set5); 1 MP x4 in 8.0 s on 2 CPU "
        "threads (bench/upscale_quality.py, bench/upscale_speed.py)."
    ),
)
