"""py_apm.host.paths: which layout is used (installed, checkout, none), the overrides, and the fix
each layout gets when something is missing."""

from __future__ import annotations

import runpy
from pathlib import Path

import pytest
import setuptools

from py_apm.host import paths


def _make_root(path: Path) -> Path:
    (path / "web").mkdir(parents=True)
    (path / "shim.js").write_text("window.PyApm = {};\n")
    (path / "web" / "index.html").write_text("<!doctype html>\n")
    return path


@pytest.fixture
def where(tmp_path, monkeypatch):
    """An installed data dir and a checkout, both absent until a test makes them."""
    for name in (paths.ROOT_ENV, paths.PYODIDE_ENV, paths.SNAPSHOT_DIR_ENV):
        monkeypatch.delenv(name, raising=False)
    static, checkout = tmp_path / "site" / "static", tmp_path / "checkout"
    monkeypatch.setattr(paths, "STATIC_DIR", static)
    monkeypatch.setattr(paths, "CHECKOUT_DIR", checkout)
    return static, checkout


def test_installed_package_comes_first(where):
    static, checkout = where
    _make_root(static)
    _make_root(checkout)
    layout = paths.find_layout()
    assert (layout.kind, layout.root, layout.pyodide) == ("installed", static, static / "pyodide")
    assert layout.shim == static / "shim.js" and layout.web == static / "web"
    assert layout.description == f"installed {static}"
    assert "pip install --force-reinstall" in layout.pyodide_fix
    assert "npm" not in layout.pyodide_fix  # site-packages has no package.json to `npm ci`


def test_checkout_second(where):
    _, checkout = where
    _make_root(checkout)
    layout = paths.find_layout()
    assert (layout.kind, layout.root) == ("checkout", checkout)
    assert layout.pyodide == checkout / "node_modules" / "pyodide"
    assert layout.pyodide_fix.startswith(f"run `npm ci` in {checkout}")


def test_nothing_found(where):
    layout = paths.find_layout()
    assert layout.kind == "none" and layout.description == "none found"
    assert "reinstall py-apm" in layout.files_fix


def test_overrides_apply_last(where, tmp_path, monkeypatch):
    static, _ = where
    _make_root(static)
    mine = _make_root(tmp_path / "mine")
    monkeypatch.setenv(paths.ROOT_ENV, str(mine))
    layout = paths.find_layout()
    assert layout.root == mine and layout.pyodide == static / "pyodide"  # keeps its Pyodide
    assert layout.description == f"installed {static}; PY_APM_ROOT={mine}"
    assert paths.ROOT_ENV in layout.files_fix
    pyo = tmp_path / "pyo"
    monkeypatch.setenv(paths.PYODIDE_ENV, str(pyo))
    layout = paths.find_layout()
    assert (layout.root, layout.pyodide) == (mine, pyo)
    assert layout.overrides == (paths.ROOT_ENV, paths.PYODIDE_ENV)
    assert paths.PYODIDE_ENV in layout.pyodide_fix


def test_relative_override_is_taken_from_the_current_directory(where, tmp_path, monkeypatch):
    _make_root(tmp_path / "here" / "mine")
    monkeypatch.chdir(tmp_path / "here")
    monkeypatch.setenv(paths.ROOT_ENV, "mine")
    assert paths.find_layout().root == tmp_path / "here" / "mine"


def test_pyodide_version(tmp_path):
    assert paths.pyodide_version(tmp_path) is None
    (tmp_path / "pyodide.asm.wasm").write_bytes(b"\0asm")
    assert paths.pyodide_version(tmp_path) == "unknown"
    (tmp_path / "package.json").write_text('{"version": "314.0.7"}')
    assert paths.pyodide_version(tmp_path) == "314.0.7"


def test_cache_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert paths.cache_dir() == tmp_path / "xdg" / "py-apm"
    monkeypatch.setenv("XDG_CACHE_HOME", "")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert paths.cache_dir() == tmp_path / "home" / ".cache" / "py-apm"


def test_setup_py_copies_the_files_paths_expects(monkeypatch):
    # Run setup.py as the build would, with setup() itself a no-op, and read what it copies.
    monkeypatch.setattr(setuptools, "setup", lambda **_: None)
    setup_py = runpy.run_path(str(Path(__file__).resolve().parents[2] / "setup.py"))
    assert setup_py["PYODIDE_FILES"] == paths.PYODIDE_FILES
