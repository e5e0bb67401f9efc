"""``py-apm serve``: the static server behind the shim (loopback only, no traversal, no listing).

Routes::

    /                   web/index.html (the workspace page)
    /web/...            web/            (/web/ -> web/index.html)
    /shim.js            <root>/shim.js
    /pyodide/...        the Pyodide runtime (installed, or node_modules/pyodide: host/paths.py)
    /py_apm.zip         the browser half of py_apm, zipped in memory (bundle.py)
    /py_apm.snapshot    the memory snapshot for this Pyodide + bundle (snapshot.py), else 404
    /webresources/...   --webresources DIR (also under /web/webresources/), else 404
    /config.json        --config FILE, else 404
    /favicon.ico        204
    /pyapm/framing?url= does that site refuse to be framed? (this machine only: framing.py)
    /<name>             web/<name> (so a page served at / finds its relative assets)

Anything else, any path that tries to leave its root, and directories are 404.
"""

from __future__ import annotations

import hashlib
import mimetypes
import os
import socket
import sys
import threading
from dataclasses import dataclass, replace
from email.utils import formatdate
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from . import framing, httpguard
from .bundle import get_bundle
from .configfile import config_problem
from .paths import PYODIDE_ENV, ROOT_ENV, find_layout, pyodide_dir, pyodide_version, repo_root
from .shim_build import ShimBuildError, ensure_built, refresh
from .snapshot import current as current_snapshot
from .urlpaths import clean_segments, safe_file

__all__ = [
    "PYODIDE_ENV",
    "ROOT_ENV",
    "ApmServer",
    "PyodideNotFound",
    "ServerSetupError",
    "check_pyodide",
    "clean_segments",  # re-exported: it used to live here

    "make_server",
    "pyodide_dir",
    "pyodide_version",
    "repo_root",
    "safe_file",  # re-exported: it used to live here
    "serve",
]


MIME_TYPES = {
    ".wasm": "application/wasm",
    ".mjs": "text/javascript; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".json": "application/json",
    ".map": "application/json",
    ".zip": "application/zip",
    ".html": "text/html; charset=utf-8",
    ".htm": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".png": "image/png",
    ".svg": "image/svg+xml",
    ".ico": "image/x-icon",
    ".txt": "text/plain; charset=utf-8",
    ".ts": "text/plain; charset=utf-8",
    ".woff2": "font/woff2",
}

#: Pyodide files never change for a given install (the version is pinned in package-lock.json).
CACHE_LONG = "public, max-age=604800"
#: py_apm.zip may be cached by anyone but is revalidated (cheap 304) so code edits show at once.
CACHE_BUNDLE = "public, max-age=0, must-revalidate"
CACHE_NONE = "no-cache"


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


@dataclass(frozen=True)
class Settings:
    """What the handler serves."""

    root: Path
    web: Path
    pyodide: Path
    webresources: Path | None = None
    config: Path | None = None
    verbose: bool = False
    idle_timeout: float = httpguard.IDLE_TIMEOUT_S


@dataclass(frozen=True)
class _Body:
    """A resolved response: a file or in-memory bytes."""

    content_type: str
    cache: str
    etag: str
    path: Path | None = None
    data: bytes | None = None
    size: int = 0
    mtime: float | None = None
    cors: bool = False


