"""Open a file into a document and save a document: OpenRaster keeps the layers (and the
mask), every other format is the flattened image."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from editor.core.geometry import Rect
from editor.document.autosave import take_snapshot, to_layers
from editor.document.document import Document
from editor.document.layers import Layer, LayerKind
from editor.fileio.atomic import remove_stale_temporaries
from editor.fileio.errors import ImageFileError
from editor.fileio.load import DEFAULT_MAX_PIXELS, load_image
from editor.fileio.ora import is_openraster, read_ora, write_ora
from editor.fileio.save import save_image

# Formats whose every save loses a little quality: overwriting an original asks first.
LOSSY_SUFFIXES = (".jpg", ".jpeg", ".webp")


def is_layered(path: Path) -> bool:
    return is_openraster(path)


def is_lossy(path: Path) -> bool:
    return Path(path).suffix.lower() in LOSSY_SUFFIXES


def fits_flat_file(document: Document) -> bool:
    """Whether a single-image file holds the whole document: one plain layer covering the
    canvas. Anything else (several layers, an offset or translucent layer) would be lost."""
    if len(document.layers) != 1 or document.hints.points:  # colour hints need an .ora
        return False
    layer = document.layers[0]
    return (
        layer.kind is LayerKind.IMAGE
        and layer.rect == document.full_rect()
        and layer.visible
        and layer.opacity >= 1.0
    )


@dataclass(frozen=True)
class SaveOutcome:
    """`complete`: the file holds the whole document, which is now clean at that path.
    Otherwise the file is a flattened export and the document keeps its unsaved changes."""

    path: Path
    complete: bool
    notices: list[str] = field(default_factory=list)


@dataclass
class OpenedFile:
    """A file read (on any thread), ready to become the document on the UI thread."""

    path: Path
    width: int
    height: int
    layers: list[Layer] | None  # OpenRaster: image and sketch layers, bottom to top
    mask: np.ndarray | None = None
    pixels: np.ndarray | None = None  # any other format: the one image
    exif: bytes | None = None
    icc_profile: bytes | None = None
    notices: list[str] = field(default_factory=list)
    hints: Layer | None = None  # OpenRaster: the colour-hint layer, if the file has one

    def apply_to(self, document: Document) -> list[str]:
        """Replace `document`'s content with the file's; returns the notices."""
        if self.layers is not None:
            document.load_layers(self.width, self.height, self.layers, self.path, self.mask,
                                 self.hints)  # fmt: skip
        else:
            assert self.pixels is not None  # a file is either layers or one image
            document.load(self.pixels, self.path, self.exif, self.icc_profile)
        return self.notices


def read_file(
    path: Path,
    max_pixels: int = DEFAULT_MAX_PIXELS,
    progress: Callable[[float], None] | None = None,
) -> OpenedFile:
    """Read `path` without touching any document (safe off the UI thread). `progress` gets
    the fraction of an OpenRaster file's layers read. Raises ImageFileError."""
    path = Path(path)
    remove_stale_temporaries(path)  # left beside it by an editor killed while saving
    if not is_layered(path):
        loaded = load_image(path, max_pixels)
        height, width = loaded.pixels.shape[:2]
        return OpenedFile(path, width, height, None, None, loaded.pixels, loaded.exif,
                          loaded.icc_profile, loaded.notices)  # fmt: skip
    image = read_ora(path, max_pixels, progress)
    layers = to_layers(image.layers)
    masks = [layer for layer in layers if layer.kind is LayerKind.MASK]
    stack = [layer for layer in layers if layer.kind in (LayerKind.IMAGE, LayerKind.SKETCH)]
    if not stack:
        raise ImageFileError(f"{path.name} has no image layers.")
    mask = _mask_on_canvas(masks[0], image.width, image.height) if masks else None
    hints = next((layer for layer in layers if layer.kind is LayerKind.HINTS), None)
    return OpenedFile(path, image.width, image.height, stack, mask, notices=image.notices,
                      hints=hints)  # fmt: skip


def open_into(document: Document, path: Path, max_pixels: int = DEFAULT_MAX_PIXELS) -> list[str]:
    """Load `path` into `document`; returns notices (conversions) for the status bar.

    Raises ImageFileError before touching the document, so a bad file changes nothing.
    """
    return read_file(path, max_pixels).apply_to(document)


def _mask_on_canvas(layer: Layer, width: int, height: int) -> np.ndarray:
    """The mask as a canvas-sized HxW array: Krita, for one, crops layers to their content
    and stores the offset."""
    out = np.zeros((height, width), np.uint8)
    part = layer.rect.intersected(Rect(0, 0, width, height))
    if not part.is_empty():
        inside = Rect(part.x - layer.x, part.y - layer.y, part.w, part.h)
        out[part.slices()] = layer.pixels[inside.slices()]
    return out


def save_document(document: Document, path: Path) -> SaveOutcome:
    """Write the document (accepted layers only; a pending result is not saved).

    OpenRaster, or a single-image file that holds the whole document: the document becomes
    clean at `path`. A layered document written to PNG, JPEG, ... is an export (as in Krita
    and GIMP): the document keeps its path and its unsaved changes, so its layers are never
    dropped without a question on quit or open.
    """
    path = Path(path)
    notices: list[str] = []
    if is_layered(path):
        layers = [*document.layers, document.mask, document.hints]
        snapshot = take_snapshot(document.width, document.height, layers)
        write_ora(path, document.width, document.height, snapshot.layers, document.flattened())
    else:
        notices = save_image(path, document.flattened(), document.exif, document.icc_profile)
    complete = is_layered(path) or fits_flat_file(document)
    if complete:
        document.path = path
        document.history.set_clean()
    return SaveOutcome(path, complete, notices)
