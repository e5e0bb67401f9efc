"""Build hook: put the files the server serves into the wheel (everything else is pyproject.toml).

The repository keeps ``web/`` and the sources of ``shim.js`` (``shim/``, bundled by
``scripts/build_shim.mjs``: ``py_apm/host/shim_build.py``) at its top level and gets Pyodide
from npm (``node_modules/pyodide``, filled by ``npm ci`` from the committed lock). ``build_py``
builds shim.js when it is missing or older than shim/, and copies it, web/, Pyodide, the typings
(``types/``) and the starter project ``py-apm init`` writes (``examples/user-project/``) into
``py_apm/host/static/`` of the build, where ``py_apm.host.paths`` looks first. The sdist carries
the same files (MANIFEST.in), Pyodide and the built shim.js included, so a wheel builds from it
with no npm, no node and no network.

Building either without the Pyodide files (or, in a checkout, without esbuild for shim.js) stops
with one message saying how to get them: the build never runs npm itself and never makes a
wheel that cannot boot. Editable installs copy nothing: they find the files in the checkout.
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


def _host_module(name: str) -> ModuleType:
    """``py_apm/host/<name>.py`` loaded on its own (stdlib only): the one list of Pyodide files
    (paths), the one way shim.js is built (shim_build)."""
    path = HERE / "py_apm" / "host" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"_py_apm_{name}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    # dataclasses look their module up in sys.modules while the class is built.
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


PYODIDE_FILES: tuple[str, ...] = _host_module("paths").PYODIDE_FILES
SHIM_BUILD = _host_module("shim_build")
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
    try:
        SHIM_BUILD.ensure_built(HERE)  # a checkout: from shim/ when newer; an sdist has it built
    except SHIM_BUILD.ShimBuildError as exc:
        raise SystemExit(f"py-apm build: {exc}") from None
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
