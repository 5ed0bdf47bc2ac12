"""Filter menu: Erase (model and fast) and Style Transfer, with their dialogs."""

from __future__ import annotations

from editor.fileio.errors import ImageFileError
from editor.fileio.load import load_image
from editor.menus.actions import make_action
from editor.panels.filter_dialogs import StyleDialog, StyleOptions


class FilterMenu:
    def __init__(self, window) -> None:
        self.window = window
        ops = window.operations
        self.style_options = StyleOptions()
        self.erase = make_action(
            window, "&Erase", lambda: ops.erase("model"), "Backspace",
            "Fill the masked area with the trained inpainting model",
        )  # fmt: skip
        self.erase_fast = make_action(
            window, "Erase (&fast)", lambda: ops.erase("telea"), "Shift+Backspace",
            "Fill the masked area from its surroundings (classical, no model)",
        )  # fmt: skip
        self.stylize = make_action(
            window, "&Style Transfer…", self.stylize_dialog,
            tip="Repaint the image in the style of another",
        )  # fmt: skip
        self.actions = [self.erase, self.erase_fast, None, self.stylize]

    def refresh(self, has_image: bool, busy: bool) -> None:
        for action in self.actions:
            if action is not None:
                action.setEnabled(has_image and not busy)

    def stylize_dialog(self) -> None:
        window = self.window
        dialog = StyleDialog(self.style_options, bool(window.document.mask.pixels.any()), window)
        if dialog.exec() != StyleDialog.DialogCode.Accepted:
            return
        self.style_options = options = dialog.values()
        try:
            style = load_image(options.style_path, window.settings.max_pixels).pixels
        except ImageFileError as error:
            window.show_error(str(error))
            return
        window.operations.stylize(style, options.strength, options.size, options.iterations,
                                  options.inside_mask)  # fmt: skip
