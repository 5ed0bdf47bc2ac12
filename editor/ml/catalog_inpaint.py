"""Spec of Erase's model, which the project trains and ships in models/ (no torch import).

The file is pinned by sha256 (the manager accepts models/erase_fill.safetensors only when its
hash matches; the card is in models/MODELS.md). Its architecture and config are in the file's
metadata, so it is read with editor.ml.inpaint_nets.load_safetensors rather than built from
`arch_kwargs`. No download source: a missing file is retrained with the command in the card.
"""

from __future__ import annotations

from editor.ml.registry import ModelSpec

INPAINT_SHA256 = "c175299a3d03bdc9b9236ef906fac7838e561f7936980f0ba2aa9ef1bff422d4"

INPAINT = ModelSpec(
    name="erase-fill",
    task="inpaint",
    title="Erase — push-pull fill network with Fourier blocks",
    scale=1,
    arch="editor.ml.archs.fill_net:FillNet",
    weight_file="erase_fill.safetensors",
    sha256=INPAINT_SHA256,
    licence="BSD-3-Clause (the project's own weights; see models/MODELS.md)",
    input_contract=(
        "float32 NCHW RGB in [0, 1] with the hole zeroed, plus the 1xHxW known mask (1 = known); "
        "output NCHW RGB in [0, 1]; working size in the file's metadata"
    ),
    quality="best of all Erase methods on both perceptual measures; +0.4 to +1.0 dB over Telea "
    "(bench/inpaint_quality.py, models/MODELS.md): the default",
)
