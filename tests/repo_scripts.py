"""The repository's own build scripts (`npm/build.py`, `scripts/gen_docs.py`), loaded by path:
they are not in an importable package."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[1]


def load_script(path: Path, name: str) -> ModuleType:
    """The script at `path` run as a module called `name`."""
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def npm_build() -> ModuleType:
    """`npm/build.py`, which assembles the npm package."""
    return load_script(ROOT / "npm" / "build.py", "npm_build")
