"""``py-apm serve``: the static server behind the shim (loopback only, no traversal, no listing).

What is served, from where, with which headers, is the site description ``site.json`` (read by
site.py, mapped onto this server's folders by routes.py); docs/server.md lists the routes.
Anything else, any path that tries to leave its root, and directories are 404.
"""

from __future__ import annotations

import os
import socket
import sys
import threading
from email.utils import formatdate
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from . import framing, httpguard
from .configfile import config_problem
from .paths import PYODIDE_ENV, ROOT_ENV, find_layout, pyodide_dir, pyodide_version, repo_root
from .routes import FRAMING, Body, Settings, data_body, find, resolve
from .shim_build import ShimBuildError, ensure_built
from .site import SITE
from .urlpaths import clean_segments

__all__ = [
    "PYODIDE_ENV",
    "ROOT_ENV",
    "ApmServer",
    "PyodideNotFound",
    "QuietServer",
    "ServerSetupError",
    "Settings",
    "check_pyodide",
    "clean_segments",  # re-exported: it used to live here
    "make_server",
    "pyodide_dir",
    "pyodide_version",
    "repo_root",
    "serve",
]


#: The cache policies of site.json, by name (routes pick one).
CACHE_LONG = SITE.raw["cache"]["long"]
CACHE_BUNDLE = SITE.raw["cache"]["revalidate"]
CACHE_NONE = SITE.raw["cache"]["none"]


class ServerSetupError(RuntimeError):
    """The server cannot start; ``str(err)`` says what to do."""


class PyodideNotFound(ServerSetupError):
    """node_modules/pyodide (or $PY_APM_PYODIDE_DIR) is missing."""


def check_pyodide(directory: Path) -> str:
    """Return the Pyodide version or raise :class:`PyodideNotFound` with the fix for this layout."""
    version = pyodide_version(directory)
    if version is None:
        raise PyodideNotFound(f"Pyodide not found in {directory}: {find_layout().pyodide_fix}")
    return version


def _etag_matches(header: str | None, etag: str) -> bool:
    if not header:
        return False
    if header.strip() == "*":
        return True
    bare = etag.removeprefix("W/")
    return any(t.strip().removeprefix("W/") == bare for t in header.split(","))


class ApmRequestHandler(BaseHTTPRequestHandler):
    """GET/HEAD of the site's routes, CORS preflights; other methods 405."""

    protocol_version = "HTTP/1.1"
    server_version = "py-apm"
    sys_version = ""
    server: ApmServer

    @property
    def timeout(self) -> float:  # type: ignore[override]  # read by setup(): idle connections
        return self.server.settings.idle_timeout

    def setup(self) -> None:
        super().setup()
        # A small answer goes out at once instead of waiting for the ACK of the headers
        # (Nagle's algorithm meets the client's delayed ACK: 40 ms per kept-alive request).
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def do_GET(self) -> None:
        self._handle(send_body=True)

    def do_HEAD(self) -> None:
        self._handle(send_body=False)

    def do_OPTIONS(self) -> None:
        """A CORS preflight: answered for the files other origins may read, else 404."""
        if not self._admit():
            return
        body = resolve(self.server.settings, self.path)
        cors = isinstance(body, Body) and body.cors
        if isinstance(body, Body):
            body.close()
        if not cors:
            self._status(HTTPStatus.NOT_FOUND, True)
            return
        private = self.headers.get("Access-Control-Request-Private-Network", "") == "true"
        self.send_response(HTTPStatus.NO_CONTENT)
        self._common_headers()
        for name, value in httpguard.preflight_headers(private):
            self.send_header(name, value)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _other_method(self) -> None:
        if self._admit():
            self._status(HTTPStatus(SITE.raw["methods"]["other"]), True)

    do_POST = do_PUT = do_DELETE = do_PATCH = _other_method

    def _admit(self) -> bool:
        """Skip the request's body (so it is not read as the next request) and check its Host;
        answer and return False when the request is refused."""
        length = httpguard.body_length(
            self.headers.get("Content-Length"), self.headers.get("Transfer-Encoding")
        )
        if length is None:
            self.close_connection = True
            self._status(HTTPStatus.BAD_REQUEST, True)
            return False
        while length > 0:
            chunk = self.rfile.read(min(length, 65536))
            if not chunk:
                self.close_connection = True
                return False
            length -= len(chunk)
        hosts = self.headers.get_all("Host") or []
        names = self.server.allowed_hosts
        refused = httpguard.refusal(self.request_version, self.path, hosts, names)
        if refused is not None:
            if refused == HTTPStatus.BAD_REQUEST:
                self.close_connection = True
            self._status(HTTPStatus(refused), True)
            return False
        return True

    def _handle(self, send_body: bool) -> None:
        if not self._admit():
            return
        body: Body | int | None = None
        try:
            found = find(self.path)
            if found is not None and found[0].source == FRAMING:
                body = self._framing()
            else:
                body = resolve(self.server.settings, self.path)
            if body is None:
                self._status(HTTPStatus.NOT_FOUND, send_body)
            elif isinstance(body, int):
                self._status(HTTPStatus(body), send_body)
            else:
                self._send(body, send_body)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
        except Exception as exc:  # a bug here must not kill the server
            print(f"py-apm serve: error on {self.path!r}: {exc!r}", file=sys.stderr)
            try:
                self._status(HTTPStatus.INTERNAL_SERVER_ERROR, send_body)
            except OSError:
                self.close_connection = True
        finally:
            if isinstance(body, Body):
                body.close()

    def _framing(self) -> Body | int:
        marker, host = self.headers.get(framing.HEADER), self.headers.get("Host")
        status, data = framing.respond(self.path, marker, self.client_address[0], host)
        if data is None:
            return status
        return data_body(data, "application/json", SITE.raw["cache"]["none"])

    def _common_headers(self) -> None:
        for name, value in SITE.headers("headers"):
            self.send_header(name, value)

    def _status(self, status: HTTPStatus, send_body: bool) -> None:
        text = (
            b"" if status == HTTPStatus.NO_CONTENT else f"{status.value} {status.phrase}\n".encode()
        )
        self.send_response(status)
        self._common_headers()
        if text:
            self.send_header("Content-Type", SITE.raw["statusType"])
        if status == HTTPStatus.METHOD_NOT_ALLOWED:
            self.send_header("Allow", ", ".join([*SITE.raw["methods"]["read"], "OPTIONS"]))
        self.send_header("Content-Length", str(len(text)))
        self.send_header("Cache-Control", CACHE_NONE)
        self.end_headers()
        if send_body and text:
            self.wfile.write(text)

    def _send(self, body: Body, send_body: bool) -> None:
        not_modified = _etag_matches(self.headers.get("If-None-Match"), body.etag)
        self.send_response(HTTPStatus.NOT_MODIFIED if not_modified else HTTPStatus.OK)
        self.send_header("ETag", body.etag)
        self.send_header("Cache-Control", body.cache)
        self._common_headers()
        if body.cors:
            for name, value in SITE.headers("cors"):
                self.send_header(name, value)
        if body.mtime is not None:
            self.send_header("Last-Modified", formatdate(body.mtime, usegmt=True))
        if not_modified:
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_header("Content-Type", body.content_type)
        self.send_header("Content-Length", str(body.size))
        self.end_headers()
        if not send_body:
            return
        if body.data is not None:
            self.wfile.write(body.data)
        elif body.file is not None:
            # sendfile from the file resolve() opened (and checked): the kernel copies, so a
            # 15 MB snapshot costs this process (and the GIL it shares with the other requests
            # of a boot) next to nothing.
            self.connection.sendfile(body.file.file, 0, body.size)

    def log_message(self, format: str, *args: object) -> None:
        if self.server.settings.verbose:
            super().log_message(format, *args)


