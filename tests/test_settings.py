"""Settings persist; the dialog edits them; the shortcut sheet lists the window's actions."""

from pathlib import Path

import pytest
from PIL import Image
from PySide6.QtCore import QSettings

from editor.panels.settings_dialog import SettingsDialog
from editor.panels.shortcuts_dialog import shortcut_rows
from editor.settings import Settings, recent_files, remember_file


@pytest.fixture
def store(tmp_path):
    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


def test_settings_round_trip(store):
    settings = Settings(device="cpu", half_precision=False, tile_size=256, autosave_seconds=0)
    settings.save(store)
    assert Settings.load(store) == settings
    store.setValue("settings/device", "quantum")
    assert Settings.load(store).device == "auto"  # nonsense falls back to the default


def test_recent_files_most_recent_first_without_duplicates(store):
    for name in ("a", "b", "a", "c"):
        remember_file(name, store)
    assert recent_files(store) == ["c", "a", "b"]


def test_settings_dialog_edits_a_copy(qtbot):
    original = Settings()
    dialog = SettingsDialog(original)
    qtbot.addWidget(dialog)
    dialog.device.setCurrentIndex(2)
    dialog.tile.setValue(512)
    dialog.bomb.setValue(50)
    values = dialog.values()
    assert (values.device, values.tile_size, values.max_megapixels) == ("cpu", 512, 50)
    assert original.device == "auto"


def test_applied_settings_reach_the_document_and_file_limit(window, tmp_path):
    Image.new("RGB", (2000, 1000)).save(tmp_path / "two_mp.png")
    window.apply_settings(Settings(max_megapixels=1, history_megabytes=64))
    assert window.document.history.budget_bytes == 64 * 1024 * 1024
    assert not window.open_path(tmp_path / "two_mp.png") and "limit" in window.last_error
    window.apply_settings(Settings(max_megapixels=5))
    assert window.open_path(tmp_path / "two_mp.png")
    assert Settings.load().max_megapixels == 5  # persisted
    assert recent_files()[0] == str(Path(tmp_path / "two_mp.png").resolve())


def test_shortcut_sheet_and_tooltips_show_the_keys(window):
    rows = {(menu, action): keys for menu, action, keys in shortcut_rows(window.menus)}
    assert rows[("File", "Open…")] == "Ctrl+O"
    assert rows[("Edit", "Accept result")].startswith("Return")
    assert rows[("Tools", "Eraser")] == "E" and rows[("Tools", "Sketch pen")] == "P"
    assert "(Ctrl+Shift+S)" in window.save_as_action.toolTip()
