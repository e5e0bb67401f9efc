"""Build hook: put the files the server serves into the wheel (everything else is pyproject.toml).

The repository keeps ``shim.js`` and ``web/`` at its top level and gets Pyodide from npm
(``node_modules/pyodide``, filled by ``npm ci`` from the committed lock). ``build_py`` copies
them, the typings (``types/``) and the starter project ``py-apm init`` writes
(``examples/user-project/``) into ``py_apm/host/static/`` of the build, where
``py_apm.host.paths`` looks first. The sdist carries the same files (MANIFEST.in), Pyodide
included, so a wheel builds from it with no npm and no network.

Building either without the Pyodide files stops with one message saying how to get them: the
build never runs npm itself and never makes a wheel that cannot boot. Editable installs copy
nothing: they find the files in the checkout itself.
"""

from __future__ import annotations

import importlib.util
import shutil
import sys
from pathlib import Path
from types import ModuleType

from setuptools import setup
from setuptools.command.build_py import build_py
from setuptools.command.sdist import sdist

HERE = Path(__file__).resolve().parent
PYODIDE = HERE / "node_modules" / "pyodide"


def _paths_module() -> ModuleType:
    """``py_apm/host/paths.py`` loaded on its own (stdlib only): the one list of Pyodide files."""
    spec = importlib.util.spec_from_file_location("_py_apm_paths", HERE / "py_apm/host/paths.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    # dataclasses look their module up in sys.modules while the class is built.
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


_PATHS = _paths_module()
PYODIDE_FILES: tuple[str, ...] = _PATHS.PYODIDE_FILES
STATIC = Path("py_apm", "host", "static")
STARTER = HERE / "examples" / "user-project"


def check_sources() -> None:
    """Stop the build, with one line saying what to run, when a file it must carry is missing."""
    missing = [
        f"node_modules/pyodide/{name}" for name in PYODIDE_FILES if not (PYODIDE / name).is_file()
    ]
    if missing:
        raise SystemExit(
            f"py-apm build: the Pyodide runtime is missing ({', '.join(missing[:2])}"
            f"{', ...' if len(missing) > 2 else ''}): run `npm ci` in the checkout (it installs "
            "the Pyodide pinned in package-lock.json; no other npm package is needed), then build "
            "again"
        )
    if not (HERE / "shim.js").is_file():
        raise SystemExit(
            "py-apm build: shim.js is missing: run `bash scripts/setup.sh` in the checkout (it "
            "builds shim.js), then build again"
        )


def _tree(folder: Path, target: Path) -> list[tuple[Path, Path]]:
    pairs = []
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder)
        if path.is_file() and not any(p.startswith(".") or p == "__pycache__" for p in rel.parts):
            pairs.append((path, target / rel))
    return pairs


def static_files() -> list[tuple[Path, Path]]:
    """``(source, path inside the package tree)`` for every file the wheel must carry."""
    check_sources()
    pairs = [(HERE / "shim.js", STATIC / "shim.js")]
    pairs += _tree(HERE / "web", STATIC / "web")
    pairs += [(PYODIDE / name, STATIC / "pyodide" / name) for name in PYODIDE_FILES]
    pairs += [(path, STATIC / "types" / path.name) for path in sorted(HERE.glob("types/*.d.ts"))]
    pairs += _tree(STARTER, STATIC / "starter")
    return pairs


class BuildPyWithStatic(build_py):
    """``build_py`` that also copies shim.js, web/, Pyodide, the typings and the starter."""

    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return
        for source, target in static_files():
            dest = Path(self.build_lib) / target
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, dest)


class SdistWithRuntime(sdist):
    """``sdist`` that refuses to make an archive without the runtime a wheel build needs."""

    def run(self) -> None:
        check_sources()
        super().run()

    def prune_file_list(self) -> None:
        super().prune_file_list()
        # Quietly (MANIFEST.in's global-exclude warns when nothing matches): caches a test run
        # left in the starter project, dotfiles.
        self.filelist.exclude_pattern(r"(^|/)(__pycache__|\.[^/]*)(/|$)|\.py[cod]$", is_regex=True)


setup(cmdclass={"build_py": BuildPyWithStatic, "sdist": SdistWithRuntime})
