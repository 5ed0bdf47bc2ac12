"""Specs of the sketch → photo decoders, one per subject, which the project trains and ships in
models/ (no torch).

Each file is pinned by sha256 and holds a decoder only: the encoder is the EfficientNet-Lite0
ImageNet model the manager fetches (catalog.EFFICIENTNET_LITE0_IMAGENET). No download source:
missing weights are retrained with the command in models/MODELS.md.
"""

from __future__ import annotations

from editor.ml.registry import PROJECT_LICENCE, ModelSpec

# subject → (what the dialog and `--subject` show, sha256 of models/sketch-<subject>.safetensors)
SUBJECTS: dict[str, tuple[str, str]] = {
    "landscapes": (
        "Landscapes and outdoor scenes",
        "e2bda99090fddcbf6649a02cb7b9dc7506f553bc47f33b52ec1af2fc2e123c23",
    ),
    "people": (
        "People and faces",
        "7f2a5f9f2fd56b16415935976875852d1c3c5fbf55fa153af3ee02231b1e0221",
    ),
    "animals": (
        "Animals (cats, dogs)",
        "226f62b7db3910dd0adc3668f1131e2f576fb9c9dacb77d4a7d4fe67513082e9",
    ),
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
        licence=PROJECT_LICENCE,
        input_contract=(
            "decoder of editor.ml.archs.sketcher: Lite0 features of the drawing as gray RGB "
            "(sides multiples of 32, 1 = paper) + the drawing + 4 scribble channels at 1/4 size "
            "→ sRGB [0, 1] at the drawing's size"
        ),
        quality="see models/MODELS.md (bench/sketch_quality.py --subject)",
    )
    for subject, (title, sha256) in SUBJECTS.items()
]
