"""A local "third-party website" whose pages send framing headers, for the framing tests."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler

from py_apm.host.server import QuietServer

#: path -> the headers its answer carries
PAGES: dict[str, list[tuple[str, str]]] = {
    "/ok": [],
    "/deny": [("X-Frame-Options", "DENY")],
    "/sameorigin": [("X-Frame-Options", "SAMEORIGIN")],
    "/csp-none": [("Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'")],
    "/csp-star-xfo-deny": [
        ("Content-Security-Policy", "frame-ancestors *"),
        ("X-Frame-Options", "DENY"),
    ],
}


class _Handler(BaseHTTPRequestHandler):
    def _answer(self, body: bool) -> None:
        path = self.path.split("?")[0]
        if path == "/redirect":
            self.send_response(302)
            self.send_header("Location", "/deny")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if path not in PAGES:
            self.send_error(404)
            return
        data = b"<!doctype html><p>a third-party page</p>"
        self.send_response(200)
        for name, value in PAGES[path]:
            self.send_header(name, value)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if body:
            self.wfile.write(data)

    def do_GET(self) -> None:
        self._answer(True)

    def do_HEAD(self) -> None:
        self._answer(False)

    def log_message(self, *args: object) -> None:  # quiet
        pass


@contextmanager
def framing_site() -> Iterator[str]:
    """Its base URL (no trailing slash) while the block runs."""
    httpd = QuietServer(("127.0.0.1", 0), _Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()
