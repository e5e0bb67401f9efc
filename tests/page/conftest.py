"""Fixtures for the workspace page tests: a server, one shared page per module, reset per test.

With the real stack (``shim.js`` + ``py_apm.host.server``) the page runs Pyodide; otherwise (or with
``PY_APM_PAGE_FAKE=1``) ``/shim.js`` is served from ``fake_pyapm.js``, a JS stand-in that honours
the ``window.PyApm`` contract, so the page can be developed and tested without Python in the page.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
WEB = REPO / "web"
SAMPLES = WEB / "webresources-sample"
SCREENSHOTS = REPO / "test-results" / "screenshots"
CONFIG = HERE / "page_config.json"

#: Tab templates of page_config.json: ``pyapm_hello`` (the sample web resource) and
#: ``pyapm_site`` (a third-party website, answered by a route in the tests).
_TEMPLATES = json.loads(CONFIG.read_text("utf-8"))["tabTemplates"]
HELLO_TEMPLATE, SITE_TEMPLATE = _TEMPLATES
BING_FRAMING = re.compile(r".*/pyapm/framing\?url=https%3A%2F%2Fwww\.bing\.com.*")


def use_fake() -> bool:
    """True when the page tests run against ``fake_pyapm.js`` instead of the real shim."""
    if os.environ.get("PY_APM_PAGE_FAKE"):
        return True
    if not (REPO / "shim.js").is_file():
        return True
    try:
        import py_apm.host.server  # noqa: F401
    except ImportError:
        return True
    return False


def _inside(root: Path, rel: str) -> Path | None:
    candidate = (root / rel).resolve()
    return candidate if candidate.is_relative_to(root.resolve()) else None


def _fake_files(path: str) -> Path | None:
    """Static files of ``web/``; ``/shim.js`` = the fake; ``/webresources/*`` = the samples."""
    if path == "/":
        return WEB / "index.html"
    if path == "/config.json":
        return CONFIG
    if path == "/shim.js":
        return HERE / "fake_pyapm.js"
    if path.startswith("/webresources/"):
        return _inside(SAMPLES, path[len("/webresources/") :])
    return _inside(WEB, path.lstrip("/"))


@pytest.fixture(scope="session")
def page_server(static_server: Callable[..., str]) -> Iterator[str]:
    """Base URL of a server for the page (real ``py_apm.host.server`` or the fake one)."""
    if use_fake():
        yield static_server(_fake_files)
        return
    from py_apm.host.server import serve

    server, url = serve("127.0.0.1", port=0, webresources=SAMPLES, config=CONFIG)
    try:
        yield url
    finally:
        server.stop()


@pytest.fixture(scope="module")
def shared_page(browser: Any, page_server: str) -> Iterator[Any]:
    """One page per module at ``/`` with PyApm ready and the workspace rendered."""
    context = browser.new_context(viewport={"width": 1366, "height": 800})
    page = context.new_page()
    # Tests answer the Bing template's site with routes: its framing check too (no network).
    page.route(BING_FRAMING, lambda route: route.fulfill(json={"refused": False, "reason": None}))
    page.goto(page_server)
    page.wait_for_function("window.PyApm && window.PyApm.isReady", timeout=60_000)
    page.wait_for_selector('[data-testid="workspace"][data-status="ready"]')
    if use_fake():  # the real page loads the same templates from /config.json (data-config)
        page.evaluate("(t) => PyApm.configure({tabTemplates: t})", [HELLO_TEMPLATE, SITE_TEMPLATE])
    yield page
    context.close()


@pytest.fixture
def ws(shared_page: Any) -> Any:
    """The shared page, reset to Home only, with no notice showing."""
    page = shared_page
    page.evaluate(
        """() => {
            PyApm.reset();
            PyApmWorkspace.hideNotices();
            PyApmWorkspace.noticeTimeoutMs = 6000;
            PyApmWorkspace.render();
        }"""
    )
    page.wait_for_function(
        "document.querySelectorAll('[data-testid=session-list] [data-testid=session]').length === 1"
    )
    return page


def _screenshot(page: Any, name: str) -> Path:
    """Save a PNG of the page under ``test-results/screenshots/`` (not committed)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.mouse.move(1300, 780)  # no hover effect in the picture
    page.wait_for_timeout(250)  # let CSS transitions settle
    page.screenshot(path=str(path))
    return path


@pytest.fixture
def screenshot() -> Any:
    """``screenshot(page, name)`` saves ``test-results/screenshots/<name>.png``."""
    return _screenshot
