"""Which files a batch reads and where each result goes.

INPUT arguments are files, folders (searched recursively) or glob patterns (`**` allowed).
Every input gets a relative name under its root (a folder's path inside it, a glob's path
below the pattern's fixed part, a file's own name); the output keeps that relative layout under
OUTDIR. Only the image formats Retouch reads are taken from folders and globs; hidden files,
atomic-save temporaries and anything inside OUTDIR are left out. No Qt, no torch.
"""

from __future__ import annotations

import glob
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from editor.fileio.load import READABLE_SUFFIXES
from editor.fileio.save import WRITABLE

MAGIC = frozenset("*?[")


@dataclass(frozen=True)
class Input:
    """One image to process: its path and its name relative to the root it was found under
    (posix separators, the key of its manifest row)."""

    path: Path
    relative: str


def _is_image(path: Path) -> bool:
    name = path.name
    return path.suffix.lower() in READABLE_SUFFIXES and not name.startswith(".")


def _inside(path: Path, folder: Path | None) -> bool:
    if folder is None:
        return False
    try:
        path.resolve().relative_to(folder)
    except ValueError:
        return False
    return True


def _walk(root: Path, skip: Path | None) -> Iterator[Path]:
    """Images under `root`, sorted per folder so runs see the same order."""
    for folder, subfolders, files in os.walk(root, followlinks=False):
        here = Path(folder)
        subfolders[:] = sorted(
            name for name in subfolders
            if not name.startswith(".") and not _inside(here / name, skip)
        )  # fmt: skip
        for name in sorted(files):
            path = here / name
            if _is_image(path):
                yield path


def _glob_root(pattern: str) -> Path:
    """The fixed leading folders of a glob pattern (what relative names are taken from)."""
    parts = PurePosixPath(pattern.replace(os.sep, "/")).parts
    fixed: list[str] = []
    for part in parts[:-1]:
        if MAGIC & set(part):
            break
        fixed.append(part)
    return Path(*fixed) if fixed else Path(".")


def discover(
    arguments: list[str | os.PathLike[str]], outdir: Path | None = None
) -> Iterator[Input]:
    """Inputs named by `arguments`, in order, without duplicates (the same file named twice
    is taken once). A missing path that is not a pattern raises FileNotFoundError."""
    skip = outdir.resolve() if outdir is not None else None
    seen: set[Path] = set()
    for argument in arguments:
        text = os.fspath(argument)
        path = Path(text)
        if path.is_dir():
            root, found = path, _walk(path, skip)
        elif path.is_file():
            root, found = path.parent, iter([path])
        elif MAGIC & set(text):
            root = _glob_root(text)
            found = (
                Path(name) for name in sorted(glob.glob(text, recursive=True))
                if Path(name).is_file() and _is_image(Path(name)) and not _inside(Path(name), skip)
            )  # fmt: skip
        else:
            raise FileNotFoundError(f"{text}: no such file or folder")
        for item in found:
            key = item.resolve()
            if key in seen:
                continue
            seen.add(key)
            yield Input(item, item.relative_to(root).as_posix())


def output_name(relative: str, suffix: str | None = None) -> str:
    """The relative output name for an input: the same name, with `suffix` (".png", ...) when
    given; formats Retouch cannot write (BMP) become PNG."""
    path = PurePosixPath(relative)
    if suffix is None:
        suffix = path.suffix if path.suffix.lower() in WRITABLE else ".png"
    return str(path.with_suffix(suffix))


def side_file(folder: Path, relative: str) -> Path | None:
    """The file in `folder` with the same relative name as an input, whatever its image
    suffix (masks are often PNG beside JPEG photos), else None."""
    stem = PurePosixPath(relative).with_suffix("")
    exact = folder / relative
    if exact.is_file():
        return exact
    for suffix in READABLE_SUFFIXES:
        candidate = folder / f"{stem}{suffix}"
        if candidate.is_file():
            return candidate
    return None
