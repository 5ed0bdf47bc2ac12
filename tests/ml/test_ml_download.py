"""Weights over HTTP from a real server on 127.0.0.1: good, tampered and interrupted downloads."""

from __future__ import annotations

import hashlib
import http.server
import threading
from pathlib import Path
from types import MappingProxyType

import pytest
import torch

from editor.ml.download import download_file
from editor.ml.errors import ChecksumMismatch, FetchCancelled, WeightsUnavailable

PAYLOAD = bytes(range(256)) * 4096  # 1 MiB


class _Handler(http.server.BaseHTTPRequestHandler):
    files: dict[str, bytes] = {}

    def do_GET(self) -> None:  # noqa: N802 (http.server API)
        if self.path == "/truncated":
            # Promise the whole payload, send half, hang up.
            self.send_response(200)
            self.send_header("Content-Length", str(len(PAYLOAD)))
            self.end_headers()
            self.wfile.write(PAYLOAD[: len(PAYLOAD) // 2])
            self.wfile.flush()
            self.close_connection = True
            return
        body = self.files.get(self.path)
        if body is None:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # keep test output quiet
        pass


@pytest.fixture
def server():
    _Handler.files = {"/weights.bin": PAYLOAD}
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", _Handler.files
    httpd.shutdown()
    httpd.server_close()


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_good_download(server, tmp_path):
    url, _ = server
    fractions = []
    dest = download_file(
        f"{url}/weights.bin",
        tmp_path / "w.bin",
        hashlib.sha256(PAYLOAD).hexdigest(),
        progress=lambda f, t: fractions.append(f),
    )
    assert dest.read_bytes() == PAYLOAD
    assert fractions[-1] == 1.0 and fractions == sorted(fractions)
    assert _leftovers(tmp_path) == ["w.bin"]


def test_checksum_mismatch_is_rejected_and_deleted(server, tmp_path):
    url, _ = server
    with pytest.raises(ChecksumMismatch, match="expected"):
        download_file(f"{url}/weights.bin", tmp_path / "w.bin", "0" * 64)
    assert _leftovers(tmp_path) == []


def test_interrupted_download_leaves_nothing(server, tmp_path):
    url, _ = server
    good = hashlib.sha256(PAYLOAD).hexdigest()
    with pytest.raises(WeightsUnavailable):
        download_file(f"{url}/truncated", tmp_path / "w.bin", good)
    assert _leftovers(tmp_path) == []


def test_http_error_and_cancel(server, tmp_path):
    url, _ = server
    with pytest.raises(WeightsUnavailable, match="404"):
        download_file(f"{url}/missing", tmp_path / "w.bin", "0" * 64)
    with pytest.raises(FetchCancelled):
        download_file(f"{url}/weights.bin", tmp_path / "w.bin", "0" * 64, cancelled=lambda: True)
    assert _leftovers(tmp_path) == []


def test_manager_fetches_converts_and_loads_from_url(server, tmp_path, make_srvgg):
    """End to end: a pinned URL serving an official-style .pth (params_ema) becomes safetensors."""
    from editor.ml.loading import build_and_load
    from editor.ml.manager import ModelManager
    from editor.ml.registry import ModelSpec, Registry, UrlSource

    url, files = server
    model = make_srvgg(seed=4)
    pth = tmp_path / "tiny.pth"
    torch.save({"params_ema": model.state_dict()}, pth)
    files["/tiny.pth"] = pth.read_bytes()
    digest = hashlib.sha256(files["/tiny.pth"]).hexdigest()
    spec = ModelSpec(
        name="tiny",
        task="upscale",
        title="Tiny",
        scale=4,
        arch="editor.ml.archs.srvgg:SRVGGNetCompact",
        arch_kwargs=MappingProxyType({"num_feat": 8, "num_conv": 3}),
        weight_file="tiny.safetensors",
        sources=(UrlSource(f"{url}/tiny.pth", digest),),
    )
    manager = ModelManager(Registry([spec]), project_dir=tmp_path / "none")
    assert not manager.is_available("tiny")
    path = manager.ensure("tiny")
    assert path.suffix == ".safetensors" and manager.is_available("tiny")
    loaded = build_and_load(spec, path)
    x = torch.rand(1, 3, 9, 11)
    torch.testing.assert_close(loaded(x), model(x))

    # A changed pin (e.g. a new upstream file) invalidates the converted copy.
    changed = ModelSpec(**{**spec.__dict__, "sources": (UrlSource(f"{url}/tiny.pth", "1" * 64),)})
    stale = ModelManager(Registry([changed]), project_dir=tmp_path / "none")
    assert not stale.is_available("tiny")
    with pytest.raises(WeightsUnavailable, match="retouch models fetch tiny"):
        stale.ensure("tiny")
