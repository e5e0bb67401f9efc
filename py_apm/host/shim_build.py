"""``shim.js`` in a checkout: a build output of the ES modules in ``shim/``.

``scripts/build_shim.mjs`` (the pinned esbuild) bundles ``shim/`` into the one classic script
pages load. It runs from ``scripts/setup.sh``, the wheel and sdist builds (``setup.py``), the
npm build (``npm/build.py``) and the server (:func:`ensure_built`) when the sources are newer
than the bundle. An installed package has no ``shim/`` and serves the ``shim.js`` it carries.
Standard library only: ``setup.py`` loads this file on its own.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

#: The build script, relative to the repository root.
BUILD_SCRIPT = Path("scripts", "build_shim.mjs")


class ShimBuildError(RuntimeError):
    """``shim.js`` is missing or stale and cannot be built here (no node, no esbuild)."""


def sources(root: Path) -> list[Path]:
    """The files ``shim.js`` is built from (empty when ``root`` has no ``shim/`` sources)."""
    folder = root / "shim"
    if not (folder / "index.js").is_file():
        return []
    return sorted(folder.rglob("*.js")) + [root / BUILD_SCRIPT]


def stale(root: Path) -> bool:
    """True when ``root/shim.js`` is missing or older than one of its sources."""
    inputs = sources(root)
    if not inputs:
        return False
    try:
        built = (root / "shim.js").stat().st_mtime_ns
    except FileNotFoundError:
        return True
    return any(path.stat().st_mtime_ns > built for path in inputs if path.exists())


def build(root: Path, out: Path | None = None) -> Path:
    """Bundle ``root/shim/`` into ``out`` (default ``root/shim.js``), replaced atomically."""
    node = shutil.which("node")
    if node is None:
        raise ShimBuildError(
            f"shim.js in {root} must be built from shim/ and node is not installed: "
            "install Node.js (>= 18) and run `bash scripts/setup.sh`"
        )
    if not (root / "node_modules" / "esbuild" / "package.json").is_file():
        raise ShimBuildError(
            f"shim.js in {root} must be built from shim/ and esbuild is not installed: "
            f"run `npm ci` in {root} (or `bash scripts/setup.sh`)"
        )
    target = out if out is not None else root / "shim.js"
    partial = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    command = [node, str(root / BUILD_SCRIPT), "--out", str(partial)]
    done = subprocess.run(command, cwd=root, capture_output=True, text=True, check=False)
    if done.returncode != 0 or not partial.is_file():
        partial.unlink(missing_ok=True)
        detail = (done.stderr or done.stdout).strip().splitlines()[-5:]
        raise ShimBuildError(f"building shim.js from {root / 'shim'} failed: {' / '.join(detail)}")
    os.replace(partial, target)
    return target


def ensure_built(root: Path) -> bool:
    """Rebuild ``root/shim.js`` when it is stale; True when it was (re)built."""
    if not stale(root):
        return False
    build(root)
    return True


_BUILDING = threading.Lock()


def refresh(root: Path) -> None:
    """For a server's request of shim.js: rebuilt when ``shim/`` changed since the last build
    (edit a module, reload the page); a failed rebuild keeps the last build and says why on
    stderr."""
    with _BUILDING:
        try:
            ensure_built(root)
        except ShimBuildError as exc:
            print(f"py-apm serve: {exc}", file=sys.stderr)
