"""Hostile neighbours of both servers of the site (`py-apm serve` and the npm package's server):
a folder swapped for a symlink while requests run, many half-sent connections, a site that
drips its headers to `/pyapm/framing`, requests that name two hosts."""

from __future__ import annotations

import json
import os
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from urllib.parse import quote

import pytest
from site_servers import HAVE_NODE, ask, build_npm_stage, exchange, node_site, replies

from py_apm.host.server import ApmServer, make_server

from .hostile import FULL

IDLE_S = 1.0
RACE_REQUESTS = 3000 if FULL else 500
#: The npm server runs in node: those cases are `subprocess` (not in the quick suite).
NODE = pytest.param(
    "node", marks=[pytest.mark.subprocess, pytest.mark.skipif(not HAVE_NODE, reason="no node")]
)
SERVERS = ["python", NODE]


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("hostile_site")
    (base / "outside").mkdir()
    (base / "outside" / "page.html").write_text("OUTSIDE SECRET\n")
    (base / "wr" / "sub").mkdir(parents=True)
    (base / "wr" / "sub" / "page.html").write_text("inside\n")
    (base / "wr" / "link").symlink_to(base / "outside", target_is_directory=True)
    os.mkfifo(base / "wr" / "fifo.html")  # opening it to read would wait for a writer
    return base


