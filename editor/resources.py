"""Files in the project's resources/ folder (icons, desktop entry)."""

from __future__ import annotations

from pathlib import Path

RESOURCES = Path(__file__).resolve().parents[1] / "resources"


def resource(*parts: str) -> Path:
    return RESOURCES.joinpath(*parts)
