"""The batch manifest: one SQLite row per output file in OUTDIR/retouch-batch.sqlite.

Each row records the input (path, size, modification time, sha256), the operation, its options
(canonical JSON), the sha256 of the model weights it ran with, the output's relative name, the
status (`done` or `failed`), the seconds it took, the error text of a failure and when it
finished. Rows are committed one by one as results arrive (WAL journal), so a batch killed at
any moment keeps every result it had, and a rerun skips them.

A rerun skips an output whose row is `done` with the same operation, options and model digest,
whose input is unchanged (same size and time, or else the same sha256) and whose file is still
there; everything else, failures included, runs again. Only the process driving the batch
writes here: workers send results back.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

MANIFEST_NAME = "retouch-batch.sqlite"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS items (
    output TEXT PRIMARY KEY,       -- relative to OUTDIR, posix separators
    input TEXT NOT NULL,           -- the input path as given (absolute when it was)
    input_size INTEGER,
    input_mtime_ns INTEGER,
    input_sha256 TEXT,
    operation TEXT NOT NULL,
    options TEXT NOT NULL,         -- canonical JSON of the operation's options
    model_sha256 TEXT NOT NULL,    -- "name=sha256,..." of the weights used ("" for none)
    status TEXT NOT NULL,          -- done | failed
    seconds REAL,
    error TEXT,
    finished_at TEXT
)
"""


def canonical_options(options: dict[str, Any]) -> str:
    """Options as sorted, compact JSON (paths and tuples as strings / lists)."""
    return json.dumps(options, sort_keys=True, separators=(",", ":"), default=str)


@dataclass(frozen=True)
class Row:
    output: str
    input: str
    input_size: int | None
    input_mtime_ns: int | None
    input_sha256: str | None
    operation: str
    options: str
    model_sha256: str
    status: str
    seconds: float | None
    error: str | None
    finished_at: str | None


class Manifest:
    """The manifest of one OUTDIR (created on first use)."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(self.path, timeout=30.0, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute(_SCHEMA)

    @classmethod
    def in_folder(cls, outdir: Path) -> Manifest:
        return cls(Path(outdir) / MANIFEST_NAME)

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Manifest:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def get(self, output: str) -> Row | None:
        found = self._db.execute("SELECT * FROM items WHERE output = ?", (output,)).fetchone()
        return Row(*found) if found else None

    def record(self, row: Row) -> None:
        values = list(row.__dict__.values())
        if values[-1] is None:
            values[-1] = time.strftime("%Y-%m-%dT%H:%M:%S%z")
        self._db.execute(
            f"INSERT OR REPLACE INTO items VALUES ({', '.join('?' * len(values))})", values
        )

    def rows(self, status: str | None = None) -> Iterator[Row]:
        query = "SELECT * FROM items" + (" WHERE status = ?" if status else "") + " ORDER BY output"
        for found in self._db.execute(query, (status,) if status else ()):
            yield Row(*found)

    def counts(self) -> dict[str, int]:
        """{status: number of rows}."""
        return dict(self._db.execute("SELECT status, COUNT(*) FROM items GROUP BY status"))


def is_current(
    row: Row | None, operation: str, options: str, models: str, src: Path, dst: Path
) -> bool:
    """Whether `row` says `dst` was already made from `src` with these settings (see above)."""
    if row is None or row.status != "done" or not dst.is_file():
        return False
    if (row.operation, row.options, row.model_sha256) != (operation, options, models):
        return False
    try:
        info = src.stat()
    except OSError:
        return False
    if (info.st_size, info.st_mtime_ns) == (row.input_size, row.input_mtime_ns):
        return True
    from editor.batch.worker import file_sha256

    return info.st_size == row.input_size and file_sha256(src) == row.input_sha256
