"""``/pyapm/framing?url=...``: does a third-party website refuse to be shown in a frame?

The workspace page cannot read another site's headers, and a site that sends
``X-Frame-Options: DENY`` or ``Content-Security-Policy: frame-ancestors 'none'`` makes Chromium
show its own "refused to connect" page in the tab. The server asks instead, and answers only that
verdict, never the site's body or other headers.

The server must not become a proxy for other machines or other sites' pages: it answers only
requests from this machine (a loopback client) that carry the ``X-PyApm-Framing`` header (a page
on another site cannot send it without a CORS preflight, which the server refuses). The address
must be http(s); the request is a ``HEAD`` without cookies, following at most a few redirects
(each one checked the same way), all within one total deadline (a site that drips its headers
byte by byte, or a slow name lookup, cannot hold the answer longer).
"""

from __future__ import annotations

import http.client
import ipaddress
import json
import socket
import threading
import time
from urllib.parse import SplitResult, parse_qs, urljoin, urlsplit

ROUTE = "/pyapm/framing"
HEADER = "X-PyApm-Framing"
TIMEOUT_S = 3.0
MAX_REDIRECTS = 3
MAX_URL = 4096


def respond(
    path: str, marker: str | None, client: str, host: str | None
) -> tuple[int, bytes | None]:
    """The endpoint: (200, JSON) with ``{"refused": bool, "reason": str | None}``, or a bare
    status (403: not from this machine / no header; 400: no http(s) URL)."""
    if marker != "1" or not _loopback(client):
        return 403, None
    values = parse_qs(urlsplit(path).query).get("url", [])
    url = values[0] if len(values) == 1 else ""
    if len(url) > MAX_URL or urlsplit(url).scheme not in ("http", "https"):
        return 400, None
    reason = refusal(url, f"http://{host}" if host else "")
    return 200, json.dumps({"refused": reason is not None, "reason": reason}).encode()


def _loopback(client: str) -> bool:
    try:
        return ipaddress.ip_address(client.split("%")[0]).is_loopback
    except ValueError:
        return False


def refusal(url: str, workspace_origin: str, timeout: float = TIMEOUT_S) -> str | None:
    """The header that forbids framing `url` in a page of `workspace_origin`, else None (also
    when the site does not answer within `timeout` seconds in all: the page's own probe
    reports that)."""
    result: list[str | None] = []
    open_conns: list[http.client.HTTPConnection] = []
    deadline = time.monotonic() + timeout

    def ask() -> None:
        result.append(_refusal(url, workspace_origin, deadline, open_conns))

    # A worker, so that the wait is bounded even where a socket timeout is not (a name lookup,
    # a site that drips its headers: each byte restarts a socket's timeout).
    worker = threading.Thread(target=ask, name="py-apm-framing", daemon=True)
    worker.start()
    worker.join(timeout)
    if worker.is_alive():
        for conn in list(open_conns):
            _abort(conn)
        return None
    return result[0] if result else None


def _abort(conn: http.client.HTTPConnection) -> None:
    """Wake a read blocked on `conn` (closing alone does not, shutting down does)."""
    sock = conn.sock
    if sock is not None:
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


def _refusal(
    url: str, workspace_origin: str, deadline: float, open_conns: list[http.client.HTTPConnection]
) -> str | None:
    for _ in range(MAX_REDIRECTS + 1):
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            return None
        try:
            target = parts.path or "/"
            query = f"?{parts.query}" if parts.query else ""
            status, headers = _head(parts, target + query, deadline, open_conns)
        except (OSError, http.client.HTTPException, ValueError):
            return None
        location = headers.get("location")
        if status in (301, 302, 303, 307, 308) and location:
            url = urljoin(url, location)
            continue
        origin = f"{parts.scheme}://{parts.netloc.rsplit('@', 1)[-1]}".lower()
        return framing_refusal(headers, origin, workspace_origin.lower())
    return None


def _head(
    parts: SplitResult, target: str, deadline: float, open_conns: list[http.client.HTTPConnection]
) -> tuple[int, dict[str, str]]:
    left = deadline - time.monotonic()
    if left <= 0:
        raise TimeoutError
    cls = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    conn = cls(parts.hostname or "", parts.port, timeout=left)  # (.port: ValueError if bad)
    open_conns.append(conn)
    try:
        conn.connect()
        if time.monotonic() >= deadline:  # past it, refusal() may already have given up
            raise TimeoutError
        conn.request("HEAD", target, headers={"User-Agent": "py-apm"})
        response = conn.getresponse()
        headers: dict[str, str] = {}
        for name, value in response.getheaders():  # repeated headers joined, as browsers do
            key = name.lower()
            headers[key] = f"{headers[key]}, {value}" if key in headers else value
        return response.status, headers
    finally:
        open_conns.remove(conn)
        conn.close()


def framing_refusal(headers: dict[str, str], site: str, workspace: str) -> str | None:
    """Chromium's rule: a CSP `frame-ancestors` directive wins over X-Frame-Options."""
    for policy in headers.get("content-security-policy", "").split(","):
        for directive in policy.split(";"):
            words = directive.split()
            if words and words[0].lower() == "frame-ancestors":
                sources = [w.lower() for w in words[1:]]
                if not any(_matches(s, site, workspace) for s in sources):
                    return f"Content-Security-Policy: {directive.strip()}"
                return None
    xfo = headers.get("x-frame-options", "").strip()
    options = {v.strip().lower() for v in xfo.split(",")} if xfo else set()
    if "deny" in options or ("sameorigin" in options and site != workspace):
        return f"X-Frame-Options: {xfo}"
    return None


def _matches(source: str, site: str, workspace: str) -> bool:
    """Does a frame-ancestors source allow the workspace page (an http origin)?"""
    if source == "'none'":
        return False
    if source == "*":
        return True
    if source == "'self'":
        return site == workspace
    if source.endswith(":") and "/" not in source:  # a scheme source such as http:
        return workspace.startswith(source)
    ws = urlsplit(workspace)
    src = urlsplit(source if "://" in source else f"{ws.scheme}://{source}")
    host, _, port = src.netloc.partition(":")
    if src.scheme != ws.scheme or not host or not ws.hostname:
        return False
    host_ok = host == ws.hostname or (host.startswith("*.") and ws.hostname.endswith(host[1:]))
    return host_ok and port in ("", "*", str(ws.port or 80))
