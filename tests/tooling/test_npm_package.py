"""The npm package's contents (npm/build.py) and the typings' type checks, natively.

scripts/test_js.sh packs the package and runs it in a browser; these are the fast checks."""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
from pathlib import Path
from types import ModuleType

import pytest

import py_apm
from py_apm.host.bundle import get_bundle

ROOT = Path(__file__).resolve().parents[2]
TSC = ROOT / "node_modules" / ".bin" / "tsc"


def _build_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("npm_build", ROOT / "npm" / "build.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def stage(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _build_module().assemble(tmp_path_factory.mktemp("npm"))


def test_manifest_versions_and_entry_points(stage: Path) -> None:
    manifest = json.loads((stage / "package.json").read_text("utf-8"))
    lock = json.loads((ROOT / "package-lock.json").read_text("utf-8"))
    assert manifest["name"] == "py-apm"
    assert manifest["version"] == py_apm.__version__
    assert manifest["dependencies"] == {
        "pyodide": lock["packages"]["node_modules/pyodide"]["version"]
    }
    assert "@playwright/test" in manifest["peerDependencies"]
    assert manifest["bin"] == {"py-apm": "bin/py-apm.mjs"}
    for entry in (".", "./pyapm", "./playwright"):
        target = manifest["exports"][entry]["types"]
        assert (stage / target).is_file(), entry
    assert (stage / manifest["exports"]["./playwright"]["default"]).is_file()


def test_site_holds_the_shim_page_and_bundle(stage: Path) -> None:
    site = stage / "site"
    assert (site / "shim.js").read_bytes() == (ROOT / "shim.js").read_bytes()
    assert (site / "py_apm.zip").read_bytes() == get_bundle().data
    # Both servers read one site description: the package carries the Python side's file.
    assert (stage / "lib" / "site.json").read_bytes() == (
        ROOT / "py_apm" / "host" / "site.json"
    ).read_bytes()
    assert "site.json" not in {p.name for p in site.iterdir()}  # not served, not copied by init
    page = (site / "index.html").read_text("utf-8")
    # Relative, so the page works below any folder of the user's static server.
    assert 'src="shim.js"' in page and 'data-config="config.json"' in page
    assert 'src="/' not in page and 'href="/' not in page
    assert '<link rel="preload" href="pyodide/pyodide.asm.wasm"' in page
    assert "makeMemorySnapshot" in (site / "make-snapshot.js").read_text("utf-8")
    assert sorted(p.name for p in (stage / "types").iterdir()) == ["apm.d.ts", "pyapm.d.ts"]


@pytest.mark.skipif(shutil.which("node") is None, reason="no node")
def test_snapshot_key_is_the_python_sides(stage: Path) -> None:
    """Both sides name the snapshot alike, so they can share one cached file."""
    from py_apm.host.snapshot import current

    script = "const m = await import(process.argv[1]); console.log(m.snapshotKey());"
    done = subprocess.run(
        ["node", "--input-type=module", "-e", script, (stage / "lib" / "site.mjs").as_uri()],
        env={**os.environ, "NODE_PATH": str(ROOT / "node_modules")},
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.strip() == current().key


_SERVER_PROBE = """
import http from "node:http";
import { writeFileSync } from "node:fs";
const { startServer } = await import(process.argv[1]);
const { makeSite } = await import(process.argv[2]);
writeFileSync(process.argv[3] + "/records.json", "{}");
const server = await startServer(makeSite({ configFile: process.argv[3] + "/records.json" }));
const get = (path, host) => new Promise((done, fail) => {
  const req = http.request(server.root + path, { headers: host ? { host } : {} }, (res) => {
    res.resume();
    done([path, host || null, res.statusCode, res.headers["access-control-allow-origin"] || null]);
  });
  req.on("error", fail);
  req.end();
});
const got = [];
for (const path of ["", "shim.js", "config.json", "pyodide/pyodide.mjs", "py_apm.zip"]) got.push(await get(path));
got.push(await get("shim.js", "localhost:1"), await get("config.json", "rebound.example:8080"));
console.log(JSON.stringify(got));
await server.close();
"""


@pytest.mark.skipif(shutil.which("node") is None, reason="no node")
def test_npm_server_answers_only_its_own_names_and_shares_only_the_runtime(
    stage: Path, tmp_path: Path
) -> None:
    """As the Python server: 421 for another Host (DNS rebinding), and only the files a page
    elsewhere needs to boot are readable by other origins (not the page, not the records)."""
    done = subprocess.run(
        ["node", "--input-type=module", "-e", _SERVER_PROBE,
         (stage / "lib" / "http.mjs").as_uri(), (stage / "lib" / "site.mjs").as_uri(),
         str(tmp_path)],
        env={**os.environ, "NODE_PATH": str(ROOT / "node_modules")},
        capture_output=True, text=True, check=True, timeout=60,
    )  # fmt: skip
    assert json.loads(done.stdout) == [
        ["", None, 200, None],
        ["shim.js", None, 200, "*"],
        ["config.json", None, 200, None],
        ["pyodide/pyodide.mjs", None, 200, "*"],
        ["py_apm.zip", None, 200, "*"],
        ["shim.js", "localhost:1", 200, "*"],
        ["config.json", "rebound.example:8080", 421, None],
    ]


def test_readme_is_the_javascript_section(stage: Path) -> None:
    readme = (stage / "README.md").read_text("utf-8")
    assert readme.startswith("# py-apm\n")
    assert 'from "py-apm/playwright"' in readme
    # Only that section: no contributor setup, no other README section.
    assert "scripts/serve.sh" not in readme and "## The JS API" not in readme


def test_a_page_the_build_cannot_edit_stops_it(monkeypatch: pytest.MonkeyPatch) -> None:
    build = _build_module()
    monkeypatch.setattr(build, "PAGE_EDITS", (('src="/gone.js"', 'src="gone.js"'),))
    with pytest.raises(SystemExit, match="gone.js"):
        build.workspace_page()


@pytest.mark.skipif(not TSC.exists(), reason="npm ci has not installed typescript")
def test_typings_accept_the_examples_and_catch_misuse(tmp_path: Path) -> None:
    for config in ("tsconfig.examples.json", "tsconfig.strict.json"):
        done = subprocess.run(
            [str(TSC), "-p", str(ROOT / "tests" / "types" / config)],
            capture_output=True,
            text=True,
        )
        assert done.returncode == 0, done.stdout
    # The same checker rejects a misuse without @ts-expect-error: the checks are not vacuous.
    shutil.copy(ROOT / "types" / "apm.d.ts", tmp_path / "apm.d.ts")
    (tmp_path / "misuse.js").write_text(
        "if (Microsoft.Apm.getFocusedSession().canClose()) {}\n", "utf-8"
    )
    command = [str(TSC), "--noEmit", "--allowJs", "--checkJs", "--types", ""]
    command += ["--lib", "es2022,dom", "apm.d.ts", "misuse.js"]
    done = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True)
    assert done.returncode != 0
    assert "misuse.js(1," in done.stdout and "TS2349" in done.stdout
