"""Image menu: Upscale ×2 / ×4 with a model choice, and getting model weights."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog

from editor.menus.actions import make_action
from editor.panels.model_menu import ModelMenu


class ImageMenu:
    def __init__(self, window) -> None:
        self.window = window
        ops = window.operations
        self.models = ModelMenu("Upscale &model", "upscale", window)
        self.upscale_actions = {
            scale: make_action(
                window,
                f"&Upscale ×{scale}",
                lambda _=False, s=scale: ops.upscale(s, self.models.selected()),
                shortcut,
                f"Make the image {scale}× larger with the chosen model; all layers follow",
            )  # fmt: skip
            for scale, shortcut in ((2, "Ctrl+Alt+2"), (4, "Ctrl+Alt+4"))
        }
        self.fetch = make_action(
            window, "&Download upscaling models",
            lambda: ops.fetch_model(self.models.first_missing(), "upscale"),
            tip="Fetch Real-ESRGAN weights (checked by sha256) into the model cache",
        )  # fmt: skip
        self.import_weights = make_action(
            window, "&Import model weights…", self.import_dialog,
            tip="Convert a downloaded checkpoint (.pth weights or .safetensors); never runs code",
        )  # fmt: skip
        self.actions = [
            self.upscale_actions[2], self.upscale_actions[4], self.models, None,
            self.fetch, self.import_weights,
        ]  # fmt: skip
        self.models.changed.connect(window.refresh_state)
        ops.models_changed.connect(self.models.update_status)

    def refresh(self, has_image: bool, busy: bool) -> None:
        ready = self.models.selected() is not None
        why = self.models.why_unavailable()
        for scale, action in self.upscale_actions.items():
            action.setEnabled(has_image and not busy and ready)
            action.setToolTip(why or f"Make the image {scale}× larger with the chosen model")
        self.fetch.setEnabled(not busy and self.models.first_missing() is not None)
        self.import_weights.setEnabled(not busy)

    def import_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self.window,
            "Import model weights",
            "",
            "Weights (*.pth *.pt *.safetensors);;All files (*)",
        )
        if path:
            self.window.operations.import_model(Path(path), "upscale")
