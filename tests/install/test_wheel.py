"""py-apm-emulator installs anywhere: build the sdist and, from it, the wheel (with no npm on
PATH); install the wheel into a fresh venv in a temporary folder outside the checkout (no
checkout on sys.path, no node_modules, no PY_APM_* variables, an empty cache) and use it there as
a user would: ``py-apm init`` then pytest, ``py-apm doctor``, ``py-apm run`` on a documentation
example, ``py-apm serve``. ``$PY_APM_DIST`` (a folder with a wheel and an sdist) tests those files
instead of building them: the release workflow tests the files it publishes.

One build and one venv for the whole module (about a minute). The installed py_apm has the checkout's sources, so the snapshot the test
session already built is the one the installed layout looks for: it is copied into the venv's
cache (when the keys match), and the one snapshot build here is the one `py-apm serve` makes,
from the installed files, in an empty cache of its own.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import urllib.error
import urllib.request
import venv
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

import py_apm
from py_apm.host.paths import PYODIDE_FILES

REPO = Path(__file__).resolve().parents[2]
DIST_ENV = "PY_APM_DIST"
DOC_EXAMPLE = REPO / "tests" / "doc_examples" / "examples" / "createSession__1.js"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not (REPO / "node_modules" / "pyodide" / "pyodide.asm.wasm").is_file(),
        reason="npm ci not run (the build copies Pyodide from node_modules)",
    ),
]


def _backend_installed() -> bool:
    """What pyproject.toml's [build-system] requires is installed here (the dev extras carry it)."""
    import tomllib
    from importlib.metadata import PackageNotFoundError, version

    from packaging.requirements import Requirement

    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text("utf-8"))
    try:
        return all(
            req.specifier.contains(version(req.name), prereleases=True)
            for req in map(Requirement, pyproject["build-system"]["requires"])
        )
    except PackageNotFoundError:
        return False


#: Builds use the backend installed here when it is the one [build-system] asks for.
_NO_ISOLATION = ["--no-isolation"] if _backend_installed() else []


