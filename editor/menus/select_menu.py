"""Select menu: whole-mask edits (all, invert, grow, shrink, feather) and mask files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PySide6.QtWidgets import QFileDialog, QInputDialog

from editor.core import selection
from editor.core.resample import resize_mask
from editor.fileio.errors import ImageFileError
from editor.fileio.load import READABLE_SUFFIXES, load_mask
from editor.fileio.save import save_image
from editor.menus.actions import make_action

MASK_FILTER = "Images (" + " ".join(f"*{s}" for s in READABLE_SUFFIXES) + ")"


class SelectMenu:
    def __init__(self, window) -> None:
        self.window = window
        doc = window.document
        self.edits = {
            "all": self._edit(lambda mask: np.full_like(mask, 255), "Select all"),
            "invert": self._edit(selection.invert, "Invert selection"),
            "grow": self._edit(selection.grow, "Grow selection", "Grow by (pixels):"),
            "shrink": self._edit(selection.shrink, "Shrink selection", "Shrink by (pixels):"),
            "feather": self._edit(
                selection.feather, "Feather selection", "Feather radius (pixels):"
            ),
        }
        act = lambda *args, **kw: make_action(window, *args, **kw)  # noqa: E731
        self.deselect = act("&Deselect (clear mask)", doc.clear_mask, "Ctrl+D")
        self.actions = [
            act("Select &all", self.edits["all"], "Ctrl+A"),
            self.deselect,
            act("&Invert selection", self.edits["invert"], "Ctrl+Shift+I"),
            None,
            act("&Grow…", self.edits["grow"], tip="Grow the mask by some pixels"),
            act("&Shrink…", self.edits["shrink"], tip="Shrink the mask by some pixels"),
            act("&Feather…", self.edits["feather"], "Shift+F6", "Soften the mask edge"),
            None,
            act("I&mport mask…", self.import_mask_dialog, tip="White (or opaque) = hole"),
            act("E&xport mask…", self.export_mask_dialog, tip="Save the mask as a PNG"),
        ]

    def refresh(self, has_image: bool, busy: bool) -> None:
        for action in self.actions:
            if action is not None:
                action.setEnabled(has_image)

    def _edit(self, transform, text: str, ask: str | None = None):
        """A Select-menu edit of the mask: one undo step. `ask` prompts for pixels."""
        doc = self.window.document

        def run(_=False, px: int | None = None) -> None:
            if ask is not None and px is None:
                px, ok = QInputDialog.getInt(self.window, text, ask, 8, 1, 500)
                if not ok:
                    return
            new = transform(doc.mask.pixels) if px is None else transform(doc.mask.pixels, px)
            doc.set_mask(new, text)

        return run

    def import_mask_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self.window, "Import mask", "", MASK_FILTER)
        if path:
            self.import_mask(Path(path))

    def import_mask(self, path: Path) -> bool:
        window, doc = self.window, self.window.document
        try:
            mask = load_mask(path, window.settings.max_pixels)
        except ImageFileError as error:
            window.show_error(str(error))
            return False
        if mask.shape != (doc.height, doc.width):
            mask = resize_mask(mask, doc.width, doc.height)
            window.statusBar().showMessage(
                f"Resized the mask from {path.name} to the image size.", 8000
            )
        doc.set_mask(mask, "Import mask")
        return True

    def export_mask_dialog(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self.window, "Export mask", "mask.png", "PNG (*.png)")
        if path:
            self.export_mask(Path(path))

    def export_mask(self, path: Path) -> bool:
        mask = self.window.document.mask.pixels
        try:
            save_image(path, np.dstack([mask, mask, mask, np.full_like(mask, 255)]))
        except ImageFileError as error:
            self.window.show_error(str(error))
            return False
        return True
