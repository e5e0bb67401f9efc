"""The snapshot's identity and how the server offers it (no browser)."""

from __future__ import annotations

import pytest

from py_apm.host import snapshot, snapshot_build
from py_apm.host.bundle import get_bundle
from py_apm.host.server import serve

BUILD_ID = "ab" * 32


@pytest.fixture
def snap_dir(fake_root, tmp_path, monkeypatch):
    directory = tmp_path / "snapshots"
    monkeypatch.setenv(snapshot.SNAPSHOT_DIR_ENV, str(directory))
    (fake_root.pyodide / "pyodide.js").write_text(f'let x={{BUILD_ID:"{BUILD_ID}"}};\n')
    return directory


def test_build_id_read_from_pyodide_js(fake_root, snap_dir):
    assert snapshot.pyodide_build_id(fake_root.pyodide) == BUILD_ID
    assert snapshot.pyodide_build_id(fake_root.root) == "unknown"  # no pyodide.js there


def test_key_names_pyodide_build_and_bundle(fake_root, snap_dir):
    info = snapshot.current(fake_root.root, fake_root.pyodide)
    assert info.build_id == BUILD_ID
    assert info.key == snapshot.snapshot_key(BUILD_ID, get_bundle().etag)
    assert info.path == snap_dir / f"py_apm-{info.key}.snapshot"
    assert not info.exists
    # another Pyodide build or another bundle is another snapshot
    assert snapshot.snapshot_key("cd" * 32, get_bundle().etag) != info.key
    assert snapshot.snapshot_key(BUILD_ID, '"other"') != info.key


def test_server_offers_only_the_matching_snapshot(fake_root, snap_dir, http):
    server, url = serve()
    try:
        assert http(url, "/py_apm.snapshot").status == 404  # not built
        info = snapshot.current(fake_root.root, fake_root.pyodide)
        snap_dir.mkdir()
        (snap_dir / "py_apm-0123456789abcdef0123.snapshot").write_bytes(b"stale")
        assert http(url, "/py_apm.snapshot").status == 404  # a stale one is never served
        info.path.write_bytes(b"SNAPSHOT-BYTES")
        r = http(url, "/py_apm.snapshot")
        assert r.status == 200 and r.body == b"SNAPSHOT-BYTES"
        assert r.headers["etag"] == f'"{info.key}"'
        assert r.headers["cache-control"] == "public, max-age=0, must-revalidate"
        again = http(url, "/py_apm.snapshot", headers={"If-None-Match": f'"{info.key}"'})
        assert again.status == 304 and again.body == b""
    finally:
        server.stop()


def test_check_command(fake_root, snap_dir, capsys):
    assert snapshot_build.main(["--check"]) == 1
    assert capsys.readouterr().out.startswith("missing: ")
    info = snapshot.current(fake_root.root, fake_root.pyodide)
    info.path.parent.mkdir(parents=True)
    info.path.write_bytes(b"x")
    assert snapshot_build.main(["--check"]) == 0
    assert capsys.readouterr().out.strip() == f"up to date: {info.path}"


def test_snapshot_dir_choice(tmp_path, monkeypatch):
    monkeypatch.delenv(snapshot.SNAPSHOT_DIR_ENV, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    checkout = tmp_path / "checkout"
    checkout.mkdir()
    assert snapshot.snapshot_dir(checkout) == checkout / "build" / "snapshot"
    monkeypatch.setattr(snapshot.os, "access", lambda path, mode: False)  # a read-only install
    assert snapshot.snapshot_dir(checkout) == tmp_path / "cache" / "py-apm" / "snapshot"
    monkeypatch.setenv(snapshot.SNAPSHOT_DIR_ENV, str(tmp_path / "mine"))
    assert snapshot.snapshot_dir(checkout) == tmp_path / "mine"


def test_prune_keeps_only_the_current(tmp_path):
    keep = tmp_path / "py_apm-new.snapshot"
    for name in ("py_apm-old.snapshot", "py_apm-new.snapshot", "other.bin"):
        (tmp_path / name).write_bytes(b"x")
    snapshot_build._prune(tmp_path, keep)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["other.bin", "py_apm-new.snapshot"]
