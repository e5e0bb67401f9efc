"""shim.js is a build output of shim/: the served file matches its sources, and a checkout's
server rebuilds it when they change."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from py_apm.host import shim_build
from py_apm.host.paths import find_layout

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.subprocess  # node runs esbuild

needs_esbuild = pytest.mark.skipif(
    shutil.which("node") is None or not (ROOT / "node_modules" / "esbuild").is_dir(),
    reason="node and esbuild (npm ci) build shim.js",
)


@needs_esbuild
def test_served_shim_is_built_from_the_current_sources(tmp_path: Path) -> None:
    served = find_layout().shim
    fresh = shim_build.build(ROOT, tmp_path / "shim.js")
    assert served.read_bytes() == fresh.read_bytes(), (
        f"{served} is stale: shim/ changed since it was built; "
        "run `node scripts/build_shim.mjs` (or `bash scripts/setup.sh`)"
    )


def test_the_bundle_is_one_readable_classic_script() -> None:
    text = (ROOT / "shim.js").read_text("utf-8")
    assert text.startswith("/*\n * py-apm shim:")
    assert "data-config-optional" in text.split("*/", 1)[0]  # the script tag's attributes
    assert '\n"use strict";\n(() => {\n' in text  # an IIFE, strict (frames rely on it)
    assert "import " not in text.split("*/", 1)[1].split("import(")[0]  # no ES module syntax
    assert "function copyValue(v, key, depth, converted)" in text  # not minified


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    """A checkout's shim sources, build script and node_modules (linked), with shim.js built."""
    root = tmp_path / "repo"
    shutil.copytree(ROOT / "shim", root / "shim")
    (root / "scripts").mkdir(parents=True)
    shutil.copy2(ROOT / shim_build.BUILD_SCRIPT, root / shim_build.BUILD_SCRIPT)
    (root / "node_modules").symlink_to(ROOT / "node_modules")
    shim_build.build(root)
    return root


def _age(shim: Path) -> None:
    """shim.js built before its sources' last change (mtimes can tie within one second)."""
    earlier = shim.stat().st_mtime_ns - 5_000_000_000
    os.utime(shim, ns=(earlier, earlier))


@needs_esbuild
def test_a_changed_source_makes_shim_js_stale_and_the_server_rebuilds_it(checkout: Path) -> None:
    shim = checkout / "shim.js"
    assert not shim_build.stale(checkout)
    assert shim_build.ensure_built(checkout) is False
    wire = checkout / "shim" / "wire.js"
    text = wire.read_text("utf-8")
    assert "[py-apm] internal error in" in text
    wire.write_text(text.replace("[py-apm] internal error in", "[py-apm] changed in"), "utf-8")
    _age(shim)
    assert shim_build.stale(checkout)
    shim_build.refresh(checkout)  # what the server does on a request for /shim.js
    assert not shim_build.stale(checkout)
    assert "[py-apm] changed in" in shim.read_text("utf-8")
    assert shim_build.ensure_built(checkout) is False


@needs_esbuild
def test_a_missing_shim_js_is_built(checkout: Path) -> None:
    (checkout / "shim.js").unlink()
    assert shim_build.stale(checkout)
    assert shim_build.ensure_built(checkout) is True
    assert (checkout / "shim.js").read_text("utf-8").startswith("/*\n * py-apm shim:")


def test_a_root_without_sources_is_never_stale(tmp_path: Path) -> None:
    (tmp_path / "shim.js").write_text("window.PyApm = {};\n")
    assert shim_build.sources(tmp_path) == []
    assert not shim_build.stale(tmp_path)


def test_a_broken_source_is_a_clear_error_and_keeps_the_last_build(
    checkout: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shim = checkout / "shim.js"
    before = shim.read_bytes()
    index = checkout / "shim" / "index.js"
    index.write_text("import { nothing } from './nowhere.js';\n", "utf-8")
    _age(shim)
    with pytest.raises(shim_build.ShimBuildError, match="building shim.js from .*shim failed"):
        shim_build.build(checkout)
    shim_build.refresh(checkout)
    assert "py-apm serve: building shim.js" in capsys.readouterr().err
    assert shim.read_bytes() == before
    assert not list(checkout.glob(".shim.js.*.tmp"))
