"""Layers of a document. Pixel arrays follow editor.core.pixels' contract."""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace

import numpy as np

from editor.core.geometry import Rect


class LayerKind(enum.Enum):
    IMAGE = "image"  # RGBA pixels the user owns
    MASK = "mask"  # HxW uint8, 255 = hole / selected; drawn as an overlay, never composited
    RESULT = "result"  # an operation's output awaiting Accept or Discard
    SKETCH = "sketch"  # RGBA line drawing fed to sketch-to-photo


@dataclass(eq=False)
class Layer:
    """A named pixel array placed at (x, y) in document coordinates."""

    name: str
    kind: LayerKind
    pixels: np.ndarray
    x: int = 0
    y: int = 0
    visible: bool = True
    opacity: float = 1.0
    blend_mode: str = "normal"  # one of editor.core.blend.BLEND_MODES
    locked: bool = False  # locked layers keep their pixels: no painting, accepting or merging
    scale: int = 1  # pixels per document pixel: a pending upscale is denser than the document

    @property
    def rect(self) -> Rect:
        height, width = self.pixels.shape[:2]
        return Rect(self.x, self.y, width // self.scale, height // self.scale)

    @property
    def nbytes(self) -> int:
        return int(self.pixels.nbytes)

    def copy(self, name: str | None = None) -> Layer:
        return replace(self, name=name or self.name, pixels=self.pixels.copy())
