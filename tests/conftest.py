"""Fixtures shared by every test folder."""

from __future__ import annotations

import mimetypes
import os
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest

from py_apm.host.server import QuietServer

#: What a static server answers for a URL path: a file, the bytes themselves, or None (404).
Resolver = Callable[[str], "Path | bytes | None"]

_TYPES = {".wasm": "application/wasm", ".mjs": "text/javascript", ".js": "text/javascript"}


def _handler(resolve: Resolver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - keep output quiet
            pass

        def do_GET(self) -> None:  # noqa: N802 - http.server API
            self._answer(send_body=True)

        def do_HEAD(self) -> None:  # noqa: N802 - http.server API
            self._answer(send_body=False)

        def _answer(self, send_body: bool) -> None:
            path = unquote(urlsplit(self.path).path)
            target = resolve(path)
            if isinstance(target, Path):
                target = target.read_bytes() if target.is_file() else None
            if target is None:
                self.send_error(HTTPStatus.NOT_FOUND)
                return
            suffix = Path(path).suffix
            ctype = _TYPES.get(suffix) or mimetypes.guess_type(path)[0] or "text/html"
            self.send_response(HTTPStatus.OK)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(target)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            if send_body:
                self.wfile.write(target)

    return Handler


@pytest.fixture(scope="session")
def static_server() -> Iterator[Callable[[Resolver], str]]:
    """Start a static HTTP server on a free loopback port that answers each GET with
    `resolve(path)`; returns its base URL (ending with "/"). All stop at the end of the session."""
    servers: list[QuietServer] = []

    def start(resolve: Resolver) -> str:
        httpd = QuietServer(("127.0.0.1", 0), _handler(resolve))
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
        servers.append(httpd)
        return f"http://127.0.0.1:{httpd.server_address[1]}/"

    yield start
    for httpd in servers:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture(scope="session", autouse=True)
def _tests_own_run_helper(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Every `py-apm run` the tests start without a socket of their own shares one warm helper
    of the test session (never a developer's), stopped at the end."""
    if "PY_APM_RUN_SOCKET" in os.environ:
        yield
        return
    sock = tmp_path_factory.mktemp("run-helper") / "run.sock"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("PY_APM_RUN_SOCKET", str(sock))
        mp.setenv("PY_APM_RUN_IDLE", "120")
        yield
        if sock.exists():
            subprocess.run(
                [sys.executable, "-m", "py_apm.host.runner", "--stop"],
                capture_output=True,
                timeout=60,
            )


def pytest_sessionstart(session: pytest.Session) -> None:
    """In a checkout, the shim.js the browser tests load is built from the current shim/ (a
    build that fails is reported by tests/tooling/test_shim_build.py)."""
    from py_apm.host.shim_build import ShimBuildError, ensure_built

    try:
        ensure_built(Path(__file__).resolve().parents[1])
    except ShimBuildError:
        pass


# ---- Suites: the quick suite is `-m quick` (in-process tests only, under a minute) -------------
#: What a test module's source says when its tests start other processes (the CLI, node, tsc, pip,
#: an inner pytest, also through test_tooling_plugin's `run_inner`): they are marked `subprocess`,
#: which leaves them out of the quick suite.
_PROCESS_WORDS = ("subprocess", "Popen", "pytester", "create_subprocess_exec", "run_inner(")
_FOLDER_MARKS = {"page": ("browser",), "install": ("install", "subprocess", "slow")}


def _starts_processes(path: Path, seen: dict[Path, bool] = {}) -> bool:  # noqa: B006 - a cache
    if path not in seen:
        text = path.read_text("utf-8") if path.suffix == ".py" else ""
        seen[path] = any(word in text for word in _PROCESS_WORDS)
    return seen[path]


@pytest.hookimpl(tryfirst=True)  # before `-m` selects
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark each test by what it needs, so that markers select suites: `browser` (Chromium),
    `subprocess` (other processes), `install` (builds and installs packages), `quick` (none of
    these). A marker a test sets itself is kept."""
    tests = Path(__file__).parent
    for item in items:
        path = Path(str(item.fspath))
        folder = path.relative_to(tests).parts[0] if path.is_relative_to(tests) else ""
        for name in _FOLDER_MARKS.get(folder, ()):
            item.add_marker(name)
        if _starts_processes(path):
            item.add_marker("subprocess")
        if "browser" in getattr(item, "fixturenames", ()):
            item.add_marker("browser")
        if not any(item.get_closest_marker(m) for m in ("browser", "subprocess", "install")):
            item.add_marker("quick")


# ---- One browser per worker: every test that may use apm_page takes pytest-playwright's session
# parameter (browser_name), also when it asks for apm_page only at run time (a backend parameter
# marked `browser`). A worker that ran a test with the parameter and then one without would
# otherwise tear down the browser and the booted page and launch them again.
def _browser_parameter(metafunc: pytest.Metafunc) -> bool:
    values: list[Any] = []
    for mark in metafunc.definition.iter_markers("parametrize"):
        values += list(mark.args[1] if len(mark.args) > 1 else mark.kwargs.get("argvalues", ()))
    for fixturedefs in getattr(metafunc, "_arg2fixturedefs", {}).values():
        for fixturedef in fixturedefs:
            values += list(fixturedef.params or ())
    return any(
        any(getattr(mark, "name", None) == "browser" for mark in getattr(value, "marks", ()))
        for value in values
    )


@pytest.hookimpl(tryfirst=True)  # before pytest-playwright parametrizes browser_name
def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "browser_name" not in metafunc.fixturenames and _browser_parameter(metafunc):
        metafunc.fixturenames.append("browser_name")


# ---- The Node backend: py-apm in Node through the npm package's createApm (tests/node/) ----------
@pytest.fixture(scope="session")
def _node_process() -> Iterator[Any]:
    """One Node process with py-apm booted on its global, for the whole session."""
    from node.backend import NodeProcess, built_package

    with built_package("node-tests") as lib:
        process = NodeProcess(lib)
        try:
            yield process
        finally:
            process.close()


@pytest.fixture
def apm_node_page(request: pytest.FixtureRequest, _node_process: Any) -> Any:
    """The Node backend's "page" (its global) after ``PyApm.reset({restoreDefaults: true, ...})``
    with the test's ``apm_config`` marks, as ``apm_page`` is reset."""
    from node.backend import NodePage

    options: dict[str, Any] = {"restoreDefaults": True}
    for mark in reversed(list(request.node.iter_markers("apm_config"))):
        for arg in mark.args:
            options.update(arg)
        options.update(mark.kwargs)
    page = NodePage(_node_process)
    page.evaluate("(options) => PyApm.reset(options)", options)
    return page
