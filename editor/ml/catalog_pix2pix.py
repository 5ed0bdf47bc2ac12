"""Spec of the pix2pix model the project trains and ships in models/ (no torch import).

The file is pinned by sha256: the manager accepts models/<weight_file> only when its hash
matches, so a damaged or swapped file is never loaded. It has no download source: missing
weights are retrained with the command in models/MODELS.md.
"""

from __future__ import annotations

from editor.ml.registry import ModelSpec

SKETCH_ARCH = "editor.ml.archs.pix2pix:build_sketch_generator"

SKETCH_SHA256 = "5517d3ae40a0fe1fe219c13d47c1735c2cf4208411b693fbb91166b4cc4ebb37"

LICENCE = "Retouch's own weights, trained on research-only photos (see models/MODELS.md)"

SKETCH2PHOTO = ModelSpec(
    name="sketch2photo",
    task="sketch2photo",
    title="Sketch to photo — pix2pix",
    scale=1,
    arch=SKETCH_ARCH,
    weight_file="sketch2photo.safetensors",
    sha256=SKETCH_SHA256,
    licence=LICENCE,
    input_contract=(
        "float32 N×1×H×W sketch in [-1, 1] (1 = paper, −1 = ink); H, W multiples of 16; "
        "output N×3×H×W RGB in [-1, 1]"
    ),
    quality="see models/MODELS.md (bench/sketch_quality.py)",
)

PIX2PIX_SPECS: list[ModelSpec] = [SKETCH2PHOTO]
