"""The page before Python is ready: the loading state and the error box (shim.js stubbed)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

NEVER_READY = "window.PyApm = { ready: new Promise(() => {}), isReady: false };"
BOOT_FAILS = (
    "window.PyApm = { isReady: false,"
    " ready: Promise.reject(new Error('cannot load Pyodide from /pyodide/: <b>HTTP 404</b>')) };"
)


@pytest.fixture(scope="module")
def boot_page(browser: Any, page_server: str) -> Iterator[Any]:
    """One page for this module; each test stubs /shim.js and reloads it (no Pyodide)."""
    context = browser.new_context(viewport={"width": 1366, "height": 800})
    page = context.new_page()
    yield page
    context.close()


def open_with_shim(page: Any, url: str, body: str) -> None:
    """Load the workspace page with ``/shim.js`` answered by ``body``."""
    page.unroute("**/shim.js")
    page.route(
        "**/shim.js",
        lambda route: route.fulfill(status=200, content_type="text/javascript", body=body),
    )
    page.goto(url)


def test_loading_state(boot_page: Any, page_server: str, screenshot: Any) -> None:
    """While PyApm.ready is pending the page says it is starting Python."""
    open_with_shim(boot_page, page_server, NEVER_READY)
    expect(boot_page.get_by_test_id("loading")).to_be_visible()
    expect(boot_page.get_by_test_id("loading")).to_contain_text("Starting Python…")
    expect(boot_page.get_by_test_id("workspace")).to_have_attribute("data-status", "loading")
    expect(boot_page.get_by_test_id("boot-error")).to_be_hidden()
    screenshot(boot_page, "loading")


def test_boot_error_box(boot_page: Any, page_server: str, screenshot: Any) -> None:
    """A rejected PyApm.ready shows its message (as text) in an error box."""
    open_with_shim(boot_page, page_server, BOOT_FAILS)
    box = boot_page.get_by_test_id("boot-error")
    expect(box).to_be_visible()
    expect(boot_page.get_by_test_id("boot-error-message")).to_have_text(
        "cannot load Pyodide from /pyodide/: <b>HTTP 404</b>"
    )
    expect(boot_page.get_by_test_id("loading")).to_be_hidden()
    expect(boot_page.get_by_test_id("workspace")).to_have_attribute("data-status", "error")
    screenshot(boot_page, "boot-error")


def test_missing_shim(boot_page: Any, page_server: str) -> None:
    """No window.PyApm at all (shim.js missing) is reported too, not an endless spinner."""
    boot_page.unroute("**/shim.js")
    boot_page.route("**/shim.js", lambda route: route.fulfill(status=404, body="not found"))
    boot_page.goto(page_server)
    expect(boot_page.get_by_test_id("boot-error-message")).to_contain_text(
        "window.PyApm is missing", timeout=10_000
    )
