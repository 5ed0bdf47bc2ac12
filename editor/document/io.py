"""Open a file into a document and save a document's flattened image."""

from __future__ import annotations

from pathlib import Path

from editor.document.document import Document
from editor.fileio.load import DEFAULT_MAX_PIXELS, load_image
from editor.fileio.save import save_image


def open_into(document: Document, path: Path, max_pixels: int = DEFAULT_MAX_PIXELS) -> list[str]:
    """Load `path` into `document`; returns notices (conversions) for the status bar.

    Raises ImageFileError before touching the document, so a bad file changes nothing.
    """
    loaded = load_image(path, max_pixels)
    document.load(loaded.pixels, Path(path), loaded.exif, loaded.icc_profile)
    return loaded.notices


def save_document(document: Document, path: Path) -> None:
    """Write the flattened, accepted image; the document becomes clean at `path`."""
    save_image(path, document.flattened(), document.exif, document.icc_profile)
    document.path = Path(path)
    document.history.set_clean()
