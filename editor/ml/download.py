"""HTTP download of a pinned file: streamed to a temp file, sha256-checked, renamed atomically.

A file only appears under its final name once every byte arrived and the hash matched, so an
interrupted or tampered download can never be mistaken for valid weights.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import urllib.error
import urllib.request
from collections.abc import Callable
from http.client import HTTPException
from pathlib import Path

from editor.ml.errors import ChecksumMismatch, FetchCancelled, WeightsUnavailable

_CHUNK = 1 << 16
_USER_AGENT = "retouch-model-fetch/1"


def download_file(
    url: str,
    dest: Path,
    sha256: str,
    progress: Callable[[float, str], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
    timeout_s: float = 30.0,
) -> Path:
    """Download `url` to `dest` if its sha256 equals `sha256`; return `dest`.

    Raises WeightsUnavailable (network error, HTTP error, body shorter than Content-Length),
    ChecksumMismatch (bytes arrived but the hash differs; nothing is kept) or FetchCancelled.
    """
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=dest.name + ".", suffix=".part", dir=dest.parent)
    tmp = Path(tmp_name)
    digest = hashlib.sha256()
    received = 0
    try:
        request = urllib.request.Request(url, headers={"User-Agent": _USER_AGENT})
        with (
            os.fdopen(fd, "wb") as sink,
            urllib.request.urlopen(request, timeout=timeout_s) as resp,
        ):
            length_header = resp.headers.get("Content-Length")
            total = int(length_header) if length_header and length_header.isdigit() else None
            while True:
                if cancelled is not None and cancelled():
                    raise FetchCancelled(f"Download of {dest.name} cancelled")
                chunk = resp.read(_CHUNK)
                if not chunk:
                    break
                sink.write(chunk)
                digest.update(chunk)
                received += len(chunk)
                if progress is not None:
                    fraction = received / total if total else 0.0
                    progress(fraction, f"Downloading {dest.name}: {received / 1e6:.1f} MB")
        if total is not None and received != total:
            raise WeightsUnavailable(
                f"Download of {dest.name} was interrupted ({received} of {total} bytes)"
            )
        actual = digest.hexdigest()
        if actual != sha256.lower():
            raise ChecksumMismatch(
                f"{dest.name} from {url} has sha256 {actual}, expected {sha256}; "
                "the download was deleted"
            )
        os.replace(tmp, dest)
        return dest
    except (urllib.error.URLError, HTTPException, OSError, TimeoutError) as exc:
        raise WeightsUnavailable(f"Could not download {url} (offline?): {exc}") from exc
    finally:
        tmp.unlink(missing_ok=True)
