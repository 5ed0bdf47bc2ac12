"""Open a file into a document and save a document: OpenRaster keeps the layers (and the
mask), every other format is the flattened image."""

from __future__ import annotations

from pathlib import Path

from editor.document.autosave import take_snapshot, to_layers
from editor.document.document import Document
from editor.document.layers import LayerKind
from editor.fileio.errors import ImageFileError
from editor.fileio.load import DEFAULT_MAX_PIXELS, load_image
from editor.fileio.ora import read_ora, write_ora
from editor.fileio.save import save_image

LAYERED_SUFFIX = ".ora"


def is_layered(path: Path) -> bool:
    return Path(path).suffix.lower() == LAYERED_SUFFIX


def open_into(document: Document, path: Path, max_pixels: int = DEFAULT_MAX_PIXELS) -> list[str]:
    """Load `path` into `document`; returns notices (conversions) for the status bar.

    Raises ImageFileError before touching the document, so a bad file changes nothing.
    """
    path = Path(path)
    if is_layered(path):
        image = read_ora(path, max_pixels)
        layers = to_layers(image.layers)
        masks = [layer.pixels for layer in layers if layer.kind is LayerKind.MASK]
        stack = [layer for layer in layers if layer.kind in (LayerKind.IMAGE, LayerKind.SKETCH)]
        if not stack:
            raise ImageFileError(f"{path.name} has no image layers.")
        document.load_layers(image.width, image.height, stack, path, masks[0] if masks else None)
        return image.notices
    loaded = load_image(path, max_pixels)
    document.load(loaded.pixels, path, loaded.exif, loaded.icc_profile)
    return loaded.notices


def save_document(document: Document, path: Path) -> None:
    """Write the document (accepted layers only; a pending result is not saved); the document
    becomes clean at `path`."""
    path = Path(path)
    if is_layered(path):
        layers = [*document.layers, document.mask]
        snapshot = take_snapshot(document.width, document.height, layers)
        write_ora(path, document.width, document.height, snapshot.layers, document.flattened())
    else:
        save_image(path, document.flattened(), document.exif, document.icc_profile)
    document.path = path
    document.history.set_clean()