@pytest.fixture(scope="module")
def stage(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_npm_stage(tmp_path_factory.mktemp("npm"))


@pytest.fixture(scope="module")
def python_server(folder: Path) -> Iterator[ApmServer]:
    srv = make_server(port=0, webresources=folder / "wr")
    srv.settings = replace(srv.settings, idle_timeout=IDLE_S)
    srv.start()
    try:
        yield srv
    finally:
        srv.stop()


@pytest.fixture(scope="module")
def node_port(folder: Path, stage: Path) -> Iterator[int]:
    if not HAVE_NODE:
        pytest.skip("no node")
    limits = {"idleSeconds": IDLE_S, "headersSeconds": IDLE_S, "requestSeconds": 2 * IDLE_S}
    with node_site(stage, folder / "wr", limits=limits) as port:
        yield port


@pytest.fixture(params=SERVERS)
def port(request: pytest.FixtureRequest) -> int:
    if request.param == "python":
        return int(request.getfixturevalue("python_server").server_address[1])
    return int(request.getfixturevalue("node_port"))


def test_a_symlink_out_of_the_web_resources_is_404(port: int) -> None:
    reply = ask(port, "/webresources/link/page.html")
    assert reply.status == 404 and b"OUTSIDE" not in reply.body


def test_a_fifo_is_404_at_once(port: int) -> None:
    assert ask(port, "/webresources/fifo.html").status == 404  # (ask gives up after 10 s)


def test_a_folder_swapped_for_a_symlink_never_serves_the_outside(folder: Path, port: int) -> None:
    """Another process swaps `sub` for a symlink out of the folder and back, as fast as it can,
    while requests for a file in it run: each answer is the inside file or a 404, never the
    outside one (a check of the name, then an open of the name, would let some through)."""
    wr, stop = folder / "wr", threading.Event()

    def swap() -> None:
        while not stop.is_set():
            os.rename(wr / "sub", wr / "sub.real")
            os.symlink(folder / "outside", wr / "sub")
            os.unlink(wr / "sub")
            os.rename(wr / "sub.real", wr / "sub")

    swapper = threading.Thread(target=swap, daemon=True)
    swapper.start()
    seen: dict[int, int] = {}
    leaked = 0
    try:
        for _ in range(RACE_REQUESTS):
            reply = ask(port, "/webresources/sub/page.html")
            seen[reply.status] = seen.get(reply.status, 0) + 1
            leaked += b"OUTSIDE" in reply.body
    finally:
        stop.set()
        swapper.join(10)
    assert leaked == 0, seen
    assert set(seen) <= {200, 404}, seen
    assert ask(port, "/webresources/sub/page.html").body == b"inside\n"  # left as it was


@pytest.mark.parametrize(
    "payload",
    [
        "GET /shim.js HTTP/1.1\r\nHost: 127.0.0.1\r\nHost: evil.example\r\n",
        "GET /shim.js HTTP/1.1\r\nHost: evil.example\r\nHost: 127.0.0.1\r\n",
        "GET /shim.js HTTP/1.1\r\nHost: 127.0.0.1\r\nhost: 127.0.0.1\r\n",
        "GET http://evil.example/shim.js HTTP/1.1\r\nHost: 127.0.0.1\r\n",
        "GET http://evil.example/shim.js HTTP/1.1\r\n",
        "GET http://127.0.0.1.evil.example/ HTTP/1.1\r\nHost: 127.0.0.1\r\n",
        "GET http://evil.example@127.0.0.1/shim.js HTTP/1.1\r\nHost: 127.0.0.1\r\n",
        "GET //evil.example/shim.js HTTP/1.1\r\nHost: evil.example\r\n",
    ],
)
def test_two_hosts_or_an_absolute_target_do_not_pass_the_host_check(
    port: int, payload: str
) -> None:
    answer = exchange(port, (payload + "Connection: close\r\n\r\n").encode())
    [reply] = replies(answer)
    assert reply.status in (400, 404, 421), reply
    assert reply.status != 404 or payload.startswith("GET //"), reply  # (a path, not a host)
    assert b"PyApm" not in reply.body


def _half_sent(port: int, count: int) -> list[socket.socket]:
    socks = []
    for i in range(count):
        sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        sock.sendall(b"GET /shim" if i % 2 else b"GET /shim.js HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        socks.append(sock)
    return socks


def test_many_half_sent_connections_do_not_keep_others_out(port: int) -> None:
    socks = _half_sent(port, 300 if FULL else 100)
    try:
        assert ask(port, "/favicon.ico").status == 204  # answered (10 s socket timeout)
        # ...and the server closes each of them once they have been silent too long.
        deadline = time.monotonic() + IDLE_S + 15
        for sock in socks:
            sock.settimeout(max(0.1, deadline - time.monotonic()))
            try:
                while sock.recv(65536):  # a timeout here fails the test: still open
                    pass
            except ConnectionResetError:
                pass
    finally:
        for sock in socks:
            sock.close()
    assert ask(port, "/favicon.ico").status == 204


class _Drip(threading.Thread):
    """A site that answers a HEAD with a status line, then one header line every 0.2 s, for
    `seconds` (each byte restarts a socket timeout)."""

    def __init__(self, seconds: float) -> None:
        super().__init__(daemon=True)
        self.seconds = seconds
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]

    def run(self) -> None:
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._drip, args=(conn,), daemon=True).start()

    def _drip(self, conn: socket.socket) -> None:
        end = time.monotonic() + self.seconds
        with conn:
            try:
                conn.recv(65536)
                conn.sendall(b"HTTP/1.1 200 OK\r\n")
                while time.monotonic() < end:
                    conn.sendall(b"X-Drip: 1\r\n")
                    time.sleep(0.2)
            except OSError:
                return

    def close(self) -> None:
        self.listener.close()


def test_framing_answers_within_its_deadline_when_a_site_drips(python_server: ApmServer) -> None:
    drip = _Drip(seconds=60)
    drip.start()
    try:
        url = quote(f"http://127.0.0.1:{drip.port}/", safe="")
        port = python_server.server_address[1]
        reply = ask(port, f"/pyapm/framing?url={url}", headers=[("X-PyApm-Framing", "1")])
        # (ask's socket gives up after 10 s: far more than the 3 s deadline, far less than 60)
        assert reply.status == 200
        assert json.loads(reply.body) == {"refused": False, "reason": None}
    finally:
        drip.close()
