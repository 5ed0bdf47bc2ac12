"""Specs of the two pix2pix models the project trains and ships in models/ (no torch import).

Both files are pinned by sha256: the manager accepts models/<weight_file> only when its hash
matches, so a damaged or swapped file is never loaded. They have no download source: missing
weights are retrained with the command in models/MODELS.md.
"""

from __future__ import annotations

from editor.ml.registry import ModelSpec

COLORIZE_ARCH = "editor.ml.archs.pix2pix:build_colorize_generator"
SKETCH_ARCH = "editor.ml.archs.pix2pix:build_sketch_generator"

COLORIZE_SHA256 = "dc73859a6596f6b4b1b913810a163b495345c21556a18b3dc376c2a87f61ee07"
SKETCH_SHA256 = "5517d3ae40a0fe1fe219c13d47c1735c2cf4208411b693fbb91166b4cc4ebb37"

_LICENCE = "Retouch's own weights, trained on research-only photos (see models/MODELS.md)"

COLORIZE = ModelSpec(
    name="colorize",
    task="colorize",
    title="Colorize — pix2pix (L → ab, hints)",
    scale=1,
    arch=COLORIZE_ARCH,
    weight_file="colorize.safetensors",
    sha256=COLORIZE_SHA256,
    licence=_LICENCE,
    input_contract=(
        "float32 N×4×H×W: L*/50−1, hint a/110, hint b/110, hint mask; H, W multiples of 16; "
        "output N×2×H×W a/110, b/110 in [-1, 1]"
    ),
    quality="see models/MODELS.md (bench/colorize_quality.py)",
)

SKETCH2PHOTO = ModelSpec(
    name="sketch2photo",
    task="sketch2photo",
    title="Sketch to photo — pix2pix",
    scale=1,
    arch=SKETCH_ARCH,
    weight_file="sketch2photo.safetensors",
    sha256=SKETCH_SHA256,
    licence=_LICENCE,
    input_contract=(
        "float32 N×1×H×W sketch in [-1, 1] (1 = paper, −1 = ink); H, W multiples of 16; "
        "output N×3×H×W RGB in [-1, 1]"
    ),
    quality="see models/MODELS.md (bench/sketch_quality.py)",
)

PIX2PIX_SPECS: list[ModelSpec] = [COLORIZE, SKETCH2PHOTO]
