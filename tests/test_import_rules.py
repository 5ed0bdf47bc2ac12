"""Import rules from DESIGN.md that import-linter cannot express, and a lean start-up."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

EDITOR = Path(__file__).resolve().parents[1] / "editor"

NO_WIDGETS = [
    "core",
    "document",
    "fileio/load.py",
    "fileio/save.py",
    "fileio/errors.py",
    "engine",
    "ops",
    "ml",
    "training",
]


def _imported_names(path: Path):
    tree = ast.parse(path.read_text(), str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            yield node.module
            yield from (f"{node.module}.{alias.name}" for alias in node.names)


def _files(entry: str):
    path = EDITOR / entry
    return sorted(path.rglob("*.py")) if path.is_dir() else [path] if path.exists() else []


@pytest.mark.parametrize("entry", NO_WIDGETS)
def test_no_direct_widget_imports(entry):
    offenders = [
        f"{path.relative_to(EDITOR)}: {name}"
        for path in _files(entry)
        for name in _imported_names(path)
        if name.startswith("PySide6.QtWidgets")
    ]
    assert not offenders


def test_nothing_at_run_time_imports_training():
    """Also for top-level modules that the import-linter contract does not list yet."""
    offenders = [
        f"{path.relative_to(EDITOR)}: {name}"
        for path in sorted(EDITOR.rglob("*.py"))
        if "training" not in path.relative_to(EDITOR).parts
        for name in _imported_names(path)
        if name == "editor.training" or name.startswith("editor.training.")
    ]
    assert not offenders


def test_the_checker_sees_widget_imports(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("from PySide6 import QtWidgets\nfrom PySide6.QtWidgets import QWidget\n")
    assert "PySide6.QtWidgets" in set(_imported_names(sample))


def test_starting_the_editor_imports_neither_torch_nor_opencv():
    code = (
        "import sys\n"
        "from PySide6.QtWidgets import QApplication\n"
        "app = QApplication([])\n"
        "from editor.app import build_window\n"
        "w = build_window(); w.show(); app.processEvents()\n"
        "print(sorted(m for m in ('torch', 'cv2', 'editor.ml') if m in sys.modules))\n"
        "w.close()\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=120,
        env={**__import__("os").environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().splitlines()[-1] == "[]"
