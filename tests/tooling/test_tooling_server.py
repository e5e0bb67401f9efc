"""py_apm.host.server: routes, MIME types, traversal, caching, the CLI's serve command."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from py_apm.host import paths
from py_apm.host.bundle import build_package_zip
from py_apm.host.server import (
    CACHE_LONG,
    PyodideNotFound,
    ServerSetupError,
    clean_segments,
    make_server,
    pyodide_dir,
    repo_root,
    serve,
)

REPO = Path(__file__).resolve().parents[2]


def test_binds_loopback_by_default(fake_server):
    server, url = fake_server
    assert server.server_address[0] == "127.0.0.1"
    assert url.startswith("http://127.0.0.1:") and url.endswith("/")
    assert server.script_tag == f'<script src="{url}shim.js"></script>'


def test_index_served_at_root_and_web(fake_server, http):
    _, url = fake_server
    for path in ("/", "/web/", "/web", "/?x=1"):
        r = http(url, path)
        assert r.status == 200, path
        assert r.headers["content-type"].startswith("text/html")
        assert b"<title>ws</title>" in r.body


def test_page_assets_and_shim(fake_server, http):
    _, url = fake_server
    css = http(url, "/workspace.css")  # relative asset of the page served at /
    assert css.status == 200 and css.headers["content-type"].startswith("text/css")
    assert http(url, "/web/workspace.css").body == css.body
    svg = http(url, "/web/sub/x.svg")
    assert svg.status == 200 and svg.headers["content-type"] == "image/svg+xml"
    shim = http(url, "/shim.js")
    assert shim.status == 200
    assert shim.headers["content-type"].startswith("text/javascript")
    assert shim.headers["cache-control"] == "no-cache"
    assert shim.headers["access-control-allow-origin"] == "*"


def test_pyodide_mime_and_cache(fake_server, http):
    _, url = fake_server
    wasm = http(url, "/pyodide/pyodide.asm.wasm")
    assert wasm.status == 200
    assert wasm.headers["content-type"] == "application/wasm"
    assert wasm.headers["cache-control"] == CACHE_LONG
    assert wasm.headers["etag"]
    mjs = http(url, "/pyodide/pyodide.mjs")
    assert mjs.headers["content-type"].startswith("text/javascript")
    pkg = http(url, "/pyodide/package.json")
    assert pkg.headers["content-type"] == "application/json"


@pytest.mark.skipif(not (pyodide_dir(REPO) / "pyodide.asm.wasm").is_file(), reason="npm ci not run")
def test_real_pyodide_wasm_head(http, monkeypatch):
    monkeypatch.delenv("PY_APM_ROOT", raising=False)
    monkeypatch.delenv("PY_APM_PYODIDE_DIR", raising=False)
    server, url = serve()
    try:
        r = http(url, "/pyodide/pyodide.asm.wasm", method="HEAD")
        assert r.status == 200 and r.body == b""
        assert r.headers["content-type"] == "application/wasm"
        size = (pyodide_dir(REPO) / "pyodide.asm.wasm").stat().st_size
        assert int(r.headers["content-length"]) == size
    finally:
        server.stop()


def test_package_zip(fake_server, http):
    _, url = fake_server
    r = http(url, "/py_apm.zip")
    assert r.status == 200
    assert r.headers["content-type"] == "application/zip"
    assert r.headers["cache-control"].startswith("public, max-age=")
    assert r.body == build_package_zip()
    again = http(url, "/py_apm.zip", headers={"If-None-Match": r.headers["etag"]})
    assert again.status == 304 and again.body == b""


def test_webresources_and_config(fake_server, http):
    _, url = fake_server
    assert http(url, "/webresources/hello.html").body == b"<p>hi</p>\n"
    assert http(url, "/web/webresources/hello.html").status == 200
    assert http(url, "/webresources/dir/a.js").status == 200
    assert http(url, "/webresources/link_in.html").status == 200  # symlink staying inside
    cfg = http(url, "/config.json")
    assert cfg.status == 200 and cfg.headers["content-type"] == "application/json"
    assert b"legacyPromises" in cfg.body


def test_no_webresources_no_config_is_404(fake_root, http):
    server, url = serve()
    try:
        assert http(url, "/webresources/hello.html").status == 404
        assert http(url, "/config.json").status == 404
        assert http(url, "/").status == 200
    finally:
        server.stop()


def test_favicon_204(fake_server, http):
    _, url = fake_server
    r = http(url, "/favicon.ico")
    assert r.status == 204 and r.body == b""


TRAVERSALS = [
    "/web/../pyproject.toml",
    "/web/%2e%2e/pyproject.toml",
    "/web/%2E%2E/pyproject.toml",
    "/web/%252e%252e/pyproject.toml",
    "/web/..%2fpyproject.toml",
    "/web/..%2Fpyproject.toml",
    "/web/..\\pyproject.toml",
    "/web/%5c..%5cpyproject.toml",
    "/web//etc/passwd",
    "//etc/passwd",
    "/pyodide//etc/passwd",
    "/pyodide/%2Fetc%2Fpasswd",
    "/pyodide/../../secret.txt",
    "/webresources/../secret.txt",
    "/webresources/%2e%2e/secret.txt",
    "/webresources/link_out.txt",
    "/webresources/dir/../../secret.txt",
    "/web/%00index.html",
    "/web/index.html%00.png",
    "/web/C:/Windows/win.ini",
    "/..%2f..%2f..%2fetc/passwd",
    "/%2e%2e/%2e%2e/etc/passwd",
    "/web/./index.html",
    "/web/%c0%ae%c0%ae/pyproject.toml",
    "/pyproject.toml/..",
    "http://127.0.0.1/web/../pyproject.toml",
    "/etc/passwd",
    "/nope/x.js",
]


@pytest.mark.parametrize("path", TRAVERSALS)
def test_traversal_is_404(fake_server, http, path):
    _, url = fake_server
    r = http(url, path)
    assert r.status == 404, (path, r.body[:80])
    assert b"SECRET" not in r.body and b"[project]" not in r.body


@pytest.mark.parametrize(
    "path",
    ["/web/sub/", "/web/sub", "/webresources/", "/webresources/dir/", "/pyodide/", "/pyodide"],
)
def test_no_directory_listing(fake_server, http, path):
    _, url = fake_server
    r = http(url, path)
    assert r.status == 404
    assert b"x.svg" not in r.body and b"a.js" not in r.body


def test_clean_segments():
    assert clean_segments("/web/a.js?x=1") == ["web", "a.js"]
    assert clean_segments("/web/") == ["web", ""]
    assert clean_segments("/web/%2e%2e/x") is None
    assert clean_segments("/web/%252e/x") is None
    assert clean_segments("/a\\b") is None
    assert clean_segments("no-slash") is None


def test_if_none_match(fake_server, http):
    _, url = fake_server
    first = http(url, "/shim.js")
    etag = first.headers["etag"]
    assert http(url, "/shim.js", headers={"If-None-Match": etag}).status == 304
    assert http(url, "/shim.js", headers={"If-None-Match": f'"x", W/{etag}'}).status == 304
    assert http(url, "/shim.js", headers={"If-None-Match": "*"}).status == 304
    assert http(url, "/shim.js", headers={"If-None-Match": '"other"'}).status == 200


def test_etag_changes_with_file(fake_server, fake_root, http):
    _, url = fake_server
    before = http(url, "/shim.js").headers["etag"]
    shim = fake_root.root / "shim.js"
    shim.write_text("window.PyApm = {changed: true};\n")
    os.utime(shim, ns=(time.time_ns() + 10**9, time.time_ns() + 10**9))
    after = http(url, "/shim.js")
    assert after.headers["etag"] != before and b"changed" in after.body


def test_head_and_unknown_method(fake_server, http):
    _, url = fake_server
    head = http(url, "/", method="HEAD")
    assert head.status == 200 and head.body == b"" and int(head.headers["content-length"]) > 0
    assert http(url, "/", method="POST").status in (405, 501)


def test_pyodide_missing_gives_the_fix_for_the_override(fake_root, tmp_path, monkeypatch):
    monkeypatch.setenv("PY_APM_PYODIDE_DIR", str(tmp_path / "nowhere"))
    with pytest.raises(PyodideNotFound, match="point PY_APM_PYODIDE_DIR at a folder"):
        make_server()


def test_pyodide_missing_in_a_checkout_says_npm_ci(fake_root, monkeypatch):
    monkeypatch.delenv("PY_APM_PYODIDE_DIR")
    monkeypatch.delenv("PY_APM_ROOT")
    monkeypatch.setattr(paths, "STATIC_DIR", fake_root.root / "absent")
    monkeypatch.setattr(paths, "CHECKOUT_DIR", fake_root.root)  # a checkout before `npm ci`
    with pytest.raises(PyodideNotFound, match=f"run `npm ci` in {fake_root.root}"):
        make_server()


def test_shim_missing_fails_before_listening(fake_root):
    (fake_root.root / "shim.js").unlink()
    with pytest.raises(ServerSetupError, match="shim.js not found .*point PY_APM_ROOT"):
        make_server()


def test_bad_options(fake_root, tmp_path):
    with pytest.raises(ServerSetupError, match="not a directory"):
        make_server(webresources=tmp_path / "missing")
    with pytest.raises(ServerSetupError, match="no such file"):
        make_server(config=tmp_path / "missing.json")
    bad = tmp_path / "bad.json"
    bad.write_text("{nope")
    with pytest.raises(ServerSetupError, match="not valid JSON"):
        make_server(config=bad)


def test_repo_root_default_and_env(monkeypatch, tmp_path):
    monkeypatch.delenv("PY_APM_ROOT", raising=False)
    monkeypatch.delenv("PY_APM_PYODIDE_DIR", raising=False)
    assert repo_root() == REPO
    assert pyodide_dir() == REPO / "node_modules" / "pyodide"
    monkeypatch.setenv("PY_APM_ROOT", str(tmp_path))
    assert repo_root() == tmp_path.resolve()
    # a root without its own node_modules keeps the Pyodide of the layout found
    assert pyodide_dir() == REPO / "node_modules" / "pyodide"
    (tmp_path / "node_modules" / "pyodide").mkdir(parents=True)
    assert pyodide_dir() == tmp_path.resolve() / "node_modules" / "pyodide"


def _cli_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    env["PYTHONUNBUFFERED"] = "1"
    return env


def test_cli_serve_port_0_prints_url(fake_root, http):
    proc = subprocess.Popen(
        [sys.executable, "-m", "py_apm.host.cli", "serve", "--port", "0", "--no-snapshot"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_cli_env(),
    )
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:") and url.endswith("/"), url
        tag = proc.stdout.readline()
        assert f'<script src="{url}shim.js"></script>' in tag
        r = http(url, "/")
        assert r.status == 200 and b"<title>ws</title>" in r.body
    finally:
        proc.terminate()
        proc.wait(timeout=10)


# `py-apm serve` building a missing snapshot in the background (404 first, the note, then the
# file): tests/install/test_wheel.py::test_serve_builds_the_snapshot_and_a_page_becomes_ready,
# from the installed files (one snapshot build for both).


def test_cli_serve_without_pyodide_fails_clearly(fake_root, tmp_path):
    env = _cli_env()
    env["PY_APM_PYODIDE_DIR"] = str(tmp_path / "nowhere")
    proc = subprocess.run(
        [sys.executable, "-m", "py_apm.host.cli", "serve", "--port", "0"],
        capture_output=True,
        text=True,
        env=env,
        timeout=30,
    )
    assert proc.returncode == 1
    assert "Pyodide not found" in proc.stderr and "PY_APM_PYODIDE_DIR" in proc.stderr
    assert "Traceback" not in proc.stderr
