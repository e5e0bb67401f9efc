"""The npm package's contents (npm/build.py) and the typings' type checks, natively.

scripts/test_js.sh packs the package and runs it in a browser; these are the fast checks."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from repo_scripts import npm_build

import py_apm
from py_apm.host.bundle import get_bundle

ROOT = Path(__file__).resolve().parents[2]
TSC = ROOT / "node_modules" / ".bin" / "tsc"


@pytest.fixture(scope="module")
def stage(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return npm_build().assemble(tmp_path_factory.mktemp("npm"))


def test_manifest_versions_and_entry_points(stage: Path) -> None:
    manifest = json.loads((stage / "package.json").read_text("utf-8"))
    lock = json.loads((ROOT / "package-lock.json").read_text("utf-8"))
    assert manifest["name"] == "py-apm-emulator"
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


def test_node_entry_points_and_the_shim_for_node(stage: Path) -> None:
    """py-apm-emulator/node, /vitest, /jest-environment(-node): files that exist; the shim for
    Node is bundled from the same modules as shim.js, with install() and setHost() exported."""
    exports = json.loads((stage / "package.json").read_text("utf-8"))["exports"]
    assert (stage / exports["./node"]["default"]).is_file()
    assert (stage / exports["./node"]["types"]).is_file()
    for entry in ("./vitest", "./jest-environment", "./jest-environment-node"):
        assert (stage / exports[entry]).is_file(), entry
    shim = (stage / "site" / "shim.js").read_text("utf-8")
    node_shim = (stage / "site" / "shim.node.mjs").read_text("utf-8")
    exported = re.search(r"^export \{([^}]*)\};", node_shim, re.M)
    assert exported is not None
    assert sorted(n.strip() for n in exported.group(1).split(",")) == ["install", "setHost"]
    for code in ("function installXrm(", "function readSettings(", "function boot("):
        assert code in shim and code in node_shim


def test_the_package_carries_licence_starter_and_repository(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PY_APM_REPOSITORY_URL", "https://example.test/team/py-apm")
    stage = npm_build().assemble(tmp_path)
    manifest = json.loads((stage / "package.json").read_text("utf-8"))
    assert manifest["repository"] == {
        "type": "git",
        "url": "git+https://example.test/team/py-apm.git",
    }
    assert (stage / "LICENSE").read_bytes() == (ROOT / "LICENSE").read_bytes()
    if (ROOT / "CHANGELOG.md").is_file():
        assert (stage / "CHANGELOG.md").read_bytes() == (ROOT / "CHANGELOG.md").read_bytes()
    starter = stage / "starter"
    example = ROOT / "examples" / "user-project"
    assert sorted(p.relative_to(starter) for p in starter.rglob("*") if p.is_file()) == sorted(
        p.relative_to(example)
        for p in example.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and not p.name.startswith(".")
    )
    assert (starter / "gitignore").is_file()  # npm drops files named .gitignore
    for part in ("starter/", "LICENSE", "CHANGELOG.md", "site/", "types/"):
        assert part in manifest["files"]


def test_one_version_for_both_packages(stage: Path) -> None:
    """The version is written once (py_apm/model/version.py): pyproject reads it, npm/build.py
    copies it."""
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
    assert "version" not in project["project"] and project["project"]["dynamic"] == ["version"]
    attr = project["tool"]["setuptools"]["dynamic"]["version"]["attr"]
    assert attr == "py_apm.model.version.__version__"
    assert json.loads((stage / "package.json").read_text("utf-8"))["version"] == py_apm.__version__
    source = json.loads((ROOT / "npm" / "package.json").read_text("utf-8"))["version"]
    assert source == "0.0.0-set-by-build"


@pytest.mark.skipif(shutil.which("node") is None, reason="no node")
def test_the_package_never_serves_or_copies_its_own_scripts(stage: Path) -> None:
    script = "const m = await import(process.argv[1]); console.log(JSON.stringify(m.SITE_FILES));"
    done = subprocess.run(
        ["node", "--input-type=module", "-e", script, (stage / "lib" / "site.mjs").as_uri()],
        env={**os.environ, "NODE_PATH": str(ROOT / "node_modules")},
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    served = json.loads(done.stdout)
    assert "index.html" in served and "shim.js" in served
    assert "make-snapshot.js" not in served and "failure-report.js" not in served
    assert "shim.node.mjs" not in served and "make-snapshot.node.mjs" not in served
    from py_apm.host.failure_report import CALLS_REPORT_JS

    own = (stage / "site" / "failure-report.js").read_text("utf-8")
    assert own == CALLS_REPORT_JS.strip() + "\n"


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
    shipped = sorted(p.name for p in (stage / "types").iterdir())
    assert shipped == sorted(p.name for p in (ROOT / "types").glob("*.d.ts"))
    assert {"apm.d.ts", "pyapm.d.ts", "cif.d.ts"} <= set(shipped)


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


def test_the_npm_side_takes_the_system_chromium_python_would(
    stage: Path,
) -> None:
    """`npx py-apm snapshot` (headlessChromium): PY_APM_BROWSER, else the first system path of
    the headless shell, then of the full browser, that exists; the starter's config
    (systemChromium): the full browser's (chromium.json, read by both sides)."""
    from py_apm.host import chromium

    script = (
        "const m = await import(process.argv[1]);"
        " console.log(JSON.stringify([m.headlessChromium() ?? '', m.systemChromium() ?? '']));"
    )
    module = (stage / "lib" / "chromium.mjs").as_uri()

    def chosen(**env: str) -> str:
        base = {k: v for k, v in os.environ.items() if k != "PY_APM_BROWSER"}
        done = subprocess.run(
            ["node", "--input-type=module", "-e", script, module],
            env={**base, **env},
            capture_output=True,
            text=True,
            check=True,
        )
        return done.stdout.strip()

    def first(paths: tuple[str, ...]) -> str:
        return next((p for p in paths if Path(p).exists()), "")

    shell_first = first((*chromium.SYSTEM_SHELL_PATHS, *chromium.SYSTEM_PATHS))
    # systemChromium (the starter's config): the full browser only, as a headed run needs
    assert json.loads(chosen()) == [shell_first, first(chromium.SYSTEM_PATHS)]
    assert json.loads(chosen(PY_APM_BROWSER="/opt/my/chrome")) == ["/opt/my/chrome"] * 2


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


