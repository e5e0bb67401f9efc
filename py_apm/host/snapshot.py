"""Pyodide memory snapshots with ``py_apm`` already imported (``py-apm snapshot``).

A snapshot is the wasm memory of a Pyodide that has imported every browser module of
``py_apm``; the shim boots from it about 4x faster than from a plain ``loadPyodide()``.
It is valid only for one Pyodide build and one ``py_apm`` bundle, so its file name carries a
key made of both (:func:`snapshot_key`): the server serves ``/py_apm.snapshot`` only when the
file for the current key exists, and the shim boots normally otherwise.

Snapshots are built in Chromium (the same engine that loads them) and kept in
``<root>/build/snapshot/`` (see :func:`snapshot_dir`; ``$PY_APM_SNAPSHOT_DIR`` overrides).
They are build output: never committed, built (``snapshot_build.py``) by ``scripts/setup.sh``, by
``py-apm snapshot`` and, when missing, by the pytest plugin, ``py-apm run`` and ``py-apm serve``.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path

from .bundle import get_bundle

SNAPSHOT_DIR_ENV = "PY_APM_SNAPSHOT_DIR"
SUFFIX = ".snapshot"
_BUILD_ID = re.compile(rb'BUILD_ID:"([0-9a-f]{64})"')

class SnapshotError(RuntimeError):
    """A snapshot could not be built; ``str(err)`` says why."""


@dataclass(frozen=True)
class SnapshotInfo:
    """Where the snapshot for the current Pyodide and bundle lives, and whether it exists."""

    key: str
    path: Path
    build_id: str

    @property
    def exists(self) -> bool:
        return self.path.is_file()


def pyodide_build_id(pyodide: Path) -> str:
    """The BUILD_ID compiled into ``pyodide.js`` (snapshots are only valid for that build)."""
    try:
        found = _BUILD_ID.search((pyodide / "pyodide.js").read_bytes())
    except OSError:
        found = None
    return found.group(1).decode() if found else "unknown"


def snapshot_dir(root: Path) -> Path:
    """``$PY_APM_SNAPSHOT_DIR``, else ``<root>/build/snapshot`` when ``root`` is writable (a
    checkout), else ``$XDG_CACHE_HOME/py-apm/snapshot`` (an installed, read-only package)."""
    env = os.environ.get(SNAPSHOT_DIR_ENV)
    if env:
        return Path(env).expanduser().resolve()
    if os.access(root, os.W_OK):
        return root / "build" / "snapshot"
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return cache / "py-apm" / "snapshot"


def snapshot_key(build_id: str, bundle_etag: str) -> str:
    """A short key naming one (Pyodide build, py_apm bundle) pair."""
    return hashlib.sha256(f"{build_id}\n{bundle_etag}".encode()).hexdigest()[:20]


_build_ids: dict[Path, tuple[int, str]] = {}


def current(root: Path, pyodide: Path) -> SnapshotInfo:
    """The snapshot that matches the Pyodide in ``pyodide`` and the current bundle."""
    try:
        mtime = (pyodide / "pyodide.js").stat().st_mtime_ns
    except OSError:
        mtime = -1
    cached = _build_ids.get(pyodide)
    if cached is None or cached[0] != mtime:
        cached = (mtime, pyodide_build_id(pyodide))
        _build_ids[pyodide] = cached
    build_id = cached[1]
    key = snapshot_key(build_id, get_bundle().etag)
    path = snapshot_dir(root) / f"py_apm-{key}{SUFFIX}"
    return SnapshotInfo(key=key, path=path, build_id=build_id)
