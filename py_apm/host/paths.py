"""Where py-apm's files are: ``shim.js``, ``web/``, the Pyodide runtime and the snapshot cache.

Two layouts, looked for in this order:

* **installed** (a wheel): the build copied ``shim.js``, ``web/`` and the Pyodide core files into
  ``py_apm/host/static/`` (``static/pyodide/`` for Pyodide);
* **checkout** (an editable install or ``PYTHONPATH``): the repository root holds ``web/`` and
  ``shim/``, the sources ``shim.js`` is built from (:mod:`py_apm.host.shim_build`); Pyodide is in
  ``node_modules/pyodide`` after ``npm ci``.

Explicit overrides are applied last, on top of what was found: ``$PY_APM_ROOT`` (a directory
holding ``shim.js`` and ``web/``) and ``$PY_APM_PYODIDE_DIR``. The memory snapshot never lives
inside the package: it goes to the user's cache directory (``$PY_APM_SNAPSHOT_DIR`` overrides).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

ROOT_ENV = "PY_APM_ROOT"
PYODIDE_ENV = "PY_APM_PYODIDE_DIR"
SNAPSHOT_DIR_ENV = "PY_APM_SNAPSHOT_DIR"

#: The installed layout's data directory (filled by setup.py's build_py step).
STATIC_DIR = Path(__file__).resolve().parent / "static"
#: The repository root when py_apm is imported from a checkout.
CHECKOUT_DIR = Path(__file__).resolve().parents[2]

#: The Pyodide files the server serves and the snapshot build reads (what the wheel carries).
PYODIDE_FILES = (
    "pyodide.asm.wasm",
    "pyodide.asm.mjs",
    "pyodide.mjs",
    "pyodide.js",
    "python_stdlib.zip",
    "pyodide-lock.json",
    "package.json",
)


@dataclass(frozen=True)
class Layout:
    """Where the files are, and how they were found: ``kind`` (installed, checkout or none) is
    the layout found at ``base``; ``overrides`` names the variables that replaced a part of it."""

    kind: str
    base: Path
    root: Path
    pyodide: Path
    overrides: tuple[str, ...] = ()

    @property
    def shim(self) -> Path:
        return self.root / "shim.js"

    @property
    def web(self) -> Path:
        return self.root / "web"

    @property
    def description(self) -> str:
        """For ``py-apm doctor``, e.g. ``checkout /src/py-apm; PY_APM_PYODIDE_DIR=/opt/pyo``."""
        text = f"{self.kind} {self.base}" if self.kind != "none" else "none found"
        values = {ROOT_ENV: self.root, PYODIDE_ENV: self.pyodide}
        return "; ".join([text, *(f"{name}={values[name]}" for name in self.overrides)])

    @property
    def pyodide_fix(self) -> str:
        """What makes Pyodide appear in this layout (an installed package cannot ``npm ci``)."""
        if PYODIDE_ENV in self.overrides:
            return f"point {PYODIDE_ENV} at a folder holding pyodide.asm.wasm, or unset it"
        if self.kind == "checkout":
            return f"run `npm ci` in {self.root} (or `bash scripts/setup.sh`)"
        return (
            "reinstall py-apm from a wheel or sdist that carries Pyodide "
            "(`pip install --force-reinstall py-apm-emulator`)"
        )

    @property
    def files_fix(self) -> str:
        """What makes ``shim.js`` and ``web/`` appear in this layout."""
        if ROOT_ENV in self.overrides:
            return f"point {ROOT_ENV} at a folder holding shim.js and web/index.html, or unset it"
        return (
            "reinstall py-apm (`pip install --force-reinstall py-apm-emulator`, or "
            "`pip install -e .` in a checkout)"
        )


def _is_root(path: Path) -> bool:
    # A checkout may hold only the sources of shim.js (shim/): the server builds it on start.
    has_shim = (path / "shim.js").is_file() or (path / "shim" / "index.js").is_file()
    return has_shim and (path / "web" / "index.html").is_file()


def _env_path(name: str) -> Path | None:
    value = os.environ.get(name, "").strip()
    return Path(value).expanduser().resolve() if value else None


def find_layout() -> Layout:
    """The layout in use (cheap: a few ``stat`` calls; environment read on every call)."""
    if _is_root(STATIC_DIR):
        kind, base, pyodide = "installed", STATIC_DIR, STATIC_DIR / "pyodide"
    else:
        kind = "checkout" if _is_root(CHECKOUT_DIR) else "none"
        base, pyodide = CHECKOUT_DIR, CHECKOUT_DIR / "node_modules" / "pyodide"
    root_env, pyodide_env = _env_path(ROOT_ENV), _env_path(PYODIDE_ENV)
    overrides: list[str] = []
    root = base
    if root_env is not None:
        overrides.append(ROOT_ENV)
        root = root_env
        # A root given by hand that carries its own node_modules brings its own Pyodide.
        if (root_env / "node_modules" / "pyodide").is_dir() or kind == "none":
            pyodide = root_env / "node_modules" / "pyodide"
    if pyodide_env is not None:
        overrides.append(PYODIDE_ENV)
        pyodide = pyodide_env
    return Layout(kind, base, root, pyodide, tuple(overrides))


def repo_root() -> Path:
    """The directory holding ``shim.js`` and ``web/``."""
    return find_layout().root


def pyodide_dir(root: Path | None = None) -> Path:
    """The Pyodide runtime directory (``root`` only matters for a root given by hand)."""
    layout = find_layout()
    if root is None or root == layout.root:
        return layout.pyodide
    return _env_path(PYODIDE_ENV) or root / "node_modules" / "pyodide"


def pyodide_version(directory: Path) -> str | None:
    """The version in the Pyodide dir's package.json, or None when it is not installed."""
    if not (directory / "pyodide.asm.wasm").is_file():
        return None
    try:
        return str(json.loads((directory / "package.json").read_text("utf-8"))["version"])
    except (OSError, ValueError, KeyError, TypeError):
        return "unknown"


def cache_dir() -> Path:
    """py-apm's directory in the user's cache (``$XDG_CACHE_HOME/py-apm``, ``~/.cache/py-apm``)."""
    base = os.environ.get("XDG_CACHE_HOME", "").strip()
    return (Path(base).expanduser() if base else Path.home() / ".cache") / "py-apm"


def snapshot_dir() -> Path:
    """Where memory snapshots go: ``$PY_APM_SNAPSHOT_DIR``, else ``<cache_dir>/snapshot``.

    Checkouts use the cache too: the file name is keyed by Pyodide build and bundle, so
    checkouts and installs with the same code share one snapshot and never clash.
    """
    return _env_path(SNAPSHOT_DIR_ENV) or cache_dir() / "snapshot"
