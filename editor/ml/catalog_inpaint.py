"""Spec of Erase's model, which the project trains and ships in models/ (no torch import).

The file is pinned by sha256 (the manager accepts models/pconv_inpaint.safetensors only when
its hash matches; the card is in models/MODELS.md). Its architecture config is in the file's
metadata, so it is read with editor.ml.archs.pconv_unet.load_safetensors rather than built from
`arch_kwargs`. No download source: a missing file is retrained with the command in the card.
"""

from __future__ import annotations

from editor.ml.registry import ModelSpec

INPAINT_SHA256 = "6c528e4c8d045a430fc8a734492385a289b80185f82c7e53195d2948fbb09464"

INPAINT = ModelSpec(
    name="pconv-inpaint",
    task="inpaint",
    title="Erase — partial-convolution U-Net (Liu et al. 2018)",
    scale=1,
    arch="editor.ml.archs.pconv_unet:PConvUNet",
    weight_file="pconv_inpaint.safetensors",
    sha256=INPAINT_SHA256,
    licence="BSD-3-Clause (the project's own weights; see models/MODELS.md)",
    input_contract=(
        "float32 NCHW RGB in [0, 1] with the hole zeroed, plus the 1xHxW known mask (1 = known); "
        "output NCHW RGB in [0, 1]; working size in the file's metadata"
    ),
    quality="below Telea on bench/inpaint_quality.py (models/MODELS.md): not the default",
)
