"""Who the local server answers, and how: Host names, cross-origin headers, request bodies,
idle connections.

A page on another site can make a browser send requests to a loopback port, and a DNS-rebinding
page can make them same-origin under its own name. So the server answers only the names it is
reached by (loopback names, the `--host` given, this machine's names when it listens on all
interfaces), lets other origins read only what a page elsewhere needs to run the emulator (the
shim, the Pyodide runtime, the bundle and the snapshot), never the configuration or web
resources.
"""

from __future__ import annotations

import socket
from collections.abc import Iterable, Sequence
from urllib.parse import urlsplit

from .site import SITE

#: Seconds a connection may sit idle (or half-sent) before the server closes it.
IDLE_TIMEOUT_S = SITE.connections("idleSeconds")
#: The largest request body read (and thrown away); a bigger one closes the connection.
MAX_BODY = 1 << 20

LOOPBACK_NAMES = SITE.host_names
WILDCARDS = ("", "0.0.0.0", "::")


def _machine_names() -> set[str]:
    names: set[str] = set()
    try:
        host = socket.gethostname()
        names.update({host, host.split(".")[0], socket.getfqdn()})
        for info in socket.getaddrinfo(host, None):
            names.add(str(info[4][0]))
    except OSError:
        pass
    return {n.lower() for n in names if n}


def allowed_hosts(bind_host: str, extra: Iterable[str] = ()) -> frozenset[str]:
    """Host names (without port, lowercase, IPv6 without brackets) the server answers to."""
    names = set(LOOPBACK_NAMES) | {bind_host.lower().strip("[]")} | {e.lower() for e in extra}
    if bind_host in WILDCARDS:
        names |= _machine_names()
    return frozenset(n for n in names if n)


def host_name(header: str) -> str:
    """The name part of a Host header (`[::1]:8765` -> `::1`, `Example:80` -> `example`)."""
    value = header.strip().lower()
    if value.startswith("["):
        return value[1 : value.find("]")] if "]" in value else value
    return value.rsplit(":", 1)[0] if value.count(":") == 1 else value


def host_allowed(header: str | None, names: frozenset[str]) -> bool:
    """True when a request's Host header names this server, on any port (a forwarded port is
    still this server); a missing header is allowed here (:func:`refusal` has the HTTP/1.1
    rule)."""
    if header is None:
        return True
    value = header.strip().lower()
    name = host_name(value)
    port = value[value.find("]") + 1 :] if value.startswith("[") else value[len(name) :]
    return name in names and (port == "" or (port[:1] == ":" and port[1:].isdigit()))


def refusal(version: str, target: str, hosts: Sequence[str], names: frozenset[str]) -> int | None:
    """The status refusing a request that does not name this server, else None: 400 for two
    Host headers, for a missing one in HTTP/1.1, or for a target that is neither a path nor an
    http URL; 421 for another name, in the Host header or in an absolute-form target
    (``GET http://name/ HTTP/1.1``, which HTTP says wins over the Host header)."""
    rules = SITE.raw["hosts"]
    if len(hosts) > 1:
        return int(rules["duplicate"])
    if not target.startswith("/"):
        parts = urlsplit(target)
        if parts.scheme.lower() != "http" or not parts.netloc or "@" in parts.netloc:
            return 400
        if not host_allowed(parts.netloc, names):
            return int(rules["refused"])
    if not hosts:
        return int(rules["missingOnHttp11"]) if version == "HTTP/1.1" else None
    return None if host_allowed(hosts[0], names) else int(rules["refused"])


def body_length(content_length: str | None, transfer_encoding: str | None) -> int | None:
    """How many body bytes to read and discard; None when the body cannot be skipped safely
    (chunked, malformed or too big): the connection is then closed after the answer."""
    if transfer_encoding is not None:
        return None
    if content_length is None:
        return 0
    text = content_length.strip()
    if not text.isdigit() or int(text) > MAX_BODY:
        return None
    return int(text)


def preflight_headers(private_network: bool) -> list[tuple[str, str]]:
    """The answer to a CORS preflight for a file other origins may read."""
    headers = SITE.headers("preflight")
    return headers + SITE.headers("privateNetwork") if private_network else headers