@dataclass
class Installed:
    """The built distributions and the venv the wheel is installed in."""

    wheel: Path
    sdist: Path
    venv: Path
    project: Path
    cache: Path
    env: dict[str, str]
    install_s: float
    build_log: str

    @property
    def bin(self) -> Path:
        return self.venv / ("Scripts" if os.name == "nt" else "bin")

    def run(self, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
        command = [str(self.bin / args[0]), *args[1:]]
        return subprocess.run(
            command,
            cwd=self.project,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )


def _user_env(venv_dir: Path, cache: Path) -> dict[str, str]:
    """The environment of a user who only installed the wheel."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("PY_APM_") and k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")
    }
    env["PATH"] = os.pathsep.join([str(venv_dir / "bin"), env.get("PATH", "")])
    env["VIRTUAL_ENV"] = str(venv_dir)
    env["XDG_CACHE_HOME"] = str(cache)  # an empty cache: the snapshot is built there
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    if "PLAYWRIGHT_BROWSERS_PATH" not in env:
        # Playwright looks for its own browsers under the cache; keep the real one reachable.
        env["PLAYWRIGHT_BROWSERS_PATH"] = str(Path.home() / ".cache" / "ms-playwright")
    return env


@pytest.fixture(scope="module")
def installed() -> Iterator[Installed]:
    # Not pytest's numbered tmp dirs: every pytest session of this user (inner runs, other
    # checkouts) prunes old ones, and this folder must outlive the tests' subprocesses.
    base = Path(tempfile.mkdtemp(prefix="py-apm-install-"))
    try:
        assert not base.resolve().is_relative_to(REPO)
        yield from _install(base)
    finally:
        shutil.rmtree(base, ignore_errors=True)


def _no_npm_path(base: Path) -> str:
    """PATH with an ``npm`` first that fails loudly: the wheel must build from the sdist alone."""
    fake = base / "no-npm"
    fake.mkdir()
    (fake / "npm").write_text("#!/bin/sh\necho 'npm was called by the build' >&2\nexit 99\n")
    (fake / "npm").chmod(0o755)
    return os.pathsep.join([str(fake), os.environ.get("PATH", "")])


def build_env(base: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    return {**env, "PATH": _no_npm_path(base)}


def _install(base: Path) -> Iterator[Installed]:
    given = os.environ.get(DIST_ENV, "").strip()
    dist = Path(given) if given else base / "dist"
    log = f"(the files in ${DIST_ENV})"
    if not given:
        # `python -m build` makes the sdist, then the wheel *from the sdist* (npm not reachable),
        # with the backend [build-system] names from the dev extras: no isolated environment
        # to install it into twice (the release workflow's build keeps isolation).
        # One build of the checkout at a time: setuptools' sdist makes and removes its release
        # tree inside the checkout, so two pytest-xdist workers building at once break each other.
        with open(Path(tempfile.gettempdir()) / "py-apm-install-build.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            built = subprocess.run(
                [sys.executable, "-m", "build", *_NO_ISOLATION, "--outdir", str(dist), str(REPO)],
                capture_output=True,
                text=True,
                timeout=600,
                env=build_env(base),
            )
        log = built.stdout + built.stderr
        assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]
    (wheel,) = dist.glob("py_apm_emulator-*.whl")
    (sdist,) = dist.glob("py_apm_emulator-*.tar.gz")

    venv_dir = base / "venv"
    # No pip of its own (installing one costs more than the wheel): this pip installs into it.
    venv.create(venv_dir, with_pip=False)
    project = base / "user-project"
    cache = base / "cache"
    env = _user_env(venv_dir, cache)
    started = time.perf_counter()
    pip = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(venv_dir / "bin" / "python"),
            "install",
            "-q",
            "--disable-pip-version-check",
            str(wheel),
        ],
        cwd=base,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert pip.returncode == 0, pip.stdout[-3000:] + pip.stderr[-3000:]
    install_s = time.perf_counter() - started
    init = subprocess.run(
        [str(venv_dir / "bin" / "py-apm"), "init", str(project)],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert init.returncode == 0, init.stdout + init.stderr
    _copy_session_snapshot(venv_dir, cache, env)
    yield Installed(wheel, sdist, venv_dir, project, cache, env, install_s, log)


def _copy_session_snapshot(venv_dir: Path, cache: Path, env: dict[str, str]) -> None:
    """Put the test session's snapshot (and its sidecar) where the installed layout looks for
    its own, when both name the same key (same Pyodide build, same py_apm sources)."""
    from py_apm.host.snapshot import current
    from py_apm.host.snapshot_build import ensure

    built = ensure()
    if built is None or built != current():
        return
    where = subprocess.run(
        [
            str(venv_dir / "bin" / "python"),
            "-c",
            "from py_apm.host.snapshot import current; print(current().path)",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert where.returncode == 0, where.stderr
    target = Path(where.stdout.strip())
    assert target.is_relative_to(cache), target
    if target.name == built.path.name:
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(built.sidecar, target.parent / built.sidecar.name)
        shutil.copyfile(built.path, target)


def test_wheel_carries_shim_web_pyodide_and_licences(installed: Installed) -> None:
    names = set(zipfile.ZipFile(installed.wheel).namelist())
    static = "py_apm/host/static/"
    assert {static + "shim.js", static + "web/index.html", static + "web/workspace.js"} <= names
    assert {static + "pyodide/" + name for name in PYODIDE_FILES} <= names
    licences = {n.rsplit("/", 1)[-1] for n in names if ".dist-info/licenses/" in n}
    assert licences == {"LICENSE", "NOTICE.md", "Pyodide-MPL-2.0.txt", "CPython-PSF.txt"}
    assert not [n for n in names if "node_modules" in n or n.startswith(("build/", "tests/"))]
    # the typings, for Python users who write their web resources in TypeScript
    assert {static + "types/apm.d.ts", static + "types/pyapm.d.ts"} <= names
    starter = static + "starter/"
    assert {starter + "tests/test_case_panel.py", starter + "playwright.config.ts"} <= names
    assert not [n for n in names if "__pycache__" in n or "/." in n]
    size_mb = installed.wheel.stat().st_size / 1e6
    print(f"\nwheel {size_mb:.2f} MB, sdist {installed.sdist.stat().st_size / 1e6:.2f} MB")
    assert 4 < size_mb < 12, size_mb  # the Pyodide core compressed, and nothing else big


def test_one_version_named_alike_everywhere(installed: Installed) -> None:
    name = f"py_apm_emulator-{py_apm.__version__}"
    assert installed.wheel.name == f"{name}-py3-none-any.whl"
    assert installed.sdist.name == f"{name}.tar.gz"
    done = installed.run("py-apm", "--version")
    assert done.stdout.strip() == f"py-apm {py_apm.__version__}"


def test_builds_without_warnings_or_npm(installed: Installed) -> None:
    if os.environ.get(DIST_ENV):
        pytest.skip(f"${DIST_ENV}: the files were built elsewhere")
    lines = installed.build_log.lower().splitlines()
    # (the module py_apm/model/warnings.py is named in the copy lines)
    assert not [line for line in lines if "warning" in line and "warnings.py" not in line]
    assert "npm was called" not in installed.build_log


def test_sdist_holds_the_same_sources(installed: Installed) -> None:
    with tarfile.open(installed.sdist) as tar:
        names = {n.split("/", 1)[1] for n in tar.getnames() if "/" in n}
    assert {"setup.py", "shim.js", "web/index.html", "LICENSE", "licenses/NOTICE.md"} <= names
    assert {f"node_modules/pyodide/{name}" for name in PYODIDE_FILES} <= names
    assert {"types/apm.d.ts", "examples/user-project/tests/test_case_panel.py"} <= names
    assert not [n for n in names if "__pycache__" in n]


def _source_copy(base: Path) -> Path:
    """The checkout's tracked files (no node_modules), as a fresh clone has them."""
    listed = subprocess.run(
        ["git", "ls-files", "-z"], cwd=REPO, capture_output=True, check=True
    ).stdout.decode()
    clone = base / "clone"
    for rel in filter(None, listed.split("\0")):
        source = REPO / rel
        if source.is_file():
            (clone / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, clone / rel)
    shutil.copy2(REPO / "shim.js", clone / "shim.js")  # built by setup.sh once it is a build output
    return clone


@pytest.mark.parametrize("kind", ["--sdist", "--wheel"])
def test_a_build_without_pyodide_stops_with_one_message(kind: str) -> None:
    base = Path(tempfile.mkdtemp(prefix="py-apm-nopyodide-"))
    try:
        clone = _source_copy(base)
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "build",
                kind,
                *_NO_ISOLATION,
                "--outdir",
                str(base / "dist"),
                str(clone),
            ],
            capture_output=True,
            text=True,
            timeout=600,
            env=build_env(base),
        )
        assert done.returncode != 0
        output = done.stdout + done.stderr
        message = [line for line in output.splitlines() if line.startswith("py-apm build:")]
        assert len(message) == 1, output[-3000:]
        assert "the Pyodide runtime is missing" in message[0]
        assert "run `npm ci` in the checkout" in message[0]
        assert "Traceback" not in output and "npm was called" not in output
        assert not (base / "dist").exists() or not any((base / "dist").iterdir())
    finally:
        shutil.rmtree(base, ignore_errors=True)


