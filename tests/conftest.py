"""Fixtures shared by every test folder."""

from __future__ import annotations

import mimetypes
import os
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest

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
    servers: list[ThreadingHTTPServer] = []

    def start(resolve: Resolver) -> str:
        httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(resolve))
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



# ---- The Node backend: py-apm in Node through the npm package's createApm (tests/node/) ----------
@pytest.fixture(scope="session")
def _node_process() -> Iterator[Any]:
    """One Node process with py-apm booted on its global, for the whole session."""
    import shutil

    from node.backend import ROOT, NodeProcess, build_package, node_available

    if not node_available():
        pytest.skip("Node.js or node_modules/pyodide missing (scripts/setup.sh)")
    out = ROOT / "build" / f"node-tests-{os.getpid()}"
    try:
        process = NodeProcess(build_package(out))
        try:
            yield process
        finally:
            process.close()
    finally:
        shutil.rmtree(out, ignore_errors=True)


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
