"""Booting from the memory snapshot in Chromium, and every way back to a normal boot.

A boot without the snapshot is a full Pyodide start (about 4x a snapshot boot), so each of the
two ways into it runs to ready once: a snapshot the shim refuses (built for another Pyodide) and
no snapshot (404). The other cases stop at what decides the way: the refusal's warning (after it
the shim runs the same normal boot as the refused case above), or the `py_apm.zip` request the
shim makes at once when it has no snapshot (the missing case's way).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from py_apm.host.server import pyodide_dir, serve
from py_apm.host.snapshot import current as current_snapshot

PAGE = "<!doctype html><meta charset=utf-8><body><script src='/shim.js'{attrs}></script>"
WORKS = (
    "(() => { Microsoft.Apm.createSession({templateName: 'msdyn_chat_session',"
    " sessionContext: {customerName: 'Contoso'}});"
    " return [Microsoft.Apm.getFocusedSession().title, PyApm.state().sessions.length]; })()"
)


@pytest.fixture
def fresh(browser: Any, apm_server: Any) -> Iterator[Any]:
    """A new context (empty cache) on the py-apm server; yields (page, console lines)."""
    context = browser.new_context(base_url=apm_server.url)
    page = context.new_page()
    lines: list[str] = []
    page.on("console", lambda m: lines.append(f"{m.type}: {m.text}"))
    try:
        yield page, lines
    finally:
        context.close()


@dataclass
class Booted:
    """One boot of the workspace page: what it reported, its requests and console lines."""

    page: Any
    got: dict[str, Any]
    requested: list[str]
    lines: list[str]


@pytest.fixture(scope="module")
def workspace_boot(browser: Any, apm_server: Any) -> Iterator[Booted]:
    """The workspace page booted once (from the snapshot) in a new context, and left alone for
    3.5 s: Chromium warns about an unused preload about 3 s after the load."""
    context = browser.new_context(base_url=apm_server.url)
    page = context.new_page()
    lines: list[str] = []
    requested: list[str] = []
    page.on("console", lambda m: lines.append(f"{m.type}: {m.text}"))
    page.on("request", lambda r: requested.append(r.url.rsplit("/", 1)[-1]))
    try:
        got = _boot(page)
        page.wait_for_timeout(3500)
        yield Booted(page, got, list(requested), list(lines))
    finally:
        context.close()


def _boot(page: Any, path: str = "/") -> dict[str, Any]:
    page.goto(path)
    page.wait_for_function("window.PyApm && PyApm.isReady", timeout=60_000)
    return page.evaluate("({snap: PyApm.bootedFromSnapshot, phases: PyApm.bootPhases})")


def _write_snapshot(path: Path, body: bytes) -> None:
    """A snapshot file and the digest record the page checks it against (as a builder writes
    them)."""
    path.write_bytes(body)
    record = {"format": "sparse-1", "size": len(body), "sha256": hashlib.sha256(body).hexdigest()}
    path.with_name(path.name + ".json").write_text(json.dumps(record))


def _serve_page(page: Any, url: str, attrs: str) -> None:
    page.route(
        url, lambda route: route.fulfill(content_type="text/html", body=PAGE.format(attrs=attrs))
    )


def _refused(page: Any, path: str = "/") -> str:
    """Load ``path`` until the shim refuses the snapshot; its one warning."""
    with page.expect_console_message(
        lambda m: "cannot boot from the snapshot" in m.text, timeout=60_000
    ) as message:
        page.goto(path, wait_until="commit")  # not the load event: the boot goes on after it
    assert page.evaluate("PyApm.bootedFromSnapshot") is not True
    return f"{message.value.type}: {message.value.text}"


def _no_snapshot_way(page: Any, path: str = "/") -> None:
    """Load ``path`` until the shim asks for the py_apm package: with no snapshot to boot from it
    asks at once, while the runtime loads; with one it never does."""
    with page.expect_request(lambda r: r.url.endswith("/py_apm.zip"), timeout=60_000):
        page.goto(path, wait_until="commit")
    assert page.evaluate("PyApm.bootedFromSnapshot") is not True


def test_workspace_boots_from_the_snapshot(workspace_boot: Booted) -> None:
    assert workspace_boot.got["snap"] is True
    assert "py_apm.snapshot" in workspace_boot.requested
    # py_apm is already imported in the snapshot
    assert "py_apm.zip" not in workspace_boot.requested
    assert not [line for line in workspace_boot.lines if "snapshot" in line]
    assert workspace_boot.page.evaluate(WORKS) == ["Contoso", 2]


def test_snapshot_for_another_pyodide_falls_back(fresh: Any, tmp_path: Path) -> None:
    """Refused by Pyodide itself, then the whole normal boot, to a working workspace."""
    page, lines = fresh
    snap = current_snapshot(pyodide_dir())
    if not snap.exists:
        pytest.skip("no snapshot built")
    body = bytearray(snap.path.read_bytes())
    image = 24 + 8 * int.from_bytes(body[20:24], "little")  # the memory's first page, in the file
    body[image + 16 : image + 48] = bytes(32)  # the build id Pyodide checks before restoring
    _write_snapshot(tmp_path / "other.snapshot", bytes(body))
    # Served by a server of its own (a 31 MB route through Playwright takes seconds).
    other, url = serve(webresources=tmp_path)
    try:
        _serve_page(page, url + "custom.html", " data-snapshot='/webresources/other.snapshot'")
        got = _boot(page, url + "custom.html")
    finally:
        other.stop()
    assert got["snap"] is False
    warnings = [line for line in lines if "cannot boot from the snapshot" in line]
    assert len(warnings) == 1 and warnings[0].startswith("warning: ")
    assert "build id mismatch" in warnings[0] and "py-apm snapshot" in warnings[0]
    assert page.evaluate(WORKS) == ["Contoso", 2]


def test_damaged_snapshot_falls_back(fresh: Any) -> None:
    page, lines = fresh
    page.route(
        "**/py_apm.snapshot",
        lambda route: route.fulfill(
            status=200, body=b"\0" * 4096, content_type="application/octet-stream"
        ),
    )
    warning = _refused(page)
    assert warning.startswith("warning: ") and "not a py-apm memory snapshot" in warning
    assert "booting without it" in warning
    assert len([line for line in lines if "cannot boot from the snapshot" in line]) == 1


def test_truncated_snapshot_falls_back(fresh: Any) -> None:
    """A whole header but not all the pages it announces: the memory is never used."""
    page, lines = fresh
    snap = current_snapshot(pyodide_dir())
    if not snap.exists:
        pytest.skip("no snapshot built")
    head = snap.path.read_bytes()[: 1 << 20]
    page.route(
        "**/py_apm.snapshot",
        lambda route: route.fulfill(status=200, body=head, content_type="application/octet-stream"),
    )
    warning = _refused(page)
    assert warning.startswith("warning: ") and "the snapshot ended early" in warning
    assert "booting without it" in warning
    assert len([line for line in lines if "cannot boot from the snapshot" in line]) == 1


def test_missing_snapshot_boots_quietly(fresh: Any) -> None:
    page, lines = fresh
    page.route(
        "**/py_apm.snapshot", lambda route: route.fulfill(status=404, body="404 Not Found\n")
    )
    got = _boot(page)
    assert got["snap"] is False
    assert not [line for line in lines if line.startswith("warning") and "snapshot" in line]
    assert page.evaluate(WORKS) == ["Contoso", 2]


@pytest.mark.parametrize("attrs", [" data-snapshot='off'", " data-package='/py_apm.zip'"])
def test_snapshot_not_requested(fresh: Any, apm_server: Any, attrs: str) -> None:
    """data-snapshot="off", or a custom data-package (the snapshot may not match it): the
    missing snapshot's way (its boot to ready is the test above)."""
    page, lines = fresh
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url.rsplit("/", 1)[-1]))
    _serve_page(page, apm_server.url + "custom.html", attrs)
    _no_snapshot_way(page, "/custom.html")
    # The snapshot is asked for before the package or never.
    assert "py_apm.snapshot" not in requested and "py_apm.zip" in requested
    assert not [line for line in lines if "snapshot" in line]


