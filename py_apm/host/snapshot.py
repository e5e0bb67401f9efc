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
import json
import os
import re
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

from .bundle import get_bundle
from .paths import SNAPSHOT_DIR_ENV, pyodide_dir, snapshot_dir

__all__ = ["SNAPSHOT_DIR_ENV", "SUFFIX", "SnapshotError", "SnapshotInfo", "current", "problem"]

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
    sources: str = ""  #: the digest of the py_apm sources (the bundle's etag) it must be built from

    @property
    def exists(self) -> bool:
        """The file is there and matches the digest recorded when it was built."""
        return problem(self) is None

    @property
    def sidecar(self) -> Path:
        return sidecar_path(self.path)


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
    etag = get_bundle().etag
    key = snapshot_key(build_id, etag)
    path = snapshot_dir() / f"py_apm-{key}{SUFFIX}"
    return SnapshotInfo(key=key, path=path, build_id=build_id, sources=etag)


# ---------------------------------------------------------------------------- integrity
# Each snapshot has a sidecar, <file>.json, written by its builder (this package's or the npm
# package's) before the file is moved into place: {"format", "sources", "size", "sha256"}. A
# snapshot is used only when its sidecar names the current py_apm sources and the file's bytes
# hash to the recorded digest; anything else (a file built from other py_apm code, corrupted
# bytes, no sidecar) is refused with one warning and the page boots without it.


def sidecar_path(path: Path) -> Path:
    return path.with_name(path.name + ".json")


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def write_sidecar(path: Path, sidecar: Path, sources: str) -> None:
    """Record ``path``'s digest (the file at its temporary name) in ``sidecar``, atomically."""
    record = {
        "format": FORMAT,
        "sources": sources,
        "size": path.stat().st_size,
        "sha256": file_sha256(path),
    }
    part = sidecar.with_name(f"{sidecar.name}.{os.getpid()}.part")
    part.write_text(json.dumps(record), encoding="utf-8")
    os.replace(part, sidecar)


_verified: dict[Path, tuple[tuple[int, int, int], str | None]] = {}
_warned: set[tuple[Path, str]] = set()
_verify_lock = threading.Lock()


def problem(info: SnapshotInfo) -> str | None:
    """None when ``info.path`` may be used, else why not (a missing file is not worth a
    warning; anything else is printed once). Hashes the file once per version of it."""
    try:
        st = info.path.stat()
        side = info.sidecar.stat()
    except OSError:
        return "missing"
    stamp = (st.st_mtime_ns, st.st_size, side.st_mtime_ns)
    with _verify_lock:
        cached = _verified.get(info.path)
        if cached is not None and cached[0] == stamp:
            return cached[1]
        found = _check(info, st.st_size)
        _verified[info.path] = (stamp, found)
        if found is not None and (info.path, found) not in _warned:
            _warned.add((info.path, found))
            print(
                f"py-apm: not using the memory snapshot {info.path}: {found}; pages boot "
                "without it (`py-apm snapshot --force` rebuilds it)",
                file=sys.stderr,
            )
    return found


def verified(info: SnapshotInfo, st: os.stat_result) -> bool:
    """Whether the file whose ``stat`` is ``st`` (an opened file's: the check is on what is
    served) is the version of ``info.path`` that passed :func:`problem`."""
    if problem(info) is not None:
        return False
    with _verify_lock:
        cached = _verified.get(info.path)
    return cached is not None and cached[0][:2] == (st.st_mtime_ns, st.st_size)


def _check(info: SnapshotInfo, size: int) -> str | None:
    try:
        record = json.loads(info.sidecar.read_text(encoding="utf-8"))
        if not isinstance(record, dict):
            raise ValueError
    except (OSError, ValueError):
        return "its digest record is unreadable"
    if record.get("format") != FORMAT:
        return f"it is in another format ({record.get('format')!r})"
    if info.sources and record.get("sources") != info.sources:
        return "it was built from other py_apm code"
    if record.get("size") != size or record.get("sha256") != file_sha256(info.path):
        return "its bytes do not match the digest recorded when it was built (corrupted)"
    return None
