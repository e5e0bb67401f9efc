"""Booting from the memory snapshot in Chromium, and every way back to a normal boot."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

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


def _boot(page: Any, path: str = "/") -> dict[str, Any]:
    page.goto(path)
    page.wait_for_function("window.PyApm && PyApm.isReady", timeout=60_000)
    return page.evaluate("({snap: PyApm.bootedFromSnapshot, phases: PyApm.bootPhases})")


def _serve_page(page: Any, url: str, attrs: str) -> None:
    page.route(
        url, lambda route: route.fulfill(content_type="text/html", body=PAGE.format(attrs=attrs))
    )


def test_workspace_boots_from_the_snapshot(fresh: Any) -> None:
    page, lines = fresh
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url.rsplit("/", 1)[-1]))
    got = _boot(page)
    assert got["snap"] is True
    assert "py_apm.snapshot" in requested
    assert "py_apm.zip" not in requested  # py_apm is already imported in the snapshot
    assert page.evaluate(WORKS) == ["Contoso", 2]
    assert not [line for line in lines if "snapshot" in line]


def test_snapshot_for_another_pyodide_falls_back(fresh: Any) -> None:
    page, lines = fresh

    def wrong_build(route: Any) -> None:
        body = bytearray(route.fetch().body())
        body[16:48] = bytes(32)  # the build id Pyodide checks before restoring
        route.fulfill(status=200, body=bytes(body), content_type="application/octet-stream")

    page.route("**/py_apm.snapshot", wrong_build)
    got = _boot(page)
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
    got = _boot(page)
    assert got["snap"] is False
    assert any("cannot boot from the snapshot" in line for line in lines)
    assert page.evaluate(WORKS) == ["Contoso", 2]


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
    """data-snapshot="off", or a custom data-package (the snapshot may not match it)."""
    page, _ = fresh
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url.rsplit("/", 1)[-1]))
    _serve_page(page, apm_server.url + "custom.html", attrs)
    got = _boot(page, "/custom.html")
    assert got["snap"] is False
    assert "py_apm.snapshot" not in requested and "py_apm.zip" in requested
    assert page.evaluate(WORKS) == ["Contoso", 2]


def test_explicit_snapshot_url(fresh: Any, apm_server: Any) -> None:
    page, _ = fresh
    page.route(
        "**/elsewhere/apm.snap",
        lambda route: route.fulfill(
            status=200, body=route.fetch(url=apm_server.url + "py_apm.snapshot").body()
        ),
    )
    _serve_page(page, apm_server.url + "custom.html", " data-snapshot='/elsewhere/apm.snap'")
    assert _boot(page, "/custom.html")["snap"] is True
    assert page.evaluate(WORKS) == ["Contoso", 2]
