"""Layers of a document. Pixel arrays follow editor.core.pixels' contract."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass, replace

import numpy as np

from editor.core.geometry import Rect


class LayerKind(enum.Enum):
    IMAGE = "image"  # RGBA pixels the user owns
    MASK = "mask"  # HxW uint8, 255 = hole / selected; drawn as an overlay, never composited
    RESULT = "result"  # an operation's output awaiting Accept or Discard
    SKETCH = "sketch"  # RGBA line drawing fed to sketch-to-photo
    HINTS = "hints"  # Colorize's colour points (`points`); drawn as dots, never composited


# A colour hint: (x, y, (r, g, b)) in document pixels, RGB uint8.
Hint = tuple[int, int, tuple[int, int, int]]


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
    points: tuple[Hint, ...] = ()  # a hint layer's colour hints (its pixels are transparent)
    # A result layer: the id of the operation that made it (editor.ops), by which menus know
    # their pending result (its name is for people and may change).
    operation: str = ""

    @property
    def rect(self) -> Rect:
        height, width = self.pixels.shape[:2]
        return Rect(self.x, self.y, width // self.scale, height // self.scale)

    @property
    def nbytes(self) -> int:
        return int(self.pixels.nbytes)

    def copy(self, name: str | None = None) -> Layer:
        return replace(self, name=name or self.name, pixels=self.pixels.copy())


def no_pixels(width: int, height: int) -> np.ndarray:
    """A read-only, transparent HxWx4 array that takes no memory: the pixels of a layer whose
    content is not pixels (the hint layer), so it has the canvas's size like the others."""
    return np.broadcast_to(np.zeros(4, np.uint8), (height, width, 4))


def hint_layer(
    width: int, height: int, points: Iterable[Hint] = (), visible: bool = True
) -> Layer:
    """The document's colour-hint layer."""
    return Layer("Colour hints", LayerKind.HINTS, no_pixels(width, height), visible=visible,
                 points=tuple(points))  # fmt: skip
