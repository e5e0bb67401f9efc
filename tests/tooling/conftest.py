"""Fixtures of the tooling tests. This directory is a package (``__init__.py``) so this module is
``tooling.conftest`` and never shadows the plain ``conftest`` other test directories import."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.client import HTTPConnection
from pathlib import Path

import pytest

from py_apm.host.server import ApmServer, serve


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes


def fetch(
    url: str, path: str, method: str = "GET", headers: dict[str, str] | None = None
) -> Response:
    """Send ``path`` exactly as given (no client-side normalisation)."""
    host_port = url.split("//", 1)[1].split("/", 1)[0]
    host, port = host_port.rsplit(":", 1)
    conn = HTTPConnection(host, int(port), timeout=10)
    try:
        conn.putrequest(method, path, skip_accept_encoding=True)
        for name, value in (headers or {}).items():
            conn.putheader(name, value)
        conn.endheaders()
        resp = conn.getresponse()
        body = resp.read()
        return Response(resp.status, {k.lower(): v for k, v in resp.getheaders()}, body)
    finally:
        conn.close()


@pytest.fixture
def http() -> Callable[..., Response]:
    """``http(url, path, method="GET", headers=None) -> Response`` (raw path, no normalising)."""
    return fetch


@dataclass
class FakeRoot:
    root: Path
    pyodide: Path
    webresources: Path
    secret: Path


@pytest.fixture
def fake_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> FakeRoot:
    """A repo root with shim.js, web/, a fake Pyodide dir, webresources and a secret outside."""
    root = tmp_path / "repo"
    (root / "web" / "sub").mkdir(parents=True)
    (root / "shim.js").write_text("window.PyApm = {};\n")
    (root / "web" / "index.html").write_text("<!doctype html><title>ws</title>\n")
    (root / "web" / "workspace.css").write_text("body{}\n")
    (root / "web" / "sub" / "x.svg").write_text("<svg/>\n")
    (root / "pyproject.toml").write_text("[project]\n")
    pyodide = tmp_path / "pyodide"
    pyodide.mkdir()
    (pyodide / "pyodide.asm.wasm").write_bytes(b"\0asm\1\0\0\0")
    (pyodide / "pyodide.mjs").write_text("export {};\n")
    (pyodide / "package.json").write_text(json.dumps({"version": "314.0.7"}))
    webresources = tmp_path / "wr"
    (webresources / "dir").mkdir(parents=True)
    (webresources / "hello.html").write_text("<p>hi</p>\n")
    (webresources / "dir" / "a.js").write_text("1;\n")
    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET\n")
    (webresources / "link_out.txt").symlink_to(secret)
    (webresources / "link_in.html").symlink_to(webresources / "hello.html")
    monkeypatch.setenv("PY_APM_ROOT", str(root))
    monkeypatch.setenv("PY_APM_PYODIDE_DIR", str(pyodide))
    monkeypatch.setenv("PY_APM_SNAPSHOT_DIR", str(tmp_path / "snapshots"))
    return FakeRoot(root=root, pyodide=pyodide, webresources=webresources, secret=secret)


@pytest.fixture
def fake_server(fake_root: FakeRoot, tmp_path: Path) -> Iterator[tuple[ApmServer, str]]:
    config = tmp_path / "config.json"
    config.write_text(json.dumps({"legacyPromises": True}))
    server, url = serve(webresources=fake_root.webresources, config=config)
    try:
        yield server, url
    finally:
        server.stop()
