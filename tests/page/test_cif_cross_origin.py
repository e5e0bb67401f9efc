"""A channel provider on another origin than the workspace (its own server, loading the library
from the workspace's origin with ``data-crmurl``): every member goes through the library's
postMessage protocol and answers as on the same-origin path; the workspace refuses senders that
are not configured providers."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest

pytestmark = pytest.mark.skipif(
    bool(os.environ.get("PY_APM_PAGE_FAKE")), reason="the CIF needs the real shim"
)

PROVIDER = "xo_phone"
FRAME = f'[data-testid="provider-frame"][data-provider="{PROVIDER}"]'
UNKNOWN_DOMAIN = (
    "Sender domain is not a recognised or is invalid and hence the message cant be processed"
)
NO_PROVIDER = "Associated Provider record not found"

# The provider's page: the library from the workspace's origin, as real providers load it; it
# notes CIFInitDone and keeps what its handlers receive.
PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>xo</title>
<script src="{org}webresources/Widget/msdyn_ciLibrary.js" data-crmurl="{origin}"
        data-cifid="CIFMainLibrary"></script></head>
<body><script>
  window.initDetail = null;
  window.seen = [];
  window.addEventListener("CIFInitDone", (e) => {{ window.initDetail = e.detail; }});
</script></body></html>"""


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


@pytest.fixture(scope="module")
def provider_site(static_server: Callable[..., str], page_server: str) -> str:
    """A second server (another origin) serving the provider page."""
    html = PAGE.format(org=page_server, origin=_origin(page_server)).encode()
    return static_server(lambda path: html if path == "/provider.html" else None)


@pytest.fixture(scope="module")
def stranger_site(static_server: Callable[..., str], page_server: str) -> str:
    """A third origin that no provider is configured with."""
    html = PAGE.format(org=page_server, origin=_origin(page_server)).encode()
    return static_server(lambda path: html if path == "/provider.html" else None)


@pytest.fixture(scope="module")
def xo_page(browser: Any, page_server: str, provider_site: str) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1366, "height": 800})
    page = context.new_page()
    page.goto(page_server)
    page.wait_for_function("window.PyApm && window.PyApm.isReady", timeout=60_000)
    config = {
        "cifPanelOnHome": "docked",
        "channelProviders": [
            {"name": PROVIDER, "label": "XO phone", "url": f"{provider_site}provider.html"}
        ],
        "tabTemplates": [
            {
                "uniqueName": "xo_list",
                "name": "Contacts",
                "title": "Contacts",
                "pageType": "entitylist",
                "parameters": {"entityName": "contact"},
            }
        ],
        "sessionTemplates": [
            {
                "uniqueName": "xo_call",
                "name": "Call",
                "type": "generic",
                "title": "Call",
                "anchorTab": "xo_list",
            }
        ],
        "notificationTemplates": [
            {"uniqueName": "xo_ring", "name": "Ring", "title": "Call from {number}", "timeout": 0}
        ],
    }
    page.evaluate("(c) => PyApm.configure(c)", config)
    yield page
    context.close()


@pytest.fixture
def ws(xo_page: Any) -> Any:
    """Home only, the provider frame reloaded and its library initialised."""
    page = xo_page
    page.evaluate("() => { PyApm.reset(); PyApmWorkspace.render(); }")
    frame = phone(page)
    frame.wait_for_function("window.initDetail !== undefined")  # the first load is parsed
    frame.evaluate("() => { window.initDetail = null; setTimeout(() => location.reload(), 0); }")
    frame.wait_for_function("window.initDetail !== null && window.initDetail !== undefined")
    return page


def phone(page: Any) -> Any:
    return page.wait_for_selector(FRAME, state="attached").content_frame()


def test_the_frame_is_cross_origin_and_the_face_is_complete(ws: Any, page_server: str) -> None:
    frame = phone(ws)
    assert frame.evaluate("() => { try { return !!top.PyApm; } catch (e) { return e.name; } }") == (
        "SecurityError"
    )
    assert frame.evaluate("window.initDetail") == [_origin(page_server)]
    keys = "() => Object.keys(Microsoft.CIFramework).sort()"
    assert frame.evaluate(keys) == ws.evaluate(keys)


def test_sessions_cross_origin(ws: Any) -> None:
    frame = phone(ws)
    got = frame.evaluate(
        """async () => {
            const cif = Microsoft.CIFramework;
            const id = await cif.createSession({templateName: "xo_call", context: {n: 1}}, "c-1");
            const focused = await cif.getFocusedSession();
            const s = await cif.getSession(id);
            return {id, focused, all: await cif.getAllSessions(),
                    map: s instanceof Map, conv: s.get("conversationId"), isFocused: s.isFocused,
                    context: s.context, tabs: await cif.getTabs()};
        }"""
    )
    assert got["id"] == "session-id-1" and got["focused"] == "session-id-1"
    assert got["all"] == ["session-id-1"]
    assert (got["map"], got["conv"], got["isFocused"], got["context"]) == (
        True,
        "c-1",
        True,
        {"n": 1},
    )
    assert ws.evaluate("PyApm.cif().owners") == {"session-id-1": PROVIDER}
    assert ws.evaluate("PyApm.state().focusedSessionId") == "session-id-1"
    # Another provider's session (the page's own) is not this provider's: null, as same-origin.
    ws.evaluate("() => Microsoft.CIFramework.createSession({templateName: 'xo_call'})")
    assert frame.evaluate("() => Microsoft.CIFramework.getFocusedSession()") is None


