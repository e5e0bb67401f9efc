"""The snapshot's identity and how the server offers it (no browser)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

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
    info = snapshot.current(fake_root.pyodide)
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
        info = snapshot.current(fake_root.pyodide)
        snap_dir.mkdir()
        (snap_dir / "py_apm-0123456789abcdef0123.snapshot").write_bytes(b"stale")
        assert http(url, "/py_apm.snapshot").status == 404  # a stale one is never served
        info.path.write_bytes(b"SNAPSHOT-BYTES")
        snapshot.write_sidecar(info.path, info.sidecar, info.sources)
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
    info = snapshot.current(fake_root.pyodide)
    info.path.parent.mkdir(parents=True)
    info.path.write_bytes(b"x")
    snapshot.write_sidecar(info.path, info.sidecar, info.sources)
    assert snapshot_build.main(["--check"]) == 0
    assert capsys.readouterr().out.strip() == f"up to date: {info.path}"


def test_snapshot_lives_in_the_user_cache(fake_root, tmp_path, monkeypatch):
    monkeypatch.delenv(snapshot.SNAPSHOT_DIR_ENV, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    assert snapshot.current().path.parent == tmp_path / "cache" / "py-apm" / "snapshot"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert snapshot.current().path.parent == tmp_path / "home" / ".cache" / "py-apm" / "snapshot"
    monkeypatch.setenv(snapshot.SNAPSHOT_DIR_ENV, str(tmp_path / "mine"))
    assert snapshot.current().path.parent == tmp_path / "mine"


def test_prune_keeps_the_current_and_the_newest_others(tmp_path):
    keep = tmp_path / "py_apm-new.snapshot"
    for age, name in enumerate(("py_apm-new", "py_apm-b", "py_apm-c", "py_apm-d", "other")):
        path = tmp_path / f"{name}.snapshot" if name != "other" else tmp_path / "other.bin"
        path.write_bytes(b"x")
        os.utime(path, (1_000_000 - age, 1_000_000 - age))
    snapshot_build._prune(tmp_path, keep, others=2)
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "other.bin",
        "py_apm-b.snapshot",
        "py_apm-c.snapshot",
        "py_apm-new.snapshot",
    ]


_RACE = """
import sys, time
from pathlib import Path
from py_apm.host import snapshot, snapshot_build

def make(info):
    with open(sys.argv[1], "a") as log:
        log.write("built\\n")
    time.sleep(0.5)  # long enough for every other process to arrive and wait
    info.path.write_bytes(b"SNAP")
    snapshot.write_sidecar(info.path, info.sidecar, info.sources)

info, built = snapshot_build._locked_build(False, make)
print(info.path, built)
"""


def test_processes_asking_at_once_build_it_once(fake_root, snap_dir, tmp_path):
    """Like pytest-xdist workers: one builds, the others wait for it and use its file."""
    log = tmp_path / "builds.log"
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", _RACE, str(log)], env=env, stdout=subprocess.PIPE, text=True
        )
        for _ in range(4)
    ]
    outputs = [p.communicate(timeout=60)[0].split() for p in procs]
    assert all(p.returncode == 0 for p in procs)
    assert log.read_text() == "built\n"
    info = snapshot.current(fake_root.pyodide)
    assert sorted(built for _, built in outputs) == ["False", "False", "False", "True"]
    assert {path for path, _ in outputs} == {str(info.path)}
    assert info.path.read_bytes() == b"SNAP"
    assert sorted(p.name for p in snap_dir.iterdir() if not p.name.startswith(".")) == [
        info.path.name,
        info.sidecar.name,
    ]


def test_failed_build_releases_the_lock(fake_root, snap_dir):
    def fail(info):
        raise snapshot.SnapshotError("boom")

    with pytest.raises(snapshot.SnapshotError, match="boom"):
        snapshot_build._locked_build(False, fail)
    assert not snapshot.current(fake_root.pyodide).exists

    def make(info):
        info.path.write_bytes(b"S")
        snapshot.write_sidecar(info.path, info.sidecar, info.sources)

    info, built = snapshot_build._locked_build(False, make)
    assert built and info.exists
    assert snapshot_build._locked_build(False, fail) == (info, False)  # exists: nothing to build
