"""The static server survives malformed requests and a burst of concurrent connections.

Runs against ``py_apm.host.server.serve(port=0)`` with raw sockets (no browser). Path traversal
through ordinary URLs is covered by tests/tooling; here only the raw request-line forms.
"""

from __future__ import annotations

import re
import socket
import struct
import threading
import time
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

from py_apm.host.server import serve

TIMEOUT = 20.0
CONCURRENT = 200


@pytest.fixture(scope="module")
def server() -> Iterator[Any]:
    srv, _url = serve(port=0)
    try:
        yield srv
    finally:
        srv.stop()


def _port(srv: Any) -> int:
    return srv.server_address[1]


def _raw(srv: Any, payload: bytes, timeout: float = 10.0) -> bytes:
    """Send raw bytes; return everything the server answered before closing (maybe b"")."""
    with socket.create_connection(("127.0.0.1", _port(srv)), timeout=timeout) as sock:
        try:
            sock.sendall(payload)
            sock.shutdown(socket.SHUT_WR)
        except OSError:  # the server may close while we are still sending a huge header
            pass
        chunks = []
        try:
            while True:
                data = sock.recv(65536)
                if not data:
                    break
                chunks.append(data)
        except (ConnectionResetError, TimeoutError):
            pass
    return b"".join(chunks)


def _status(answer: bytes) -> int | None:
    """The status of an answer; None for a closed connection. The stdlib answers a request it
    parsed as HTTP/0.9 (no version, or an unparsable line) with a bare body, no status line."""
    if not answer:
        return None
    line = answer.split(b"\r\n", 1)[0].split()
    if len(line) >= 2 and line[0].startswith(b"HTTP/"):
        return int(line[1])
    found = re.search(rb"Error code: (\d{3})|^(\d{3}) ", answer)
    assert found, f"not an HTTP answer: {answer[:200]!r}"
    return int(found.group(1) or found.group(2))


def _root_ok(srv: Any) -> None:
    with urllib.request.urlopen(f"http://127.0.0.1:{_port(srv)}/", timeout=TIMEOUT) as reply:
        assert reply.status == 200
        assert b"shim.js" in reply.read()


def test_binds_loopback_only(server: Any) -> None:
    host = server.server_address[0]
    assert host == "127.0.0.1", f"server bound to {host!r}, not loopback"
    assert server.url.startswith("http://127.0.0.1:")


MALFORMED = {
    "garbage-line": b"\x00\xff\xfe garbage \x01\x02\r\n\r\n",
    "huge-header": b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + b"a" * 200_000 + b"\r\n\r\n",
    "many-headers": b"GET / HTTP/1.1\r\nHost: x\r\n" + b"X-H: 1\r\n" * 300 + b"\r\n",
    "bad-percent": b"GET /%zz%%%G0%ff%00 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
    "bad-percent-shim": b"GET /shim.js%zz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
    "dotdot-raw": b"GET /../../etc/passwd HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
    "dotdot-encoded": b"GET /%2e%2e/%2e%2e/etc/passwd HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
    "absolute-form": b"GET http://evil.example/etc/passwd HTTP/1.1\r\nHost: evil.example\r\n\r\n",
    "absolute-form-local": b"GET http://127.0.0.1/../../etc/passwd HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
    "missing-host": b"GET /../etc/passwd HTTP/1.1\r\n\r\n",
    "http09": b"GET /../../etc/passwd\r\n\r\n",
    "bad-version": b"GET / HTTP/9.9\r\nHost: 127.0.0.1\r\n\r\n",
    "long-uri": b"GET /" + b"a" * 100_000 + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
    "nul-in-path": b"GET /shim.js\x00.txt HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
    "backslash": b"GET /..\\..\\etc\\passwd HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
    "unknown-method": b"BREW /etc/passwd HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
    "empty": b"",
    "only-crlf": b"\r\n\r\n\r\n",
}


@pytest.mark.parametrize("name", sorted(MALFORMED))
def test_malformed_request_gets_4xx_or_close(server: Any, name: str) -> None:
    answer = _raw(server, MALFORMED[name])
    status = _status(answer)
    # 501 (unknown method) and 505 (bad HTTP version) are the codes HTTP defines for those.
    allowed = {"unknown-method": {501}, "bad-version": {505}}.get(name, set())
    assert status is None or 400 <= status < 500 or status in allowed, (
        f"{name}: status {status}: {answer[:300]!r}"
    )
    assert b"root:" not in answer, f"{name}: served /etc/passwd"
    _root_ok(server)


def test_half_open_connection_does_not_block_others(server: Any) -> None:
    """A client that sends half a request line and waits must not stall the server."""
    with socket.create_connection(("127.0.0.1", _port(server)), timeout=TIMEOUT) as idle:
        idle.sendall(b"GET /shim")
        _root_ok(server)


def _concurrent(server: Any, burst: bool) -> None:
    url = f"http://127.0.0.1:{_port(server)}/shim.js"
    expected = len(urllib.request.urlopen(url, timeout=TIMEOUT).read())
    results: list[Any] = [None] * CONCURRENT
    gate = threading.Barrier(CONCURRENT if burst else 1, timeout=TIMEOUT)

    def fetch(i: int) -> None:
        try:
            gate.wait()
            with urllib.request.urlopen(url, timeout=TIMEOUT) as reply:
                results[i] = (reply.status, len(reply.read()))
        except Exception as exc:  # recorded and reported below
            results[i] = exc

    threads = [threading.Thread(target=fetch, args=(i,), daemon=True) for i in range(CONCURRENT)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(TIMEOUT + 5)
    assert not any(t.is_alive() for t in threads), "some requests hung"
    failures = [r for r in results if r != (200, expected)]
    assert not failures, f"{len(failures)}/{CONCURRENT} failed, e.g. {failures[:3]}"
    _root_ok(server)


def test_200_concurrent_connections(server: Any) -> None:
    """200 threads started one after another, all in flight together: every GET succeeds."""
    _concurrent(server, burst=False)


def test_200_simultaneous_connections_burst(server: Any) -> None:
    """200 threads released by a barrier connect at the same instant."""
    _concurrent(server, burst=True)


def test_a_client_that_resets_its_kept_alive_connection_prints_no_traceback(
    server: Any, capfd: pytest.CaptureFixture[str]
) -> None:
    """A closed tab resets the connections it kept alive; the server says nothing about it (a
    traceback on the terminal of `py-apm serve` would read as a py-apm bug) and goes on."""
    port = _port(server)
    before = set(threading.enumerate())
    with socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT) as sock:
        sock.sendall(b"HEAD /nope HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n\r\n" % port)
        assert sock.recv(65536).startswith(b"HTTP/1.1 404")  # headers only: the whole answer
        time.sleep(0.3)  # the server is back waiting for the next request on this connection
        # then an RST instead of a FIN
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    deadline = time.monotonic() + TIMEOUT  # until the connection's thread has handled the reset
    while set(threading.enumerate()) - before and time.monotonic() < deadline:
        time.sleep(0.02)
    assert not set(threading.enumerate()) - before
    err = capfd.readouterr().err
    assert "Traceback" not in err and "Exception occurred" not in err, err
    assert _status(_raw(server, b"GET /nope HTTP/1.0\r\n\r\n")) == 404