def test_explicit_snapshot_url(fresh: Any, tmp_path: Path) -> None:
    page, _ = fresh
    snap = current_snapshot(pyodide_dir())
    if not snap.exists:
        pytest.skip("no snapshot built")
    _write_snapshot(tmp_path / "apm.snap", snap.path.read_bytes())
    other, url = serve(webresources=tmp_path)  # see test_snapshot_for_another_pyodide_...
    try:
        _serve_page(page, url + "custom.html", " data-snapshot='/webresources/apm.snap'")
        assert _boot(page, url + "custom.html")["snap"] is True
    finally:
        other.stop()
    assert page.evaluate(WORKS) == ["Contoso", 2]


def test_workspace_page_requests_each_boot_file_once(workspace_boot: Booted) -> None:
    """The page's preload hints and the shim's and Pyodide's own requests are one request each
    (a preload that does not match its use is downloaded twice and warned about)."""
    assert workspace_boot.got["snap"] is True
    phases = workspace_boot.got["phases"]
    assert phases["start"] <= min(phases["module"], phases["snapshot"])
    assert max(phases["module"], phases["snapshot"]) <= phases["runtime"] <= phases["ready"]
    boot_files = [
        "shim.js",
        "py_apm.snapshot",
        "py_apm.snapshot.json",
        "pyodide.asm.wasm",
        "pyodide.mjs",
        "pyodide.asm.mjs",
        "python_stdlib.zip",
        "pyodide-lock.json",
    ]
    requested = workspace_boot.requested
    assert {name: requested.count(name) for name in boot_files} == dict.fromkeys(boot_files, 1)
    assert not [line for line in workspace_boot.lines if "preload" in line]