def _snapshots(installed: Installed) -> list[Path]:
    return list((installed.cache / "py-apm" / "snapshot").glob("py_apm-*.snapshot"))


def test_init_then_pytest_passes(installed: Installed) -> None:
    """What a user does first: `py-apm init`, then pytest (the plugin builds the snapshot when
    the session's could not be copied)."""
    assert (installed.project / "types" / "apm.d.ts").is_file()
    assert (installed.project / ".py-apm-init.json").is_file()
    prebuilt = bool(_snapshots(installed))
    started = time.perf_counter()
    done = installed.run("python", "-m", "pytest", "-q", "-p", "no:cacheprovider")
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert "2 passed" in done.stdout
    total = installed.install_s + time.perf_counter() - started
    how = "snapshot already there" if prebuilt else "including the snapshot build"
    print(f"\npip install {installed.install_s:.1f} s -> user tests passed: {total:.1f} s ({how})")
    (snapshot,) = _snapshots(installed)
    assert snapshot.stat().st_size > 10_000_000


def test_imports_come_from_the_venv_only(installed: Installed) -> None:
    code = (
        "import json, sys, py_apm; from py_apm.host.paths import find_layout; "
        "print(json.dumps([py_apm.__file__, sys.path, find_layout().kind]))"
    )
    done = installed.run("python", "-c", code)
    assert done.returncode == 0, done.stderr
    module, path, kind = json.loads(done.stdout)
    assert Path(module).is_relative_to(installed.venv) and kind == "installed"
    assert not [p for p in path if p and Path(p).resolve().is_relative_to(REPO)]


def test_doctor_in_the_installed_layout(installed: Installed) -> None:
    done = installed.run("py-apm", "doctor")
    print("\n" + done.stdout)
    assert done.returncode == 0, done.stdout + done.stderr
    lines = {line.split(":", 1)[0].split()[-1]: line for line in done.stdout.splitlines()}
    site = installed.venv / "lib"
    assert lines["layout"].startswith("ok      layout: installed ")
    assert str(site) in lines["layout"] and "PY_APM" not in lines["layout"]
    assert lines["pyodide"].startswith("ok      pyodide: 314.") and str(site) in lines["pyodide"]
    # built or not (depends on which tests ran before), it lives in the user's cache
    assert str(installed.cache / "py-apm" / "snapshot") in lines["snapshot"]
    assert lines["snapshot"].startswith(("ok      snapshot: ", "note    snapshot: not built yet"))
    assert (
        lines["browser"].startswith("ok      browser: ")
        and "started and closed" in lines["browser"]
    )


