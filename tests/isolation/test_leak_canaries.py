"""Leak canaries for ``apm_page``: every test first asserts that nothing of any kind of state an
earlier test may have left is observable, then leaves its own kind behind. Run shuffled
(conftest.py), one test per kind: whichever test comes next on the same worker is the one that
must not see it, and a last test looks for what the last kind left."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from py_apm.host.headless import wait_ready

CANARIES = json.loads(
    (Path(__file__).parents[2] / "npm/tests/tests/leak-canaries.json").read_text("utf-8")
)

#: What the Python listeners a test left behind heard (one list per worker process).
HEARD: list[str] = []


def _in_page(body: str) -> Callable[[Any], None]:
    def leave(page: Any) -> None:
        page.evaluate(f"async () => {{ {body} }}")

    return leave


def _reload(page: Any) -> None:
    page.reload()
    wait_ready(page)


def _init_script(page: Any) -> None:
    page.add_init_script("window.__leakInit = 1")
    _reload(page)


def _context_init_script(page: Any) -> None:
    page.context.add_init_script("window.__leakContextInit = 1")
    _reload(page)


def _page_route(page: Any) -> None:
    page.route("**/leak-page-route", lambda route: route.fulfill(status=200, body="leak"))


def _context_route(page: Any) -> None:
    page.context.route("**/leak-context-route", lambda route: route.fulfill(status=200, body="x"))


def _permissions(page: Any) -> None:
    page.context.grant_permissions(["geolocation"])
    page.context.set_geolocation({"latitude": 47.6, "longitude": -122.3})


def _extra_page(page: Any) -> None:
    page.context.new_page()


def _dialog(page: Any) -> None:
    page.on("dialog", lambda dialog: dialog.accept())


def _console_listener(page: Any) -> None:
    page.on("console", lambda msg: HEARD.append(msg.text))
    page.on("pageerror", lambda err: HEARD.append(str(err)))


def _crash(page: Any) -> None:
    try:
        page.goto("chrome://crash", timeout=10_000)
    except Exception:  # noqa: BLE001 - the navigation dies with the renderer
        pass


LEAVE: dict[str, Callable[[Any], None]] = {
    **{kind: _in_page(body) for kind, body in CANARIES["set"].items()},
    "init_script": _init_script,
    "context_init_script": _context_init_script,
    "page_route": _page_route,
    "context_route": _context_route,
    "permissions": _permissions,
    "extra_page": _extra_page,
    "dialog": _dialog,
    "console_listener": _console_listener,
    "crash": _crash,
}


def _leftovers(page: Any, console: list[Any]) -> list[str]:
    found: list[str] = page.evaluate(CANARIES["probe"])
    found += sorted({e.text for e in console if e.text.startswith("leak:")})
    if len(page.context.pages) != 1:
        found.append(f"popup or extra page ({len(page.context.pages)} pages)")
    if page.evaluate("confirm('leak?')"):  # no dialog handler: Playwright dismisses it
        found.append("dialog handler")
    HEARD.clear()
    page.evaluate("console.log('anyone there?')")
    page.evaluate("0")  # the console event has reached Python
    if HEARD:
        found.append("console listener")
    return found


@pytest.mark.parametrize("kind", sorted(LEAVE))
def test_nothing_left_then_leave(apm_page: Any, apm_console: list[Any], kind: str):
    found = _leftovers(apm_page, apm_console)
    LEAVE[kind](apm_page)  # even after a leak: one failure does not hide the kinds after it
    assert found == [], f"left by earlier tests on this worker: {found}"


def test_shared_page_keeps_what_a_test_left(apm_shared_page: Any):
    """The opt-in trade: only the workspace is reset on ``apm_shared_page``."""
    apm_shared_page.evaluate("window.__sharedLeft = (window.__sharedLeft || 0) + 1")
    apm_shared_page.evaluate(CANARIES["set"]["model"])
    assert apm_shared_page.evaluate("PyApm.state().sessions.length") == 2


def test_nothing_left_by_the_last_one(apm_page: Any, apm_console: list[Any]):
    """Kept last (conftest.py): the kind the last shuffled test left is looked for too."""
    assert _leftovers(apm_page, apm_console) == []