def _content_type(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix in MIME_TYPES:
        return MIME_TYPES[suffix]
    guessed, _ = mimetypes.guess_type(path.name)
    return guessed or "application/octet-stream"


def _file_body(path: Path | None, cache: str, cors: bool = False) -> _Body | None:
    if path is None:
        return None
    try:
        st = path.stat()
    except OSError:
        return None
    tag = hashlib.sha1(f"{path}:{st.st_size}:{st.st_mtime_ns}".encode()).hexdigest()[:24]
    return _Body(
        content_type=_content_type(path),
        cache=cache,
        etag=f'"{tag}"',
        path=path,
        size=st.st_size,
        mtime=st.st_mtime,
        cors=cors,
    )


def resolve(settings: Settings, raw_path: str) -> _Body | int | None:
    """Map a request path to a body, a bare status code (204), or None (404)."""
    segs = clean_segments(raw_path)
    if segs is None:
        return None
    if segs == [""] or segs in (["web"], ["web", ""]):
        return _file_body(safe_file(settings.web, ["index.html"]), CACHE_NONE)
    head, rest = segs[0], segs[1:]
    if segs == ["favicon.ico"]:
        found = safe_file(settings.web, ["favicon.ico"])
        return _file_body(found, CACHE_NONE) if found else int(HTTPStatus.NO_CONTENT)
    if segs == ["shim.js"]:
        refresh(settings.root)  # a checkout: rebuilt when shim/ changed
        return _file_body(safe_file(settings.root, ["shim.js"]), CACHE_NONE, cors=True)
    if segs == ["config.json"]:
        if settings.config is None or not settings.config.is_file():
            return None
        return _file_body(settings.config.resolve(), CACHE_NONE)  # records: same origin only
    if segs == ["py_apm.zip"]:
        bundle = get_bundle()
        return _Body(
            content_type="application/zip",
            cache=CACHE_BUNDLE,
            etag=bundle.etag,
            data=bundle.data,
            size=len(bundle.data),
            cors=True,
        )
    if segs == ["py_apm.snapshot"]:
        snap = current_snapshot(settings.pyodide)
        body = _file_body(snap.path if snap.exists else None, CACHE_BUNDLE, cors=True)
        return None if body is None else replace(body, etag=f'"{snap.key}"')
    if head == "pyodide":
        return _file_body(safe_file(settings.pyodide, rest), CACHE_LONG, cors=True)
    if head == "webresources":
        return _file_body(safe_file(settings.webresources, rest), CACHE_NONE)
    if head == "web":
        if rest and rest[0] == "webresources":
            return _file_body(safe_file(settings.webresources, rest[1:]), CACHE_NONE)
        return _file_body(safe_file(settings.web, rest), CACHE_NONE)
    if len(segs) == 1:
        return _file_body(safe_file(settings.web, segs), CACHE_NONE)
    return None


def _etag_matches(header: str | None, etag: str) -> bool:
    if not header:
        return False
    if header.strip() == "*":
        return True
    bare = etag.removeprefix("W/")
    return any(t.strip().removeprefix("W/") == bare for t in header.split(","))


class ApmRequestHandler(BaseHTTPRequestHandler):
    """GET/HEAD of the routes above; everything else 404/405."""

    protocol_version = "HTTP/1.1"
    server_version = "py-apm"
    sys_version = ""
    server: ApmServer

    @property
    def timeout(self) -> float:  # type: ignore[override]  # read by setup(): idle connections
        return self.server.settings.idle_timeout

    def do_GET(self) -> None:
        self._handle(send_body=True)

    def do_HEAD(self) -> None:
        self._handle(send_body=False)

    def do_OPTIONS(self) -> None:
        """A CORS preflight: answered for the files other origins may read, else 404."""
        if not self._admit():
            return
        body = resolve(self.server.settings, self.path)
        if not isinstance(body, _Body) or not body.cors:
            self._status(HTTPStatus.NOT_FOUND, True)
            return
        private = self.headers.get("Access-Control-Request-Private-Network", "") == "true"
        self.send_response(HTTPStatus.NO_CONTENT)
        for name, value in httpguard.preflight_headers(private):
            self.send_header(name, value)
        self.send_header("Content-Length", "0")
        self.end_headers()

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
        if not httpguard.host_allowed(self.headers.get("Host"), self.server.allowed_hosts):
            self._status(HTTPStatus.MISDIRECTED_REQUEST, True)
            return False
        return True

    def _handle(self, send_body: bool) -> None:
        if not self._admit():
            return
        try:
            if self.path.split("?")[0] == framing.ROUTE:  # a site's framing headers
                body: _Body | int | None = self._framing()
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

    def _framing(self) -> _Body | int:
        marker, host = self.headers.get(framing.HEADER), self.headers.get("Host")
        status, data = framing.respond(self.path, marker, self.client_address[0], host)
        if data is None:
            return status
        etag = f'"{hashlib.sha1(data).hexdigest()[:24]}"'
        return _Body("application/json", CACHE_NONE, etag, data=data, size=len(data))

    def _status(self, status: HTTPStatus, send_body: bool) -> None:
        text = (
            b"" if status == HTTPStatus.NO_CONTENT else f"{status.value} {status.phrase}\n".encode()
        )
        self.send_response(status)
        if text:
            self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(text)))
        self.send_header("Cache-Control", CACHE_NONE)
        self.end_headers()
        if send_body and text:
            self.wfile.write(text)

    def _send(self, body: _Body, send_body: bool) -> None:
        not_modified = _etag_matches(self.headers.get("If-None-Match"), body.etag)
        self.send_response(HTTPStatus.NOT_MODIFIED if not_modified else HTTPStatus.OK)
        self.send_header("ETag", body.etag)
        self.send_header("Cache-Control", body.cache)
        self.send_header("X-Content-Type-Options", "nosniff")
        if body.cors:
            self.send_header("Access-Control-Allow-Origin", "*")
            self.send_header("Cross-Origin-Resource-Policy", "cross-origin")
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
        elif body.path is not None:
            # sendfile: the kernel copies, so a 15 MB snapshot costs this process (and the GIL
            # it shares with the other requests of a boot) next to nothing.
            with body.path.open("rb") as fh:
                self.connection.sendfile(fh)

    def log_message(self, format: str, *args: object) -> None:
        if self.server.settings.verbose:
            super().log_message(format, *args)


class ApmServer(ThreadingHTTPServer):
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
        host, port = self.server_address[:2]
        if host in ("0.0.0.0", "::", ""):
            host = "127.0.0.1"
        if ":" in str(host):
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