def test_errors_are_rebuilt(ws: Any) -> None:
    got = phone(ws).evaluate(
        """async () => {
            try { await Microsoft.CIFramework.getSession("nope"); return "resolved"; }
            catch (e) { return {error: e instanceof Error, message: e.message, code: e.errorCode,
                                name: e.msdyn_name, get: e.get("message"), text: JSON.parse(String(e))}; }
        }"""
    )
    assert got == {
        "error": True,
        "message": "Session with ID:nope does not exist",
        "code": 404,
        "name": "getSession",
        "get": "Session with ID:nope does not exist",
        "text": {"message": "Session with ID:nope does not exist", "msdyn_name": "getSession"},
    }
    same = ws.evaluate(
        """() => Microsoft.CIFramework.getSession("nope").catch((e) => [e.message, e.errorCode])"""
    )
    assert same == [got["message"], got["code"]]
    bad = phone(ws).evaluate(
        """async () => {
            const r = Microsoft.CIFramework.addHandler("onSessionSwitched", "not a function");
            const ok = Microsoft.CIFramework.addHandler("onSessionSwitched", () => {});
            return [r instanceof Promise, await r.catch((e) => [e.message, e.errorCode]), ok];
        }"""
    )
    assert bad == [
        True,
        ["Passing data parameters to addHandler is mandatory.", 400],
        None,
    ]
    clone = phone(ws).evaluate(
        """() => Microsoft.CIFramework.createSession({templateName: "xo_call", f: () => 1})
              .catch((e) => [e.errorCode, e.message])"""
    )
    assert clone[0] == 400 and "structured-clone-safe" in clone[1]
    assert ws.evaluate("PyApm.state().sessions.length") == 1


def test_notify_event_answered_in_the_workspace(ws: Any) -> None:
    frame = phone(ws)
    frame.evaluate(
        """() => { window.answer = Microsoft.CIFramework.notifyEvent(
                     {templateName: "xo_ring", templateParameters: {number: "+1 555 0100"}}); }"""
    )
    ws.wait_for_function("PyApm.notifications().length === 1")
    note = ws.evaluate("PyApm.notifications()[0]")
    assert (note["provider"], note["title"]) == (PROVIDER, "Call from +1 555 0100")
    ws.evaluate("(id) => PyApm.ui.respondToNotification(id, 'Accept')", note["id"])
    assert frame.evaluate("() => window.answer") == (
        '{"actionName":"Accept","responseReason":"Accept"}'
    )
    assert ws.evaluate("PyApm.notifications()") == []


def test_session_switched_handler_cross_origin(ws: Any) -> None:
    frame = phone(ws)
    frame.evaluate(
        """async () => {
            window.onSwitch = (p) => { window.seen.push(JSON.parse(p)); };
            Microsoft.CIFramework.addHandler("onSessionSwitched", window.onSwitch);
            await Microsoft.CIFramework.createSession({templateName: "xo_call"});
            await Microsoft.CIFramework.createSession({templateName: "xo_call"});
        }"""
    )
    frame.wait_for_function("window.seen.length === 3")
    ws.locator('[data-testid="session"][data-session-id="session-id-1"]').click()
    frame.wait_for_function("window.seen.length === 5")
    seen = [(e["sessionId"], e["focused"]) for e in frame.evaluate("window.seen")]
    assert seen == [
        ("session-id-1", True),
        ("session-id-1", False),
        ("session-id-2", True),
        ("session-id-2", False),
        ("session-id-1", True),
    ]
    frame.evaluate(
        """async () => {
            Microsoft.CIFramework.removeHandler("onSessionSwitched", window.onSwitch);
            await Microsoft.CIFramework.getMode();
        }"""
    )
    ws.locator('[data-testid="session"][data-session-id="session-id-2"]').click()
    ws.wait_for_function("PyApm.state().focusedSessionId === 'session-id-2'")
    frame.evaluate("() => Microsoft.CIFramework.getMode()")  # a round trip after the switch
    assert frame.evaluate("window.seen.length") == 5


def _frame_at(page: Any, url: str) -> Any:
    """An extra frame in the workspace page (not a provider frame) with the provider page."""
    page.evaluate(
        """(url) => new Promise((done) => {
            const f = document.createElement("iframe");
            f.dataset.testid = "stray";
            f.onload = done;
            f.src = url;
            document.body.append(f);
        })""",
        url,
    )
    frame = page.wait_for_selector('[data-testid="stray"]').content_frame()
    frame.wait_for_function("window.initDetail !== null")
    return frame


@pytest.mark.parametrize(
    ("site", "text"), [("stranger_site", UNKNOWN_DOMAIN), ("provider_site", NO_PROVIDER)]
)
def test_senders_that_are_not_providers_are_refused(
    ws: Any, request: pytest.FixtureRequest, site: str, text: str
) -> None:
    frame = _frame_at(ws, request.getfixturevalue(site) + "provider.html")
    try:
        got = frame.evaluate(
            """() => Microsoft.CIFramework.createSession({templateName: "xo_call"})
                  .then(() => "resolved", (e) => [e.message, e.errorCode, e.msdyn_name])"""
        )
        assert got == [text, 403, "createSession"]
        assert ws.evaluate("PyApm.state().sessions.length") == 1
    finally:
        ws.evaluate("() => document.querySelector('[data-testid=stray]').remove()")
