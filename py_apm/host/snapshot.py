"""Pyodide memory snapshots with ``py_apm`` already imported (``py-apm snapshot``).

A snapshot is the wasm memory of a Pyodide that has imported every browser module of
``py_apm``; the shim boots from it about 4x faster than from a plain ``loadPyodide()``.
It is valid only for one Pyodide build and one ``py_apm`` bundle, so its file name carries a
key made of both (:func:`snapshot_key`): the server serves ``/py_apm.snapshot`` only when the
file for the current key exists, and the shim boots normally otherwise.

The file holds the memory without its zero pages (about half of it), so a boot downloads half
as much: "PYAPMSP1", the page size (u32), the memory's length (u64), the number of runs of
non-zero pages (u32), each run's first page and page count (u32 each), then those pages' bytes,
all little-endian (:data:`FORMAT` is part of the key). ``shim.js`` rebuilds the memory while it
streams in.

Snapshots are built in Chromium (the same engine that loads them) and kept in the user's cache
directory, never inside the package (:func:`py_apm.host.paths.snapshot_dir`;
``$PY_APM_SNAPSHOT_DIR`` overrides). They are build output, built (``snapshot_build.py``) by
``py-apm snapshot`` (and ``scripts/setup.sh``) and, when missing, by the pytest plugin,
``py-apm run`` and ``py-apm serve``; several processes asking at once build it once.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from .bundle import get_bundle
from .paths import SNAPSHOT_DIR_ENV, pyodide_dir, snapshot_dir

__all__ = ["SNAPSHOT_DIR_ENV", "SUFFIX", "SnapshotError", "SnapshotInfo", "current"]

SUFFIX = ".snapshot"
#: The file format's name, in the key: a shim never gets a file in a format it does not read.
FORMAT = "sparse-1"
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


def snapshot_key(build_id: str, bundle_etag: str) -> str:
    """A short key naming one (Pyodide build, py_apm bundle, file format) triple."""
    return hashlib.sha256(f"{build_id}\n{bundle_etag}\n{FORMAT}".encode()).hexdigest()[:20]


_build_ids: dict[Path, tuple[int, str]] = {}


def current(pyodide: Path | None = None) -> SnapshotInfo:
    """The snapshot that matches the Pyodide in ``pyodide`` (default: the layout's) and the
    current bundle."""
    pyodide = pyodide or pyodide_dir()
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
    path = snapshot_dir() / f"py_apm-{key}{SUFFIX}"
    return SnapshotInfo(key=key, path=path, build_id=build_id)
