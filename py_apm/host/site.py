"""The site description (``site.json``): which request path is answered from which source, with
which MIME type, cache and cross-origin headers, and the Host and connection rules.

``py-apm serve`` reads it here; the npm package's servers read the same file (``npm/build.py``
copies it into the package), so both serve one site. docs/server.md explains the fields.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SITE_FILE = Path(__file__).resolve().parent / "site.json"
#: This server's name in a route's ``servers`` list (a route without the list is everyone's).
SERVER = "python"


@dataclass(frozen=True)
class Route:
    """One row of ``routes``: a fixed path, or a prefix whose rest names a file of the source."""

    fixed: tuple[str, ...]
    prefix: bool
    source: str
    file: tuple[str, ...] = ()
    depth: int | None = None
    cache: str = "none"
    cors: bool = False
    missing: int = 404
    any_case: frozenset[str] = frozenset()
    servers: tuple[str, ...] = ()

    def rest(self, segments: Sequence[str]) -> list[str] | None:
        """The segments after the route's own (the file below its source), or None when the
        path is not this route's."""
        n = len(self.fixed)
        if len(segments) < n or (not self.prefix and len(segments) != n):
            return None
        for want, got in zip(self.fixed, segments, strict=False):
            if got != want and not (want in self.any_case and got.lower() == want.lower()):
                return None
        rest = list(segments[n:])
        if self.prefix and (not rest or (self.depth is not None and len(rest) != self.depth)):
            return None
        return list(self.file) if not self.prefix else rest


def _segments(path: str) -> tuple[str, ...]:
    return tuple(path.split("/")[1:])


def _route(row: dict[str, Any]) -> Route:
    prefix = "prefix" in row
    fixed = _segments(row["prefix"])[:-1] if prefix else _segments(row["path"])
    return Route(
        fixed=fixed,
        prefix=prefix,
        source=row["from"],
        file=tuple(row["file"].split("/")) if "file" in row else (),
        depth=row.get("depth"),
        cache=row.get("cache", "none"),
        cors=bool(row.get("cors", False)),
        missing=int(row.get("missing", 404)),
        any_case=frozenset(row.get("anyCase", ())),
        servers=tuple(row.get("servers", ())),
    )


@dataclass(frozen=True)
class Site:
    """``site.json``, parsed."""

    raw: dict[str, Any]
    routes: tuple[Route, ...]

    def match(self, segments: Sequence[str], server: str = SERVER) -> tuple[Route, list[str]]:
        """The first route of this server that takes ``segments``, and the file's segments
        below its source; raises LookupError when none does."""
        for route in self.routes:
            if route.servers and server not in route.servers:
                continue
            rest = route.rest(segments)
            if rest is not None:
                return route, rest
        raise LookupError("/".join(segments))

    def content_type(self, name: str) -> str:
        """The MIME type of a file name (by its extension, any case)."""
        dot = name.rfind(".")
        types: dict[str, str] = self.raw["types"]
        default = str(self.raw["defaultType"])
        return types.get(name[dot:].lower(), default) if dot >= 0 else default

    def cache(self, route: Route) -> str:
        return str(self.raw["cache"][route.cache])

    def headers(self, section: str) -> list[tuple[str, str]]:
        """A header section (``headers``, ``cors``, ``preflight``, ``privateNetwork``)."""
        return [(str(k), str(v)) for k, v in self.raw[section].items()]

    @property
    def host_names(self) -> tuple[str, ...]:
        return tuple(self.raw["hosts"]["names"])

    def connections(self, key: str) -> float:
        return float(self.raw["connections"][key])


def load(path: Path = SITE_FILE) -> Site:
    raw = json.loads(path.read_text("utf-8"))
    return Site(raw=raw, routes=tuple(_route(row) for row in raw["routes"]))


SITE = load()
