"""Filter menu: Erase, Colorize (with colour hints), Sketch to Photo, Denoise (live preview on
the visible part) and Style Transfer, with their dialogs."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QTimer
from PySide6.QtWidgets import QMessageBox

from editor.core.pixels import looks_like_bw_photo
from editor.engine.colorize import DEFAULT_VIBRANCE
from editor.engine.denoise import PREFERRED_DENOISE_MODELS
from editor.engine.sketch import DEFAULT_SUBJECT, sketch_subjects
from editor.fileio.errors import ImageFileError
from editor.fileio.load import load_image
from editor.menus.actions import enable_operation, make_action
from editor.panels.filter_dialogs import (
    ColorizeDialog,
    ColorizeOptions,
    SketchDialog,
    SketchOptions,
    StrengthDialog,
    StyleDialog,
    StyleOptions,
)
from editor.panels.hint_palette import HintPalette
from editor.tools.color_hints import ColorHints

HINT_RERUN_MS = 400  # colour hints re-run Colorize (visible part) this long after the last edit
PREVIEW_DELAY_MS = 250  # a Denoise preview starts this long after the last strength change
PUBLISHED_DENOISER = PREFERRED_DENOISE_MODELS[0]  # fetched on request; preferred once present


class FilterMenu:
    def __init__(self, window) -> None:
        self.window = window
        ops = window.operations
        self.style_options = StyleOptions()
        self.colorize_options = ColorizeOptions(vibrance=DEFAULT_VIBRANCE)
        self._sketch_subject = DEFAULT_SUBJECT
        self.hints = ColorHints(window.document, window)
        self.palette = HintPalette(window)
        self._palette_hint: tuple[int, int, int] | None = None  # (index, x, y) being coloured
        self.hints.suggest.connect(self._suggest_colours)
        self.palette.picked.connect(self._recolour_hint)
        self._hint_timer = QTimer(window, singleShot=True, interval=HINT_RERUN_MS)
        self._hint_timer.timeout.connect(self._rerun_colorize)
        self.hints.changed.connect(self._hint_timer.start)
        act = lambda *args, **kw: make_action(window, *args, **kw)  # noqa: E731
        tips = {
            "erase": "Fill the masked area (the default erase method)",
            "fast": "Fill the masked area from its surroundings (classical, no model)",
            "colorize": "Colour a black-and-white photo; place hints with the hint tool (H)",
            "sketch": "Render the sketch layer as a photo (inside the mask if there is one)",
            "denoise": "Remove noise; the preview updates as you change the strength",
            "stylize": "Repaint the image in the style of another",
        }
        self.erase = act("&Erase", lambda: ops.erase(), "Backspace", tips["erase"])
        self.erase_fast = act(
            "Erase (&fast)", lambda: ops.erase("telea"), "Shift+Backspace", tips["fast"]
        )
        self.colorize = act("&Colorize…", self.colorize_dialog, "Ctrl+Shift+C", tips["colorize"])
        self.sketch = act("S&ketch to Photo…", self.sketch_to_photo, "Ctrl+Shift+K", tips["sketch"])
        self.denoise = act("&Denoise…", self.denoise_dialog, "Ctrl+Shift+D", tips["denoise"])
        self.stylize = act("&Style Transfer…", self.stylize_dialog, tip=tips["stylize"])
        self.get_denoiser = act(
            "Download the FFDNet denoiser (3 MB)",
            lambda: ops.fetch_model(PUBLISHED_DENOISER, "denoise"),
            tip="KAIR's published FFDNet: better than the built-in denoiser, used once present",
        )  # fmt: skip
        self.actions = [self.erase, self.erase_fast, None, self.colorize, self.sketch,
                        self.denoise, self.get_denoiser, None, self.stylize]  # fmt: skip
        # The operation (editor.ops.registry id) each model-backed action runs.
        self.operation_of = {self.erase: "inpaint", self.colorize: "colorize",
                             self.sketch: "sketch2photo", self.denoise: "denoise",
                             self.stylize: "stylize"}  # fmt: skip
        ops.models_changed.connect(self._on_models_changed)
        QTimer.singleShot(1600, lambda: ops.refresh_models("denoise"))

    def refresh(self, has_image: bool, busy: bool) -> None:
        not_ready = self.window.operations.not_ready
        for action in self.actions:
            if action is not None:
                op_id = self.operation_of.get(action, "")
                enable_operation(action, has_image and not busy, not_ready.get(op_id, ""))
        self.get_denoiser.setEnabled(not busy)  # needs no image

    def _on_models_changed(self, status) -> None:
        """The download entry shows only while the published denoiser is missing."""
        if status.task == "denoise":
            present = any(c.name == PUBLISHED_DENOISER and c.available for c in status.choices)
            self.get_denoiser.setVisible(not present)

    def _has_mask(self) -> bool:
        return bool(self.window.document.mask.pixels.any())

    # -- colorize
    def colorize_dialog(self) -> None:
        """Strength and Vibrance with a live preview of the visible part; Apply colours all."""
        window, ops = self.window, self.window.operations
        timer = QTimer(window, singleShot=True, interval=PREVIEW_DELAY_MS)
        latest = {}

        def preview(options) -> None:
            latest["options"] = options
            timer.start()

        def run_preview() -> None:
            options = latest["options"]
            ops.colorize(self.hints.points, options.strength, options.inside_mask,
                         options.vibrance, window.canvas.visible_image_rect())  # fmt: skip

        timer.timeout.connect(run_preview)
        dialog = ColorizeDialog(self.colorize_options, self._has_mask(), preview, window)
        accepted = dialog.exec() == ColorizeDialog.DialogCode.Accepted
        timer.stop()
        if ops.is_busy():
            ops.cancel()
        if accepted:
            self.colorize_options = options = dialog.values()
            ops.colorize(self.hints.points, options.strength, options.inside_mask,
                         options.vibrance)  # fmt: skip
        else:
            self._drop_preview_of("colorize")

    def _drop_preview_of(self, operation_id: str) -> None:
        """The preview a cancelled dialog of that operation showed goes away."""
        preview = self.window.document.preview
        if preview is not None and preview.operation == operation_id:
            self.window.document.set_preview(None)

    def _rerun_colorize(self) -> None:
        """The hints changed while a Colorize result is pending: colour the visible part again
        with them (quick: a newer edit replaces a running re-run); the rest of the image
        follows when the result is accepted (finish_colorize)."""
        window, ops = self.window, self.window.operations
        preview = window.document.preview
        if preview is None or preview.operation != "colorize":
            return
        if ops.is_busy() and not ops.is_previewing():
            self._hint_timer.start()  # a whole-image run is under way: try again after it
            return
        options = self.colorize_options
        ops.colorize(self.hints.points, options.strength, options.inside_mask and self._has_mask(),
                     options.vibrance, window.canvas.visible_image_rect(), patch=True)  # fmt: skip

    def finish_colorize(self, then) -> bool:
        """Before Accept: a pending Colorize result whose visible part only follows the latest
        hints is coloured whole with them first, then `then()` runs (the Accept). Returns
        False when there is nothing to finish."""
        ops, doc = self.window.operations, self.window.document
        if doc.preview is None or doc.preview is not ops.partial_colorize:
            return False
        self._hint_timer.stop()
        return self._colorize_all(then) is not None

    def _colorize_all(self, then=None) -> int | None:
        options = self.colorize_options
        return self.window.operations.colorize(self.hints.points, options.strength,
                                               options.inside_mask and self._has_mask(),
                                               options.vibrance, then=then)  # fmt: skip

    def _suggest_colours(self, index: int, x: int, y: int) -> None:
        """Pop up the palette at the hint at once; the model's swatches fill it when ready."""
        canvas = self.window.canvas
        at = canvas.mapToGlobal(canvas.image_to_view(x + 0.5, y + 0.5).toPoint() + QPoint(14, 14))
        current = self.hints.points[index][2]
        self._palette_hint = (index, x, y)
        self.palette.show_suggestions(None, current, at)
        others = [hint for i, hint in enumerate(self.hints.points) if i != index]

        def show(suggestions) -> None:
            if self._palette_hint == (index, x, y) and self.palette.isVisible():
                self.palette.show_suggestions(suggestions, current, at)

        self.window.operations.suggest_colours(x, y, others, show)

    def _recolour_hint(self, rgb: tuple[int, int, int]) -> None:
        if self._palette_hint is None:
            return
        index, x, y = self._palette_hint
        if index < len(self.hints.points) and self.hints.points[index][:2] == (x, y):
            self.hints.recolour(index, rgb)
        self._palette_hint = None

    def offer_colorize(self) -> None:
        """A B&W photo was opened: offer to colorize it (non-blocking). Never for a blank
        canvas, a flat fill or line art: only gray images with real tonal range."""
        if not looks_like_bw_photo(self.window.document.image_layer.pixels):
            return
        box = QMessageBox(QMessageBox.Icon.Question, "Colorize?",
                          "This photo looks black and white. Colorize it?",
                          QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                          self.window)  # fmt: skip
        box.button(QMessageBox.StandardButton.Yes).setText("Colorize")
        box.button(QMessageBox.StandardButton.No).setText("Not now")
        box.accepted.connect(self._colorize_all)
        box.setObjectName("colorize-offer")
        self.offer = box
        box.open()

    # -- sketch, denoise, style
    def sketch_to_photo(self) -> None:
        """The Sketch to Photo dialog (subject, only inside the mask), then the render."""
        has_mask = self._has_mask()
        options = SketchOptions(self._sketch_subject, inside_mask=has_mask)
        dialog = SketchDialog(sketch_subjects(), options, has_mask, self.window)
        if dialog.exec() != SketchDialog.DialogCode.Accepted:
            return
        chosen = dialog.values()
        self._sketch_subject = chosen.subject
        self.window.operations.sketch_to_photo(chosen.inside_mask, chosen.subject)

    def denoise_dialog(self) -> None:
        window = self.window
        timer = QTimer(window, singleShot=True, interval=PREVIEW_DELAY_MS)
        latest = {}

        def preview(options) -> None:
            latest["options"] = options
            timer.start()

        timer.timeout.connect(lambda: window.operations.denoise(
            latest["options"].strength, latest["options"].inside_mask,
            window.canvas.visible_image_rect()))  # fmt: skip
        dialog = StrengthDialog("Denoise", "Noise level (σ)", 25.0, 75.0, self._has_mask(),
                                on_change=preview, parent=window)  # fmt: skip
        preview(dialog.values())  # the preview shows as the dialog opens, not on a first change
        accepted = dialog.exec() == StrengthDialog.DialogCode.Accepted
        timer.stop()
        if window.operations.is_busy():
            window.operations.cancel()
        if accepted:
            options = dialog.values()
            window.operations.denoise(options.strength, options.inside_mask)
        else:
            self._drop_preview_of("denoise")

    def stylize_dialog(self) -> None:
        window = self.window
        dialog = StyleDialog(self.style_options, self._has_mask(), window)
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
