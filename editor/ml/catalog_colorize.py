"""Spec of the colorizer's decoder, which the project trains and ships in models/ (no torch).

The file is pinned by sha256 (the manager accepts models/colorize.safetensors only when its hash
matches). It holds the decoder only: the encoder is the EfficientNet-Lite0 ImageNet model the
manager fetches (catalog.EFFICIENTNET_LITE0_IMAGENET). No download source: missing weights are
retrained with the command in models/MODELS.md.
"""

from __future__ import annotations

from types import MappingProxyType

from editor.ml.registry import PROJECT_LICENCE, ModelSpec

COLORIZE_SHA256 = "f43f5749f46de1abe9adaa0f748a8904eee0544a0a23fc7fcd15bdd9432abc67"
NUM_BINS = 240

COLORIZE = ModelSpec(
    name="colorize",
    task="colorize",
    title="Colorize — ab-bin decoder on EfficientNet-Lite0 (hints)",
    scale=1,
    arch="editor.ml.archs.colorizer:build_decoder",
    arch_kwargs=MappingProxyType({"num_bins": NUM_BINS}),
    weight_file="colorize.safetensors",
    sha256=COLORIZE_SHA256,
    licence=PROJECT_LICENCE,
    input_contract=(
        "decoder of editor.ml.archs.colorizer: Lite0 features of gray RGB (sides multiples "
        "of 32) + 3 hint channels at 1/4 size → logits over the bins in `bin_ab` at 1/4 size"
    ),
    quality="see models/MODELS.md (bench/colorize_quality.py)",
)
