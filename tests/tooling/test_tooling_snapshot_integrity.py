"""Snapshots are used only when they match the digest recorded at build time; every builder
(Python and npm) shares one lock; a killed builder's leftovers are cleaned; a failed build is
not retried on every run. No browser."""

from __future__ import annotations

import hashlib
import json
import os
import random
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from py_apm.host import buildlock, snapshot, snapshot_build
from py_apm.host.server import serve

BUILD_ID = "ab" * 32
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def snap_dir(fake_root: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    directory = tmp_path / "snapshots"
    monkeypatch.setenv(snapshot.SNAPSHOT_DIR_ENV, str(directory))
    (fake_root.pyodide / "pyodide.js").write_text(f'let x={{BUILD_ID:"{BUILD_ID}"}};\n')
    return directory


def put(info: snapshot.SnapshotInfo, body: bytes, sources: str | None = None) -> None:
    """A snapshot as a builder leaves it: the file and its digest record."""
    info.path.parent.mkdir(parents=True, exist_ok=True)
    info.path.write_bytes(body)
    record = {
        "format": snapshot.FORMAT,
        "sources": info.sources if sources is None else sources,
        "size": len(body),
        "sha256": hashlib.sha256(body).hexdigest(),
    }
    info.path.with_name(info.path.name + ".json").write_text(json.dumps(record))


def test_a_snapshot_with_its_record_is_used(fake_root: Any, snap_dir: Path, http: Any) -> None:
    info = snapshot.current(fake_root.pyodide)
    put(info, b"SNAPSHOT-BYTES")
    assert info.exists
    server, url = serve()
    try:
        assert http(url, "/py_apm.snapshot").body == b"SNAPSHOT-BYTES"
    finally:
        server.stop()


def test_a_snapshot_built_from_other_py_apm_code_is_refused(
    fake_root: Any, snap_dir: Path, http: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    info = snapshot.current(fake_root.pyodide)
    put(info, b"SNAPSHOT-BYTES", sources='"another-bundle"')
    assert not info.exists
    server, url = serve()
    try:
        assert http(url, "/py_apm.snapshot").status == 404  # the page boots without it
    finally:
        server.stop()
    err = capsys.readouterr().err
    assert err.count("it was built from other py_apm code") == 1  # said once


def test_a_snapshot_without_its_record_is_not_used(fake_root: Any, snap_dir: Path) -> None:
    info = snapshot.current(fake_root.pyodide)
    snap_dir.mkdir()
    info.path.write_bytes(b"SNAPSHOT-BYTES")
    assert not info.exists


def test_every_random_corruption_is_refused(fake_root: Any, snap_dir: Path) -> None:
    info = snapshot.current(fake_root.pyodide)
    body = random.Random(7).randbytes(256 * 1024)
    rng = random.Random(25)
    for trial in range(20):
        put(info, body)
        assert info.exists
        corrupted = bytearray(body)
        at = rng.randrange(len(body) - 64)
        corrupted[at : at + 64] = rng.randbytes(64)
        if corrupted == bytearray(body):
            continue
        info.path.write_bytes(bytes(corrupted))
        os.utime(info.path, ns=(trial, 10**18 + trial))  # a new version of the file
        assert not info.exists, f"trial {trial}: corrupted at {at} and still used"


def test_a_killed_builders_parts_and_lock_are_cleaned(snap_dir: Path) -> None:
    snap_dir.mkdir()
    (snap_dir / "py_apm-x.snapshot.1234.part").write_bytes(b"half")
    (snap_dir / "tmpab12.part").write_bytes(b"half")
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    lock = snap_dir / buildlock.LOCK_NAME
    lock.write_text(json.dumps({"pid": dead.pid, "host": os.uname().nodename, "time": 1e12}))
    with buildlock.build_lock(snap_dir):
        assert sorted(p.name for p in snap_dir.iterdir()) == [buildlock.LOCK_NAME]
    assert not lock.exists()


def test_a_failed_build_is_not_retried_on_every_run(
    fake_root: Any, snap_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tries: list[int] = []

    def full_disk(**_kw: Any) -> None:
        tries.append(1)
        raise snapshot.SnapshotError("building the snapshot failed: No space left on device")

    monkeypatch.setattr(snapshot_build, "build", full_disk)
    snap_dir.mkdir()
    assert snapshot_build.ensure() is None
    assert snapshot_build.ensure() is None
    assert len(tries) == 1
    info = snapshot.current(fake_root.pyodide)
    assert "No space left" in (buildlock.recent_failure(info.path) or "")
    # Even when the marker cannot be written (the disk is full), this process remembers.
    buildlock.forget_failure(info.path)
    monkeypatch.setattr(buildlock, "remember_failure", lambda *_a: None)
    snapshot_build._failed.clear()
    assert snapshot_build.ensure() is None
    assert snapshot_build.ensure() is None
    assert len(tries) == 2


# ---------------------------------------------------------------- the npm builder agrees

_NODE = """
const m = await import(process.argv[1]);
const [what, dir, path] = process.argv.slice(2);
if (what === "lock") {
  const took = m.tryBuildLock(dir);
  console.log(JSON.stringify(took));
  if (took) m.releaseBuildLock(dir);
} else {
  console.log(JSON.stringify(m.snapshotProblem(path)));
}
"""


@pytest.fixture(scope="module")
def npm_lib(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import importlib.util

    spec = importlib.util.spec_from_file_location("npm_build", ROOT / "npm" / "build.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return Path(module.assemble(tmp_path_factory.mktemp("npm"))) / "lib" / "snapshot.mjs"


def _node(npm_lib: Path, *args: str) -> Any:
    done = subprocess.run(
        ["node", "--input-type=module", "-e", _NODE, npm_lib.as_uri(), *args],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return json.loads(done.stdout)


@pytest.mark.skipif(shutil.which("node") is None, reason="no node")
def test_the_npm_builder_shares_the_lock_and_the_check(npm_lib: Path, tmp_path: Path) -> None:
    from py_apm.host.snapshot import current

    directory = tmp_path / "snaps"
    directory.mkdir()
    with buildlock.build_lock(directory):
        assert _node(npm_lib, "lock", str(directory)) is False  # one lock for every builder
    assert _node(npm_lib, "lock", str(directory)) is True
    assert not (directory / buildlock.LOCK_NAME).exists()
    # The same verdicts on the same files (the real bundle: the npm site ships the same zip).
    info = current()
    info = snapshot.SnapshotInfo(info.key, directory / info.path.name, info.build_id, info.sources)
    put(info, b"SNAPSHOT-BYTES")
    assert _node(npm_lib, "check", "", str(info.path)) is None and info.exists
    info.path.write_bytes(b"SNAPSHOT-BYTEZ")
    assert "corrupted" in _node(npm_lib, "check", "", str(info.path))
    assert not info.exists
