"""A loopback server for scripts' requests whose answer the test holds back."""

from __future__ import annotations

import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler

from py_apm.host.server import QuietServer


class GatedServer:
    """Answers every GET with ``ok`` (CORS open) once ``gate(path)`` returns; ``close`` calls
    ``on_close`` first (it releases what the gate waits on), then stops the server."""

    def __init__(self, gate: Callable[[str], None], on_close: Callable[[], None]) -> None:
        self.on_close = on_close

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                gate(self.path)
                try:
                    self.send_response(200)
                    self.send_header("Access-Control-Allow-Origin", "*")
                    self.send_header("Content-Length", "2")
                    self.end_headers()
                    self.wfile.write(b"ok")
                except OSError:
                    pass  # the page that asked is gone

            def log_message(self, *_args: object) -> None:
                pass

        self.server = QuietServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.on_close()
        self.server.shutdown()
        self.server.server_close()
