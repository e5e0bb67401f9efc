"""Build hook: put the files the server serves into the wheel (everything else is pyproject.toml).

The repository keeps ``web/`` and the sources of ``shim.js`` (``shim/``, bundled by
``scripts/build_shim.mjs``: ``py_apm/host/shim_build.py``) at its top level and gets Pyodide
from npm (``node_modules/pyodide``, filled by ``npm ci`` from the committed lock). ``build_py``
builds shim.js and copies it, web/ and Pyodide into ``py_apm/host/static/`` of the build,
where ``py_apm.host.paths`` looks first. The sdist carries the same source files and the built
shim.js (MANIFEST.in), so a wheel builds from it with no npm. A fresh clone (``pip install
git+URL``) has no node_modules yet: the build runs ``npm ci`` for Pyodide and esbuild when npm
is there, and downloads nothing else.
Editable installs copy nothing: they find the files in the checkout itself.
"""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
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


def _missing() -> list[str]:
    return [name for name in PYODIDE_FILES if not (PYODIDE / name).is_file()]


def build_shim() -> None:
    """shim.js from shim/ when it is missing or older (a checkout; an sdist carries it built).
    esbuild is a devDependency: a checkout without it gets the locked one with ``npm ci``."""
    if not SHIM_BUILD.stale(HERE):
        return
    npm = shutil.which("npm")
    if not (HERE / "node_modules" / "esbuild").is_dir() and npm:
        print("py-apm build: npm ci (esbuild, to build shim.js from shim/)")
        command = [npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund"]
        subprocess.run(command, cwd=HERE, check=True)
    try:
        SHIM_BUILD.build(HERE)
    except SHIM_BUILD.ShimBuildError as exc:
        raise SystemExit(f"py-apm build: {exc}") from None


def static_files() -> list[tuple[Path, Path]]:
    """``(source, path inside the package tree)`` for every file the wheel must carry."""
    npm = shutil.which("npm")
    if _missing() and npm and (HERE / "package-lock.json").is_file():
        print("py-apm build: npm ci --omit=dev (the Pyodide pinned in package-lock.json)")
        command = [npm, "ci", "--omit=dev", "--ignore-scripts", "--no-audit", "--no-fund"]
        subprocess.run(command, cwd=HERE, check=True)
    missing = _missing()
    if missing:
        raise SystemExit(
            f"py-apm build: {', '.join(missing)} missing in {PYODIDE}: run `npm ci` first "
            "(it installs the Pyodide pinned in package-lock.json)"
        )
    build_shim()
    pairs = [(HERE / "shim.js", STATIC / "shim.js")]
    for path in sorted((HERE / "web").rglob("*")):
        rel = path.relative_to(HERE)
        if path.is_file() and not any(part.startswith(".") for part in rel.parts):
            pairs.append((path, STATIC / rel))
    pairs += [(PYODIDE / name, STATIC / "pyodide" / name) for name in PYODIDE_FILES]
    return pairs


class BuildPyWithStatic(build_py):
    """``build_py`` that also copies shim.js, web/ and the Pyodide core into the build."""

    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return
        for source, target in static_files():
            dest = Path(self.build_lib) / target
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, dest)


class SdistWithShim(sdist):
    """``sdist`` that builds shim.js first, so the sdist's wheel builds with no node."""

    def run(self) -> None:
        build_shim()
        super().run()


setup(cmdclass={"build_py": BuildPyWithStatic, "sdist": SdistWithShim})
