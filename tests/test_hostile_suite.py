"""The reliability suite's quick pass: files of every hostile class bench/hostile.py makes,
opened the way File → Open does; each opens or is refused with a plain ImageFileError."""

from __future__ import annotations

import importlib.util
from collections import Counter
from pathlib import Path

from editor.document.document import Document
from editor.document.io import open_into
from editor.fileio.errors import ImageFileError

BENCH = Path(__file__).resolve().parents[1] / "bench" / "hostile_files.py"


def _makers():
    spec = importlib.util.spec_from_file_location("hostile_files", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_hostile_class_opens_or_is_refused_cleanly(qapp, tmp_path):
    makers = _makers()
    outcomes: Counter[str] = Counter()
    for path in makers.make_all(tmp_path, 6 * sum(makers.WEIGHTS), seed=11):
        try:
            open_into(Document(), path, max_pixels=50_000_000)
            outcomes["opened"] += 1
        except ImageFileError as error:
            assert str(error), path.name  # a message the user can read
            outcomes["refused"] += 1
    assert outcomes["opened"] > 5 and outcomes["refused"] > 10, outcomes
