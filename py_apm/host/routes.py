"""What answers a request path: the routes of the site description (``site.json``) mapped onto
this server's folders and in-memory files.

Sources (a route's ``from``): ``root`` (the folder holding ``shim.js``), ``web`` (the workspace
page's folder), ``pyodide`` (the runtime), ``webresources`` (``--webresources``), ``config``
(``--config``), ``snapshot`` (the memory snapshot for this Pyodide and bundle), ``bundle``
(``py_apm.zip``, built in memory) and ``framing`` (answered by the handler: framing.py).
Every file is opened by :func:`urlpaths.open_below`, the one resolver.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from pathlib import Path

from . import httpguard
from .bundle import get_bundle
from .shim_build import refresh
from .site import SITE, Route
from .snapshot import current as current_snapshot
from .snapshot import verified as snapshot_verified
from .urlpaths import OpenFile, clean_segments, open_below, open_file

#: The framing route's source: the handler answers it (it needs the request's headers).
FRAMING = "framing"


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
class Body:
    """A resolved response: an open file (closed by whoever sends it) or in-memory bytes."""

    content_type: str
    cache: str
    etag: str
    file: OpenFile | None = None
    data: bytes | None = None
    size: int = 0
    mtime: float | None = None
    cors: bool = False

    def close(self) -> None:
        if self.file is not None:
            self.file.close()


def data_body(
    data: bytes, content_type: str, cache: str, etag: str = "", cors: bool = False
) -> Body:
    """In-memory bytes (the bundle, a framing verdict); the ETag defaults to their digest."""
    tag = etag or f'"{hashlib.sha1(data).hexdigest()[:24]}"'
    return Body(content_type, cache, tag, data=data, size=len(data), cors=cors)


def _file_body(opened: OpenFile | None, route: Route) -> Body | None:
    if opened is None:
        return None
    st = opened.stat
    tag = hashlib.sha1(f"{st.st_dev}:{st.st_ino}:{st.st_size}:{st.st_mtime_ns}".encode())
    return Body(
        content_type=SITE.content_type(opened.name),
        cache=SITE.cache(route),
        etag=f'"{tag.hexdigest()[:24]}"',
        file=opened,
        size=st.st_size,
        mtime=st.st_mtime,
        cors=route.cors,
    )


def _folder(settings: Settings, source: str) -> Path | None:
    folders = {
        "root": settings.root,
        "web": settings.web,
        "pyodide": settings.pyodide,
        "webresources": settings.webresources,
    }
    if source not in folders:
        raise ValueError(f"site.json: unknown source {source!r}")
    return folders[source]


def _open(settings: Settings, route: Route, rest: list[str]) -> Body | None:
    if route.source == "bundle":
        bundle = get_bundle()
        return data_body(bundle.data, "application/zip", SITE.cache(route), bundle.etag, route.cors)
    if route.source == "config":
        return _file_body(open_file(settings.config), route)
    if route.source == "snapshot":
        snap = current_snapshot(settings.pyodide)
        opened = open_file(snap.path)
        if opened is not None and not snapshot_verified(snap, opened.stat):
            opened.close()  # refused: the page boots without it (snapshot.py: integrity)
            opened = None
        body = _file_body(opened, route)
        return None if body is None else replace(body, etag=f'"{snap.key}"')
    if route.source == "snapshotRecord":
        # The digest record the page checks the snapshot against (shim/snapshot.js), served
        # only beside a snapshot that is served.
        snap = current_snapshot(settings.pyodide)
        if snap.exists:
            return _file_body(open_file(snap.sidecar), route)
        return None
    if route.source == "root":
        refresh(settings.root)  # a checkout: shim.js rebuilt when shim/ changed
    return _file_body(open_below(_folder(settings, route.source), rest), route)


def find(raw_path: str) -> tuple[Route, list[str]] | None:
    """The route of a request path and the file's segments below its source; None: 404."""
    segments = clean_segments(raw_path)
    if segments is None:
        return None
    try:
        return SITE.match(segments)
    except LookupError:
        return None


def resolve(settings: Settings, raw_path: str) -> Body | int | None:
    """Map a request path to a body (the caller closes it), a bare status code (204 for an
    absent favicon), or None (404). The framing route is not resolved here."""
    found = find(raw_path)
    if found is None or found[0].source == FRAMING:
        return None
    route, rest = found
    body = _open(settings, route, rest)
    if body is None and route.missing != 404:
        return route.missing
    return body
