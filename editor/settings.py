"""User settings persisted with QSettings (QtCore only)."""

from __future__ import annotations

from dataclasses import dataclass, fields

from PySide6.QtCore import QSettings

DEVICES = ("auto", "cuda", "cpu")
MAX_RECENT = 10


@dataclass
class Settings:
    max_megapixels: int = 200  # decompression-bomb limit for opening files
    history_megabytes: int = 1024  # undo history memory budget
    device: str = "auto"  # where neural operations run: auto (CUDA, else MPS, else CPU)
    half_precision: bool = True  # fp16 on CUDA
    tile_size: int = 0  # 0 = chosen from free memory
    model_memory_megabytes: int = 4096  # budget of the cache of loaded models
    autosave_seconds: int = 60  # 0 = off
    accept_as_new_layer: bool = False  # Enter puts results on a new layer; Shift+Enter merges

    @property
    def max_pixels(self) -> int:
        return self.max_megapixels * 1_000_000

    @property
    def history_bytes(self) -> int:
        return self.history_megabytes * 1024 * 1024

    @classmethod
    def load(cls, store: QSettings | None = None) -> Settings:
        store = store or QSettings()
        settings = cls()
        for field in fields(cls):
            default = getattr(settings, field.name)
            value = store.value(f"settings/{field.name}", default)
            if isinstance(default, bool):  # QSettings may hand back "true"/"false" strings
                value = value if isinstance(value, bool) else str(value).lower() == "true"
            setattr(settings, field.name, type(default)(value))
        if settings.device not in DEVICES:
            settings.device = "auto"
        return settings

    def save(self, store: QSettings | None = None) -> None:
        store = store or QSettings()
        for field in fields(self):
            store.setValue(f"settings/{field.name}", getattr(self, field.name))


def recent_files(store: QSettings | None = None) -> list[str]:
    store = store or QSettings()
    value = store.value("files/recent", [])
    return [value] if isinstance(value, str) else list(value or [])


def remember_file(path: str, store: QSettings | None = None) -> list[str]:
    """Put `path` first in the recent-files list; returns the new list."""
    store = store or QSettings()
    paths = [path] + [p for p in recent_files(store) if p != path]
    store.setValue("files/recent", paths[:MAX_RECENT])
    return paths[:MAX_RECENT]
