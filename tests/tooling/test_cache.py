"""``py-apm cache``: what is cached (sizes, versions) and ``--prune``; notes written by builds."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from py_apm.host import cache, cli, snapshot_build
from py_apm.host.snapshot import current


def _snapshot(folder: Path, key: str, size: int, note: dict[str, str] | None = None) -> Path:
    path = folder / f"py_apm-{key}.snapshot"
    path.write_bytes(b"\0" * size)
    if note is not None:
        path.with_suffix(".json").write_text(json.dumps(note))
    return path


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("PY_APM_SNAPSHOT_DIR", str(tmp_path))
    return tmp_path


def test_cache_lists_sizes_versions_and_what_prune_frees(folder: Path, capsys) -> None:
    key = current().key
    _snapshot(folder, key, 2_000_000, {"py_apm": "0.2.0", "pyodide": "314.0.7"})
    _snapshot(folder, "node-" + key, 1_000_000)
    _snapshot(folder, "0123456789abcdef0123", 3_000_000, {"py_apm": "0.1.0", "pyodide": "314.0.6"})
    assert cli.main(["cache"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        f"py-apm cache: {folder} (3 snapshots, 6.0 MB)",
        f"  current   2.0 MB  py_apm-{key}.snapshot  (py_apm 0.2.0, Pyodide 314.0.7)",
        f"  current   1.0 MB  py_apm-node-{key}.snapshot  (py_apm ?, Pyodide ?)",
        "  old       3.0 MB  py_apm-0123456789abcdef0123.snapshot  (py_apm 0.1.0, Pyodide 314.0.6)",
        "`py-apm cache --prune` deletes the 1 old ones (3.0 MB)",
    ]


def test_prune_keeps_only_the_current_versions_snapshots(folder: Path, capsys) -> None:
    key = current().key
    keep = _snapshot(folder, key, 10, {"py_apm": "0.2.0", "pyodide": "314.0.7"})
    old = _snapshot(folder, "0123456789abcdef0123", 10, {"py_apm": "0.1.0", "pyodide": "1"})
    (folder / "py_apm-x.snapshot.123.part").write_bytes(b"half")
    (folder / ".build.lock").write_text("")
    assert cli.main(["cache", "--prune"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"py-apm cache: deleted 1 old snapshots from {folder}\n")
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        [keep.name, keep.with_suffix(".json").name, ".build.lock"]
    )
    assert not old.exists()


def test_an_empty_or_missing_cache(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("PY_APM_SNAPSHOT_DIR", str(tmp_path / "none"))
    assert cli.main(["cache", "--prune"]) == 0
    assert f"py-apm cache: {tmp_path / 'none'} (0 snapshots, 0.0 MB)" in capsys.readouterr().out


def test_builds_leave_a_note_and_prune_beyond_a_few_versions(folder: Path) -> None:
    import os
    import time

    olds = [_snapshot(folder, f"{i:020d}", 10, {"py_apm": str(i)}) for i in range(5)]
    for age, path in enumerate(reversed(olds)):  # olds[4] newest
        stamp = time.time() - 100 * (age + 1)
        os.utime(path, (stamp, stamp))
    new = _snapshot(folder, current().key, 10)
    cache.write_note(new)
    snapshot_build._prune(folder, new)
    left = sorted(p.name for p in folder.glob("*.snapshot"))
    assert left == sorted([new.name, olds[4].name, olds[3].name])  # KEEP_OTHERS = 2
    assert not olds[0].with_suffix(".json").exists()
    note = json.loads(new.with_suffix(".json").read_text())
    assert set(note) == {"py_apm", "pyodide", "built"}
