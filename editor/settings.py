"""User settings persisted with QSettings (QtCore only)."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QSettings


@dataclass
class Settings:
    max_megapixels: int = 200  # decompression-bomb limit for opening files
    history_megabytes: int = 1024  # undo history memory budget

    @property
    def max_pixels(self) -> int:
        return self.max_megapixels * 1_000_000

    @property
    def history_bytes(self) -> int:
        return self.history_megabytes * 1024 * 1024

    @classmethod
    def load(cls, store: QSettings | None = None) -> Settings:
        store = store or QSettings("Retouch", "Retouch")
        defaults = cls()
        return cls(
            max_megapixels=int(store.value("files/max_megapixels", defaults.max_megapixels)),
            history_megabytes=int(store.value("history/megabytes", defaults.history_megabytes)),
        )
