"""Hostile requests against `py-apm serve`, classes "Host and CORS" and "idle and pipelined
connections", and bad `--config` files: the server answers only its own names, lets other
origins read only the shim and the runtime, never reads a body as a request, closes idle
connections, and refuses a bad configuration with one line."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from py_apm.host.server import ApmServer, make_server

from .hostile import FULL

IDLE_S = 1.0


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ApmServer]:
    folder = tmp_path_factory.mktemp("hostile_server")
    (folder / "wr").mkdir()
    (folder / "wr" / "page.html").write_text("<p>secret source</p>")
    (folder / "config.json").write_text(
        json.dumps({"records": {"incident": {"1": {"title": "x"}}}})
    )
    srv = make_server(port=0, webresources=folder / "wr", config=folder / "config.json")
    srv.settings = replace(srv.settings, idle_timeout=IDLE_S)
    srv.start()
    try:
        yield srv
    finally:
        srv.stop()


def exchange(srv: ApmServer, payload: bytes, wait: float = 5.0) -> bytes:
    """Send raw bytes, half-close, return all the server answered."""
    with socket.create_connection(("127.0.0.1", srv.server_address[1]), timeout=wait) as sock:
        sock.sendall(payload)
        sock.shutdown(socket.SHUT_WR)
        chunks = []
        try:
            while data := sock.recv(65536):
                chunks.append(data)
        except (TimeoutError, ConnectionResetError):
            pass
    return b"".join(chunks)


def responses(answer: bytes) -> list[tuple[int, dict[str, str]]]:
    """(status, headers) of each response in `answer` (bodies skipped by Content-Length)."""
    out = []
    while answer.startswith(b"HTTP/"):
        head, _, rest = answer.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        headers = {
            k.strip().lower(): v.strip() for k, _, v in (h.partition(":") for h in lines[1:])
        }
        out.append((int(lines[0].split()[1]), headers))
        answer = rest[int(headers.get("content-length", "0")) :]
    return out


def request(path: str, host: str = "127.0.0.1", method: str = "GET", extra: str = "") -> bytes:
    return f"{method} {path} HTTP/1.1\r\nHost: {host}\r\n{extra}Connection: close\r\n\r\n".encode()


GOOD_HOSTS = [
    "127.0.0.1",
    "127.0.0.1:{port}",
    "localhost:{port}",
    "LocalHost",
    "[::1]:{port}",
    "localhost:9999",
]
BAD_HOSTS = [
    "attacker.example",
    "attacker.example:{port}",
    "127.0.0.1.attacker.example",
    "localhost.attacker.example:{port}",
    "attacker.example:80@127.0.0.1",
    "",
    "127.0.0.1:port",
    "[::1]x",
] + (["0x7f000001", "2130706433", "127.1", "localhost.", "::ffff:127.0.0.1"] if FULL else [])


@pytest.mark.parametrize("host", GOOD_HOSTS)
def test_own_names_are_served(server: ApmServer, host: str) -> None:
    host = host.format(port=server.server_address[1])
    assert [s for s, _ in responses(exchange(server, request("/shim.js", host)))] == [200]


@pytest.mark.parametrize("host", BAD_HOSTS)
def test_other_names_are_refused(server: ApmServer, host: str) -> None:
    host = host.format(port=server.server_address[1])
    for path in ("/", "/shim.js", "/config.json", "/webresources/page.html"):
        answer = exchange(server, request(path, host))
        assert [s for s, _ in responses(answer)] == [421], (host, path)
        assert b"secret source" not in answer and b"records" not in answer


CROSS_ORIGIN = ["/shim.js", "/py_apm.zip", "/pyodide/pyodide.mjs", "/pyodide/pyodide.asm.wasm"]
SAME_ORIGIN = [
    "/",
    "/config.json",
    "/webresources/page.html",
    "/web/webresources/page.html",
    "/index.html",
]


@pytest.mark.parametrize("path", CROSS_ORIGIN + SAME_ORIGIN)
def test_cors_only_on_what_other_origins_need(server: ApmServer, path: str) -> None:
    origin = "Origin: http://localhost:9999\r\n"
    [(status, headers)] = responses(exchange(server, request(path, extra=origin)))
    assert status == 200
    assert headers.get("access-control-allow-origin") == ("*" if path in CROSS_ORIGIN else None)
    preflight = origin + (
        "Access-Control-Request-Method: GET\r\nAccess-Control-Request-Private-Network: true\r\n"
    )
    [(status, headers)] = responses(
        exchange(server, request(path, method="OPTIONS", extra=preflight))
    )
    if path in CROSS_ORIGIN:
        assert status == 204
        assert headers["access-control-allow-origin"] == "*"
        assert headers["access-control-allow-private-network"] == "true"
    else:
        assert status == 404
        assert "access-control-allow-origin" not in headers
        assert "access-control-allow-private-network" not in headers


def test_private_network_only_when_asked(server: ApmServer) -> None:
    preflight = "Origin: http://localhost:9999\r\nAccess-Control-Request-Method: GET\r\n"
    [(status, headers)] = responses(
        exchange(server, request("/shim.js", method="OPTIONS", extra=preflight))
    )
    assert status == 204 and "access-control-allow-private-network" not in headers


SMUGGLED = b"GET /config.json HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"


def test_a_body_is_read_not_parsed_as_a_request(server: ApmServer) -> None:
    first = (
        f"GET /shim.js HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: {len(SMUGGLED)}\r\n\r\n".encode()
        + SMUGGLED
    )
    second = request("/favicon.ico")
    got = responses(exchange(server, first + second))
    assert [s for s, _ in got] == [200, 204]  # shim.js, then favicon; no answer for the body


@pytest.mark.parametrize(
    "headers",
    [
        "Transfer-Encoding: chunked\r\n",
        f"Content-Length: {(1 << 20) + 1}\r\n",
        "Content-Length: -5\r\n",
    ],
)
def test_bodies_that_cannot_be_skipped_close_the_connection(
    server: ApmServer, headers: str
) -> None:
    payload = f"GET /shim.js HTTP/1.1\r\nHost: 127.0.0.1\r\n{headers}\r\n".encode() + SMUGGLED
    assert [s for s, _ in responses(exchange(server, payload))] == [400]


def test_pipelined_requests_are_answered_in_order(server: ApmServer) -> None:
    paths = ["/shim.js", "/favicon.ico", "/nothing", "/config.json"] * (25 if FULL else 3)
    payload = b"".join(
        f"GET {p} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode() for p in paths
    ) + request("/favicon.ico")
    got = [s for s, _ in responses(exchange(server, payload))]
    assert got == [
        {"/shim.js": 200, "/favicon.ico": 204, "/nothing": 404, "/config.json": 200}[p]
        for p in paths
    ] + [204]


def test_idle_and_half_sent_connections_are_closed(server: ApmServer) -> None:
    count = 300 if FULL else 40
    port = server.server_address[1]
    socks = []
    try:
        for i in range(count):
            sock = socket.create_connection(("127.0.0.1", port), timeout=10)
            if i % 2:
                sock.sendall(b"GET /shim.js HTTP/1.1\r\nHost: 127.0.0.1\r\n")  # never finished
            socks.append(sock)
        # The server still answers while they are open...
        assert [s for s, _ in responses(exchange(server, request("/favicon.ico")))] == [204]
        # ...and closes every one of them after the idle time.
        deadline = time.monotonic() + IDLE_S + 10
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


def _serve_with(config: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "py_apm.host.cli",
            "serve",
            "--port",
            "0",
            "--no-snapshot",
            "--config",
            str(config),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )


def _bad_configs(tmp: Path) -> dict[str, tuple[Path, str]]:
    deep = tmp / "deep.json"
    deep.write_text("[" * 100_000 + "]" * 100_000)
    invalid = tmp / "invalid.json"
    invalid.write_text('{"records": ')
    binary = tmp / "binary.json"
    binary.write_bytes(b"\xff\xfe\x00{")
    big = tmp / "big.json"
    big.write_text('{"records": "' + "x" * (8 << 20) + '"}')
    return {
        "deep": (
            deep,
            f"py-apm serve: --config {deep} is JSON nested deeper than 64 levels (the limit)",
        ),
        "invalid": (invalid, f"py-apm serve: --config {invalid}: not valid JSON ("),
        "binary": (binary, f"py-apm serve: --config {binary}: not valid JSON ("),
        "big": (
            big,
            f"py-apm serve: --config {big} is {(8 << 20) + 15:,} characters of JSON text; the limit is 8,388,608",
        ),
        "missing": (
            tmp / "missing.json",
            f"py-apm serve: --config {tmp / 'missing.json'}: no such file",
        ),
    }


@pytest.mark.parametrize("kind", ["deep", "invalid", "binary", "big", "missing", "unreadable"])
def test_bad_config_is_one_line(tmp_path: Path, kind: str) -> None:
    if kind == "unreadable":
        if os.geteuid() == 0:
            pytest.skip("root reads any file")
        path = tmp_path / "secret.json"
        path.write_text("{}")
        path.chmod(0)
        expected = f"py-apm serve: --config {path}: cannot read it (Permission denied)"
    else:
        path, expected = _bad_configs(tmp_path)[kind]
    done = _serve_with(path)
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 1 and len(lines) == 1, done.stderr[-2000:]
    assert lines[0].startswith(expected), lines[0]
    assert "Traceback" not in done.stderr and done.stdout == ""


def test_cli_module_runs() -> None:
    """The command used above exists (so the refusals above are not import errors)."""
    done = subprocess.run(
        [sys.executable, "-m", "py_apm.host.cli", "serve", "--help"], capture_output=True, text=True
    )
    assert done.returncode == 0 and "--config" in done.stdout
