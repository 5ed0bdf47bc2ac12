"""The Denoise dialog shows its preview as it opens, before any value changes."""

from __future__ import annotations

from PIL import Image
from PySide6.QtCore import QTimer

from editor.menus.filter_menu import PREVIEW_DELAY_MS
from editor.panels.filter_dialogs import StrengthDialog


def test_the_preview_starts_when_the_dialog_opens(window, tmp_path, photo, monkeypatch):
    Image.fromarray(photo).save(tmp_path / "p.png")
    assert window.open_path(tmp_path / "p.png")
    calls = []
    monkeypatch.setattr(
        window.operations, "denoise", lambda *args, **kwargs: calls.append(args) or 1
    )
    seen_while_open = []

    def look_then_close() -> None:
        seen_while_open.extend(calls)
        for dialog in window.findChildren(StrengthDialog):
            dialog.reject()

    QTimer.singleShot(PREVIEW_DELAY_MS * 3, look_then_close)
    window.filter_menu.denoise_dialog()
    assert len(seen_while_open) == 1  # a preview, untouched dialog
    strength, inside_mask, region = seen_while_open[0]
    assert strength == 25.0 and not inside_mask and region is not None
    assert len(calls) == 1  # Cancel applies nothing


def test_the_published_denoiser_is_offered_until_it_is_present(window, monkeypatch):
    from editor.engine.models import ModelChoice, ModelStatus

    menu = window.filter_menu
    fetched = []
    monkeypatch.setattr(window.operations, "fetch_model",
                        lambda name, task: fetched.append((name, task)))  # fmt: skip
    missing = ModelChoice("ffdnet-color", "FFDNet", False, "retouch models fetch ffdnet-color")
    window.operations.models_changed.emit(ModelStatus("denoise", (missing,)))
    assert menu.get_denoiser.isVisible() and menu.get_denoiser.isEnabled()  # no image needed
    menu.get_denoiser.trigger()
    assert fetched == [("ffdnet-color", "denoise")]
    present = ModelChoice("ffdnet-color", "FFDNet", True, "")
    window.operations.models_changed.emit(ModelStatus("denoise", (present,)))
    assert not menu.get_denoiser.isVisible()