def test_run_a_documentation_example(installed: Installed) -> None:
    script = installed.project / DOC_EXAMPLE.name
    shutil.copyfile(DOC_EXAMPLE, script)
    done = installed.run("py-apm", "run", "--json", script.name)
    installed.run("py-apm", "run", "--stop")  # the warm helper it started goes with the venv
    assert done.returncode == 0, done.stdout + done.stderr
    result = json.loads(done.stdout)
    assert result["focusedSessionId"] == "session-id-1" and not result["errors"]
    assert [s["sessionId"] for s in result["sessions"]] == ["session-id-0", "session-id-1"]


def _status(url: str, method: str = "GET") -> int:
    try:
        with urllib.request.urlopen(urllib.request.Request(url, method=method), timeout=10) as r:
            return int(r.status)
    except urllib.error.HTTPError as exc:
        return exc.code


def test_serve_builds_the_snapshot_and_a_page_becomes_ready(
    installed: Installed, browser: Any
) -> None:
    """`py-apm serve` answers at once and builds the missing snapshot (in an empty cache of its
    own) from the installed files in the background; the page then boots from it."""
    cache = Path(tempfile.mkdtemp(prefix="cache-", dir=installed.cache.parent))
    env = {**installed.env, "XDG_CACHE_HOME": str(cache), "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [
            str(installed.bin / "py-apm"),
            "serve",
            "--port",
            "0",
            "--webresources",
            "webresources",
            "--config",
            "apm-templates.json",
        ],
        cwd=installed.project,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    context = browser.new_context()
    try:
        assert proc.stdout is not None and proc.stderr is not None
        url = proc.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:"), url
        assert _status(url + "py_apm.snapshot") == 404  # not built yet
        assert "building the memory snapshot" in proc.stderr.readline()
        deadline = time.monotonic() + 180
        while _status(url + "py_apm.snapshot", "HEAD") != 200:
            assert time.monotonic() < deadline, "snapshot not built within 180 s"
            assert proc.poll() is None
            time.sleep(0.5)
        (built,) = (cache / "py-apm" / "snapshot").glob("py_apm-*.snapshot")
        assert built.stat().st_size > 10_000_000
        listed = subprocess.run(  # the CLI finds it (no build)
            [str(installed.bin / "py-apm"), "snapshot", "--check"],
            cwd=installed.project,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert listed.stdout.strip() == f"up to date: {built}", listed.stdout + listed.stderr
        page = context.new_page()
        console: list[str] = []
        page.on("console", lambda m: console.append(f"{m.type}: {m.text}"))
        page.on("response", lambda r: console.append(f"HTTP {r.status} {r.url}"))
        page.on("requestfailed", lambda r: console.append(f"failed {r.url}: {r.failure}"))
        page.goto(url)
        page.wait_for_function("window.PyApm && PyApm.isReady", timeout=120_000)
        if page.evaluate("PyApm.bootedFromSnapshot") is not True:
            proc.terminate()
            stderr = proc.communicate(timeout=10)[1]
            check = installed.run("py-apm", "snapshot", "--check")
            listing = sorted(p.name for p in cache.rglob("*"))
            pytest.fail(f"no snapshot: {console}\nserve: {stderr}\n{check.stdout}{listing}")
        assert not [line for line in console if line.startswith(("HTTP 404", "failed"))], console
        session = page.evaluate(
            """async () => { await Microsoft.Apm.createSession({
                 templateName: "contoso_case_session",
                 sessionContext: new Map([["caseNumber", "CAS-9"]])});
               return Microsoft.Apm.getFocusedSession().title; }"""
        )
        assert session == "Case CAS-9"  # the user's --config, resolved from their folder
        panel = page.goto(url + "webresources/contoso_case_panel.html")
        assert panel is not None and panel.status == 200
    finally:
        context.close()
        proc.terminate()
        proc.wait(timeout=10)
        shutil.rmtree(cache, ignore_errors=True)


def test_nothing_written_into_site_packages(installed: Installed) -> None:
    (site,) = (installed.venv / "lib").glob("python3*/site-packages")
    assert not (site / "build").exists()
    assert not list(site.rglob("*.snapshot"))