def test_readme_stands_alone(stage: Path) -> None:
    """The package's README is npm/README.md: install, the fixture, the configuration format, the
    API list and links to the docs, with no contributor setup."""
    readme = (stage / "README.md").read_text("utf-8")
    assert readme == (ROOT / "npm" / "README.md").read_text("utf-8")
    assert readme.startswith("# py-apm-emulator\n")
    assert "npm install --save-dev py-apm-emulator" in readme
    assert 'from "py-apm-emulator/playwright"' in readme and "apmPage" in readme
    assert '"sessionTemplates"' in readme and '"tabTemplates"' in readme
    assert "`getAllTabs()` (ids)" in readme and "`getSession(id)` (object or" in readme
    assert "scripts/serve.sh" not in readme and ".venv" not in readme
    links = re.findall(r"\]\(([^)#\s]+)\)", readme)
    assert links and all((ROOT / link).is_file() for link in links), links


def test_a_page_the_build_cannot_edit_stops_it(monkeypatch: pytest.MonkeyPatch) -> None:
    build = npm_build()
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


_STARTER_PROBE = """
import { mkdirSync, writeFileSync, readFileSync } from "node:fs";
import { join } from "node:path";
const { install } = await import(process.argv[1]);
const [src, dst] = [process.argv[2] + "/src", process.argv[2] + "/dst"];
mkdirSync(src, { recursive: true });
const put = (name, text) => { writeFileSync(join(src, name), text); return join(src, name); };
const v1 = { "a.txt": put("a1", "a1"), "b.txt": put("b1", "b1") };
const first = install(dst, v1, { gitignore: ["x/"], version: "1" });
writeFileSync(join(dst, "b.txt"), "b-mine");
const v2 = { "a.txt": put("a2", "a2"), "b.txt": put("b2", "b2"), "c.txt": put("c2", "c2") };
const second = install(dst, v2, { gitignore: ["x/"], version: "2" });
const manifest = JSON.parse(readFileSync(join(dst, ".py-apm-init.json"), "utf8"));
console.log(JSON.stringify({ first, second, a: readFileSync(join(dst, "a.txt"), "utf8"),
  b: readFileSync(join(dst, "b.txt"), "utf8"), manifest: Object.keys(manifest.files),
  generator: manifest.generator, ignore: readFileSync(join(dst, ".gitignore"), "utf8") }));
"""


