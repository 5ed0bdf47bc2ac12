"""Immutable job requests. Built on the UI thread from copies, so the worker never reads
the live document. Each names the operation through its class."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, eq=False)
class InpaintRequest:
    """Fill the masked area of `image`.

    image: HxWx4 RGBA uint8 copy of the layer; mask: HxW uint8 copy, 255 = hole.
    method: "telea" (classical, no weights) or "model" (the trained inpainting network).
    margin: context in pixels kept around the mask's bounding box.
    """

    image: np.ndarray
    mask: np.ndarray
    method: str = "telea"
    margin: int = 32
    radius: int = 5  # Telea's neighbourhood radius in pixels

    def __post_init__(self) -> None:
        if self.image.shape[:2] != self.mask.shape:
            raise ValueError(f"mask {self.mask.shape} does not match image {self.image.shape[:2]}")


# Requests defined beside their run functions (their modules import torch only when run).
from editor.engine.colorize import ColorizeRequest, ColorSuggestRequest  # noqa: E402, F401
from editor.engine.denoise import DenoiseRequest  # noqa: E402, F401
from editor.engine.sketch import SketchRequest  # noqa: E402, F401
from editor.engine.stylize import StylizeRequest  # noqa: E402, F401
from editor.engine.upscale import UpscaleRequest  # noqa: E402, F401
