"""Specs of the sketch → photo decoders, one per subject, which the project trains and ships in
models/ (no torch).

Each file is pinned by sha256 and holds a decoder only: the encoder is the EfficientNet-Lite0
ImageNet model the manager fetches (catalog.EFFICIENTNET_LITE0_IMAGENET). No download source:
missing weights are retrained with the command in models/MODELS.md.
"""

from __future__ import annotations

from editor.ml.catalog_pix2pix import LICENCE
from editor.ml.registry import ModelSpec

# subject → (what the dialog and `--subject` show, sha256 of models/sketch-<subject>.safetensors)
SUBJECTS: dict[str, tuple[str, str]] = {
    "animals": ("Animals (cats, dogs)", "PENDING"),
    "people": ("People and faces", "PENDING"),
    "landscapes": ("Landscapes and outdoor scenes", "PENDING"),
}


def model_name(subject: str) -> str:
    return f"sketch-{subject}"


SKETCH_SPECS: list[ModelSpec] = [
    ModelSpec(
        name=model_name(subject),
        task="sketch2photo",
        title=f"Sketch to photo — {title.lower()} (decoder on EfficientNet-Lite0)",
        scale=1,
        arch="editor.ml.archs.sketcher:build_decoder",
        weight_file=f"{model_name(subject)}.safetensors",
        sha256=sha256,
        licence=LICENCE,
        input_contract=(
            "decoder of editor.ml.archs.sketcher: Lite0 features of the drawing as gray RGB "
            "(sides multiples of 32, 1 = paper) + the drawing + 4 scribble channels at 1/4 size "
            "→ sRGB [0, 1] at the drawing's size"
        ),
        quality="see models/MODELS.md (bench/sketch_quality.py --subject)",
    )
    for subject, (title, sha256) in SUBJECTS.items()
]
