"""Pack the browser half of ``py_apm`` into a zip the shim unpacks into Pyodide.

The zip is an allow-list: ``py_apm/__init__.py`` and the ``model/`` and ``bridge/`` packages
(``.py`` and ``.json`` data files). Nothing under ``host/`` (or any other module) can end up
inside Pyodide. Paths inside are ``py_apm/<relative path>``. The bytes are deterministic
(sorted names, fixed timestamps and permissions) and cached until a file is added, removed or
modified.
"""

from __future__ import annotations

import hashlib
import io
import threading
import zipfile
from dataclasses import dataclass
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent.parent

#: What runs inside Pyodide: these top-level files and everything in these packages.
BROWSER_FILES = frozenset({"__init__.py"})
BROWSER_PACKAGES = frozenset({"model", "bridge"})
SUFFIXES = (".py", ".json")
_FIXED_DATE = (1980, 1, 1, 0, 0, 0)


@dataclass(frozen=True)
class Bundle:
    """A built zip and its identity."""

    data: bytes
    etag: str
    files: tuple[str, ...]


_lock = threading.Lock()
_cache: dict[tuple[str, tuple[tuple[str, int, int], ...]], Bundle] = {}


def bundle_files(package_dir: Path = PACKAGE_DIR) -> list[tuple[str, Path]]:
    """Return ``(archive name, path)`` pairs of the files that go into the zip, sorted."""
    out: list[tuple[str, Path]] = []
    for path in package_dir.rglob("*"):
        rel = path.relative_to(package_dir)
        if any(part == "__pycache__" or part.startswith(".") for part in rel.parts):
            continue
        if path.suffix not in SUFFIXES or not path.is_file():
            continue
        if len(rel.parts) == 1:
            if rel.name not in BROWSER_FILES:
                continue
        elif rel.parts[0] not in BROWSER_PACKAGES:
            continue
        out.append((f"{package_dir.name}/{rel.as_posix()}", path))
    out.sort()
    return out


def _fingerprint(files: list[tuple[str, Path]]) -> tuple[tuple[str, int, int], ...]:
    key = []
    for name, path in files:
        st = path.stat()
        key.append((name, st.st_mtime_ns, st.st_size))
    return tuple(key)


def _build(files: list[tuple[str, Path]]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, path in files:
            info = zipfile.ZipInfo(name, date_time=_FIXED_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            info.create_system = 3  # unix, whatever the host
            zf.writestr(info, path.read_bytes(), compresslevel=6)
    return buf.getvalue()


def get_bundle(package_dir: Path = PACKAGE_DIR) -> Bundle:
    """Build (or return the cached) bundle of ``package_dir``."""
    files = bundle_files(package_dir)
    key = (str(package_dir), _fingerprint(files))
    with _lock:
        cached = _cache.get(key)
        if cached is not None:
            return cached
        data = _build(files)
        bundle = Bundle(
            data=data,
            etag='"' + hashlib.sha256(data).hexdigest()[:32] + '"',
            files=tuple(name for name, _ in files),
        )
        _cache.clear()
        _cache[key] = bundle
        return bundle


def build_package_zip() -> bytes:
    """Return the zip of the browser half of ``py_apm`` (deterministic, cached)."""
    return get_bundle().data