class QuietServer(ThreadingHTTPServer):
    """A threading HTTP server that says nothing when a client goes away (a closed tab or
    browser context resets the connections it kept alive): that is not an error worth a
    traceback. Anything else is reported as socketserver does."""

    def handle_error(self, request: Any, client_address: Any) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class ApmServer(QuietServer):
    """The HTTP server; ``.url`` is its base URL (ends with ``/``)."""

    daemon_threads = True
    #: listen backlog: a burst of test connections must queue, not time out (default is 5)
    request_queue_size = 512
    allow_reuse_address = True
    settings: Settings
    allowed_hosts: frozenset[str]
    _thread: threading.Thread | None = None

    def __init__(self, address: tuple[str, int], settings: Settings) -> None:
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        self.settings = settings
        self.allowed_hosts = httpguard.allowed_hosts(address[0])
        super().__init__(address, ApmRequestHandler)

    @property
    def url(self) -> str:
        host, port = str(self.server_address[0]), self.server_address[1]
        if host in ("0.0.0.0", "::", ""):
            host = "127.0.0.1"
        if ":" in host:
            host = f"[{host}]"
        return f"http://{host}:{port}/"

    @property
    def script_tag(self) -> str:
        return f'<script src="{self.url}shim.js"></script>'

    def start(self) -> ApmServer:
        """Serve in a daemon thread."""
        self._thread = threading.Thread(
            target=self.serve_forever, args=(0.05,), name="py-apm-serve", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket."""
        if self._thread is not None:
            self.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        self.server_close()


def make_server(
    host: str = "127.0.0.1",
    port: int = 0,
    webresources: str | os.PathLike[str] | None = None,
    config: str | os.PathLike[str] | None = None,
    verbose: bool = False,
) -> ApmServer:
    """Create (not start) a server; raise :class:`ServerSetupError` with a clear message."""
    layout = find_layout()
    root, pyo = layout.root, layout.pyodide
    check_pyodide(pyo)
    try:
        ensure_built(root)  # a checkout: shim.js (re)built from shim/ when older
    except ShimBuildError as exc:
        raise ServerSetupError(str(exc)) from None
    if not layout.shim.is_file():
        raise ServerSetupError(f"shim.js not found in {root}: {layout.files_fix}")
    wr = Path(webresources).expanduser().resolve() if webresources is not None else None
    if wr is not None and not wr.is_dir():
        raise ServerSetupError(f"--webresources {webresources}: not a directory")
    cfg = Path(config).expanduser().resolve() if config is not None else None
    if cfg is not None:
        problem = config_problem(config, cfg)
        if problem:
            raise ServerSetupError(problem)
    settings = Settings(
        root=root, web=layout.web, pyodide=pyo, webresources=wr, config=cfg, verbose=verbose
    )
    try:
        return ApmServer((host, port), settings)
    except OSError as exc:
        raise ServerSetupError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None


def serve(
    host: str = "127.0.0.1",
    port: int = 0,
    webresources: str | os.PathLike[str] | None = None,
    config: str | os.PathLike[str] | None = None,
    verbose: bool = False,
) -> tuple[ApmServer, str]:
    """Start a server in a daemon thread; return ``(server, url)``. Stop with ``server.stop()``."""
    server = make_server(host, port, webresources, config, verbose).start()
    return server, server.url


def serve_forever(server: ApmServer, open_browser: bool = False) -> int:
    """The CLI's blocking mode: print the URL (first line) and the script tag, serve until ^C."""
    print(server.url, flush=True)
    print(f"Paste into your page: {server.script_tag}", flush=True)
    print("Press Ctrl+C to stop.", flush=True)
    if open_browser:
        import webbrowser

        webbrowser.open(server.url)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0