@pytest.mark.skipif(shutil.which("node") is None, reason="no node")
def test_npm_init_updates_what_it_wrote_and_keeps_edits_like_python(tmp_path: Path) -> None:
    """npm/lib/starter.mjs keeps the same manifest rules as py_apm/host/starter.py."""
    done = subprocess.run(
        ["node", "--input-type=module", "-e", _STARTER_PROBE,
         (ROOT / "npm" / "lib" / "starter.mjs").as_uri(), str(tmp_path)],
        capture_output=True, text=True, check=True, timeout=60,
    )  # fmt: skip
    got = json.loads(done.stdout)
    assert got["first"]["created"] == ["a.txt", "b.txt"]
    assert got["second"]["updated"] == ["a.txt"] and got["second"]["kept"] == ["b.txt"]
    assert got["second"]["created"] == ["c.txt"] and got["second"]["gitignoreAdded"] == []
    assert (got["a"], got["b"]) == ("a2", "b-mine")
    assert got["manifest"] == ["a.txt", "b.txt", "c.txt"]
    assert got["generator"] == "py-apm-emulator 2" and got["ignore"] == "x/\n"


_REPORT_PROBE = """
const { attachFailureReport, TITLE } = await import(process.argv[1]);
const calls = "#1 createSession({}) -> warning createSession: unknown session template 'x'";
const page = { isClosed: () => false, evaluate: async (source) => (source.startsWith("((limit) =>") ? calls : "") };
const console_ = [
  { type: "warning", text: "[py-apm] APM-W005 createSession: unknown session template 'x'" },
  { type: "log", text: "hello" },
  { type: "pageerror", text: "TypeError: tab.focus is not a function" },
];
const attached = [];
const info = (status) => ({ status, expectedStatus: "passed", attach: async (name, o) => attached.push([status, name, o.body, o.contentType]) });
await attachFailureReport(page, console_, info("passed"));
await attachFailureReport(page, console_, info("failed"));
await attachFailureReport({ ...page, evaluate: async () => { throw new Error("Target closed\\nlog"); } }, [], info("timedOut"));
console.log(JSON.stringify({ TITLE, attached }));
"""


@pytest.mark.skipif(shutil.which("node") is None, reason="no node")
def test_a_failed_apm_page_test_gets_the_report_attached(stage: Path) -> None:
    done = subprocess.run(
        ["node", "--input-type=module", "-e", _REPORT_PROBE,
         (stage / "lib" / "report.mjs").as_uri()],
        capture_output=True, text=True, check=True, timeout=60,
    )  # fmt: skip
    got = json.loads(done.stdout)
    assert got["TITLE"] == "py-apm warnings and refusals"
    assert got["attached"] == [
        [
            "failed",
            got["TITLE"],
            "#1 createSession({}) -> warning createSession: unknown session template 'x'\n"
            "console pageerror: TypeError: tab.focus is not a function",
            "text/plain",
        ],
        ["timedOut", got["TITLE"], "(PyApm.calls() unavailable: Target closed)", "text/plain"],
    ]
