"""DOM tests of the workspace page (web/): rendering, clicks, notices, iframes, screenshots."""

from __future__ import annotations

import json
import re
from typing import Any

from playwright.sync_api import expect

PANEL = '[data-testid="session-list"]'
STRIP = '[data-testid="tab-strip"]'
SESSIONS = f'{PANEL} [data-testid="session"]'
TABS = f'{STRIP} [data-testid="tab"]'
CASE_TEMPLATE = "case_entity_session_default_template"
MAX_SESSIONS = "Maximum sessions reached. Close a session before opening another."


def create_case(
    page: Any, entity_id: str = "11bb11bb-cc22-dd33-ee44-55ff55ff55ff", **extra: Any
) -> str:
    """Create a case session through the API; return its id."""
    params = json.dumps([["entityName", "incident"], ["entityId", entity_id]])
    arg = {"templateName": "case_entity_session_default_template", "params": params, **extra}
    return page.evaluate(
        """(a) => {
            const ctx = new Map([["parametersStr", a.params]]);
            const input = {templateName: a.templateName, sessionContext: ctx};
            if (a.isFocused !== undefined) input.isFocused = a.isFocused;
            return Microsoft.Apm.createSession(input);
        }""",
        arg,
    )


def create_record_tab(
    page: Any, entity: str = "account", entity_id: str = "22cc22cc-dd33-ee44-ff55-66aa66aa66aa"
) -> str:
    """Open an entity record tab in the focused session; return its id."""
    return page.evaluate(
        """([e, id]) => Microsoft.Apm.createTab({templateName: "msdyn_entityrecord",
            appContext: new Map([["entityName", e], ["entityId", id]]), isFocused: true})""",
        [entity, entity_id],
    )


def session_ids(page: Any) -> list[str]:
    """Session ids in panel order."""
    return page.eval_on_selector_all(SESSIONS, "els => els.map(e => e.dataset.sessionId)")


def tab_ids(page: Any) -> list[str]:
    """Tab ids in strip order."""
    return page.eval_on_selector_all(TABS, "els => els.map(e => e.dataset.tabId)")


def session_item(page: Any, sid: str) -> Any:
    """Locator of one session in the panel."""
    return page.locator(f'{PANEL} [data-session-id="{sid}"]')


def tab_item(page: Any, tid: str) -> Any:
    """Locator of one tab in the strip."""
    return page.locator(f'{STRIP} [data-tab-id="{tid}"]')


# ------------------------------------------------------------------ Home and chrome


def test_home_only(ws: Any, screenshot: Any) -> None:
    """A fresh workspace shows the top bar, Home focused without close button, its dashboard."""
    expect(ws.get_by_test_id("top-bar")).to_contain_text("Customer Service workspace")
    expect(ws.get_by_test_id("emulator-badge")).to_have_text("py-apm emulator")
    expect(ws.get_by_test_id("loading")).to_be_hidden()
    assert session_ids(ws) == ["session-id-0"]
    home = session_item(ws, "session-id-0")
    expect(home).to_have_class(re.compile(r"\bis-focused\b"))
    expect(home.get_by_test_id("session-title")).to_have_text("Home")
    expect(home.get_by_test_id("close-session")).to_have_count(0)
    expect(home.get_by_test_id("notification-indicator")).to_have_count(0)
    assert tab_ids(ws) == ["tab-id-0"]
    expect(tab_item(ws, "tab-id-0")).to_have_class(re.compile(r"\bis-focused\b"))
    expect(tab_item(ws, "tab-id-0").get_by_test_id("close-tab")).to_have_count(0)
    pane = ws.locator('[data-testid="tab-pane"][data-tab-id="tab-id-0"]')
    expect(pane).to_be_visible()
    expect(pane.get_by_test_id("page-type")).to_have_text("Dashboard")
    expect(ws.get_by_test_id("notice-bar")).to_be_hidden()
    screenshot(ws, "home-only")


# ------------------------------------------------------------------ session panel


def test_sessions_in_order_with_focus_and_close_buttons(ws: Any) -> None:
    """Sessions appear after Home in creation order; the newest focused one is highlighted."""
    s1 = create_case(ws, "11111111-0000-0000-0000-000000000001")
    s2 = create_case(ws, "11111111-0000-0000-0000-000000000002")
    s3 = create_case(ws, "11111111-0000-0000-0000-000000000003", isFocused=False)
    expect(ws.locator(SESSIONS)).to_have_count(4)
    assert session_ids(ws) == ["session-id-0", s1, s2, s3]
    expect(ws.locator(f"{PANEL} .is-focused")).to_have_count(1)
    expect(session_item(ws, s2)).to_have_class(re.compile(r"\bis-focused\b"))
    expect(session_item(ws, s2)).to_have_attribute("aria-selected", "true")
    for sid in (s1, s2, s3):
        expect(session_item(ws, sid).get_by_test_id("close-session")).to_have_count(1)
    expect(session_item(ws, "session-id-0").get_by_test_id("close-session")).to_have_count(0)
    state = ws.evaluate("PyApm.state()")
    titles = [s["title"] for s in state["sessions"]]
    shown = ws.eval_on_selector_all(
        f"{SESSIONS} [data-testid=session-title]", "els => els.map(e => e.textContent)"
    )
    assert shown == titles


def test_click_session_focuses_it_and_fires_events(ws: Any) -> None:
    """A click on a session focuses it through the model, and the switch events fire."""
    s1 = create_case(ws)
    ws.evaluate(
        """() => {
            window.__events = [];
            for (const name of ["ON_SESSION_SWITCH", "ON_TAB_SWITCH"]) {
                const ch = new BroadcastChannel(Microsoft.Apm.getEventPublisherTopic(name));
                ch.onmessage = (ev) => window.__events.push([name, ev.data]);
                (window.__channels = window.__channels || []).push(ch);
            }
        }"""
    )
    session_item(ws, "session-id-0").click()
    expect(session_item(ws, "session-id-0")).to_have_class(re.compile(r"\bis-focused\b"))
    expect(session_item(ws, s1)).not_to_have_class(re.compile(r"\bis-focused\b"))
    assert ws.evaluate("Microsoft.Apm.getFocusedSession().sessionId") == "session-id-0"
    assert tab_ids(ws) == ["tab-id-0"]
    ws.wait_for_function("window.__events.length >= 2")
    events = dict(ws.evaluate("window.__events"))
    assert events["ON_SESSION_SWITCH"] == {"previousSessionId": s1, "newSessionId": "session-id-0"}
    assert events["ON_TAB_SWITCH"]["sessionId"] == "session-id-0"
    ws.evaluate("for (const ch of window.__channels) ch.close(); window.__channels = [];")


def test_click_close_session(ws: Any) -> None:
    """The X closes the session; focus goes back to the previously focused one."""
    s1 = create_case(ws)
    s2 = create_case(ws, "22222222-0000-0000-0000-000000000000")
    session_item(ws, s2).get_by_test_id("close-session").click()
    expect(session_item(ws, s2)).to_have_count(0)
    expect(session_item(ws, s1)).to_have_class(re.compile(r"\bis-focused\b"))
    assert ws.evaluate("Microsoft.Apm.getAllSessions()") == ["session-id-0", s1]


def test_can_close_false_hides_close_button(ws: Any) -> None:
    """``session.canClose = false`` hides the X; setting it back shows it."""
    s1 = create_case(ws)
    ws.evaluate("Microsoft.Apm.getFocusedSession().canClose = false")
    expect(session_item(ws, s1).get_by_test_id("close-session")).to_have_count(0)
    ws.evaluate("Microsoft.Apm.getFocusedSession().canClose = true")
    expect(session_item(ws, s1).get_by_test_id("close-session")).to_have_count(1)


def test_notification_indicator(ws: Any) -> None:
    """requestFocus on a background session shows the indicator; focusing it clears it."""
    s1 = create_case(ws)
    s2 = create_case(ws, "22222222-0000-0000-0000-000000000000")
    ws.evaluate("(id) => Microsoft.Apm.getSession(id).requestFocus()", s1)
    indicator = session_item(ws, s1).get_by_test_id("notification-indicator")
    expect(indicator).to_have_count(1)
    expect(session_item(ws, s2).get_by_test_id("notification-indicator")).to_have_count(0)
    expect(session_item(ws, s2)).to_have_class(re.compile(r"\bis-focused\b"))  # focus never moves
    session_item(ws, s1).click()
    expect(indicator).to_have_count(0)


def test_title_is_text_not_html(ws: Any) -> None:
    """Titles with markup are shown verbatim as text and never parsed."""
    evil = '<img src=x onerror="window.__xss=1">'
    s1 = create_case(ws)
    tid = create_record_tab(ws)
    ws.evaluate(
        """(t) => { const s = Microsoft.Apm.getFocusedSession();
                    s.title = t; s.getFocusedTab().title = t; }""",
        evil,
    )
    expect(session_item(ws, s1).get_by_test_id("session-title")).to_have_text(evil)
    expect(tab_item(ws, tid).get_by_test_id("tab-title")).to_have_text(evil)
    expect(
        ws.locator(
            f'[data-testid="tab-pane"][data-tab-id="{tid}"] [data-testid="placeholder-title"]'
        )
    ).to_have_text(evil)
    assert (
        ws.locator("[data-testid=session-area] img, [data-testid=session-panel] img").count() == 0
    )
    assert ws.evaluate("window.__xss") is None


# ------------------------------------------------------------------ tab strip and content


def test_tab_strip_clicks(ws: Any) -> None:
    """Anchor first without X; a click focuses a tab; its X closes it and drops its pane."""
    create_case(ws)
    anchor = tab_ids(ws)[0]
    t1 = create_record_tab(ws, "account")
    t2 = create_record_tab(ws, "contact")
    assert tab_ids(ws) == [anchor, t1, t2]
    expect(tab_item(ws, anchor).get_by_test_id("close-tab")).to_have_count(0)
    expect(tab_item(ws, t1).get_by_test_id("close-tab")).to_have_count(1)
    expect(tab_item(ws, t2)).to_have_class(re.compile(r"\bis-focused\b"))
    tab_item(ws, t1).click()
    expect(tab_item(ws, t1)).to_have_class(re.compile(r"\bis-focused\b"))
    expect(ws.locator(f'[data-testid="tab-pane"][data-tab-id="{t1}"]')).to_be_visible()
    expect(ws.locator(f'[data-testid="tab-pane"][data-tab-id="{t2}"]')).to_be_hidden()
    assert ws.evaluate("Microsoft.Apm.getFocusedSession().getFocusedTab().tabId") == t1
    tab_item(ws, t1).get_by_test_id("close-tab").click()
    expect(tab_item(ws, t1)).to_have_count(0)
    expect(ws.locator(f'[data-testid="tab-pane"][data-tab-id="{t1}"]')).to_have_count(0)
    assert ws.evaluate("Microsoft.Apm.getFocusedSession().getAllTabs()") == [anchor, t2]


def test_placeholder_shows_parameters(ws: Any) -> None:
    """An entity record tab shows its page type and parameters as a key/value list."""
    create_case(ws)
    tid = create_record_tab(ws, "account", "22cc22cc-dd33-ee44-ff55-66aa66aa66aa")
    pane = ws.locator(f'[data-testid="tab-pane"][data-tab-id="{tid}"]')
    expect(pane.get_by_test_id("page-type")).to_have_text("Entity record")
    expect(pane.locator('[data-param="entityName"] dd')).to_have_text("account")
    expect(pane.locator('[data-param="entityId"] dd')).to_have_text(
        "22cc22cc-dd33-ee44-ff55-66aa66aa66aa"
    )


def test_notice_bar_at_session_limit(ws: Any, screenshot: Any) -> None:
    """Past the limit the documented message shows; dismiss hides it; it also hides by itself."""
    for i in range(9):
        create_case(ws, f"00000000-0000-0000-0000-00000000000{i}")
    expect(ws.locator(SESSIONS)).to_have_count(10)
    expect(ws.get_by_test_id("notice-bar")).to_be_hidden()
    err = ws.evaluate(
        """async () => {
            try { await Microsoft.Apm.createSession({templateName: TEMPLATE}); }
            catch (e) { return [e.message, e.errorCode]; }
        }""".replace("TEMPLATE", json.dumps(CASE_TEMPLATE))
    )
    assert err == [MAX_SESSIONS, 409]
    bar = ws.get_by_test_id("notice-bar")
    expect(bar).to_be_visible()
    expect(bar.get_by_test_id("notice")).to_have_text([MAX_SESSIONS])
    expect(ws.locator(SESSIONS)).to_have_count(10)
    screenshot(ws, "session-limit-notice")
    bar.get_by_test_id("notice-dismiss").click()
    expect(bar).to_be_hidden()
    ws.evaluate("PyApmWorkspace.noticeTimeoutMs = 300")
    ws.evaluate(
        """() => Microsoft.Apm.createSession({templateName: TEMPLATE}).catch(() => {})""".replace(
            "TEMPLATE", json.dumps(CASE_TEMPLATE)
        )
    )
    expect(bar).to_be_visible()
    expect(bar).to_be_hidden(timeout=3000)


def test_click_error_shows_in_notice_bar(ws: Any) -> None:
    """A click the model refuses with an error (stale id) is reported, not thrown away."""
    ws.evaluate("PyApmWorkspace.noticeTimeoutMs = 0")
    ws.evaluate("PyApm.ui.focusSession('session-id-0')")  # harmless: already focused
    # Simulate a stale item: a session id the model does not know.
    ws.evaluate(
        """() => {
            const el = document.querySelector('[data-session-id="session-id-0"]').cloneNode(true);
            el.dataset.sessionId = 'session-id-99'; el.dataset.key = 'stale';
            document.querySelector('[data-testid=session-list]').append(el);
            el.click();
        }"""
    )
    bar = ws.get_by_test_id("notice-bar")
    expect(bar).to_be_visible()
    expect(bar).to_have_attribute("data-kind", "error")
    expect(bar).to_contain_text("session-id-99")


def test_reset_rebuilds_from_scratch(ws: Any) -> None:
    """``PyApm.reset()`` leaves Home only and removes every pane of closed tabs."""
    create_case(ws)
    create_record_tab(ws)
    ws.evaluate("PyApm.reset()")
    expect(ws.locator(SESSIONS)).to_have_count(1)
    expect(ws.locator('[data-testid="tab-pane"]')).to_have_count(1)
    expect(ws.locator(TABS)).to_have_count(1)


# ------------------------------------------------------------------ iframes


def open_hello(page: Any) -> str:
    """Open the sample web resource as a focused tab of the focused session."""
    return page.evaluate("Microsoft.Apm.createTab({templateName: 'pyapm_hello', isFocused: true})")


def hello_frame(page: Any, tid: str) -> Any:
    """The frame of a web resource tab, once loaded."""
    frame_el = page.locator(f'[data-testid="tab-frame"][data-tab-id="{tid}"]')
    expect(frame_el).to_have_count(1)
    frame = frame_el.element_handle().content_frame()
    assert frame is not None
    frame.wait_for_selector('[data-testid="wr-session"]:not(:empty)')
    return frame


def test_webresource_iframe_same_origin_and_kept_alive(ws: Any) -> None:
    """A web resource tab is a same-origin, unsandboxed iframe that survives tab switches."""
    create_case(ws)
    tid = open_hello(ws)
    frame_el = ws.locator(f'[data-testid="tab-frame"][data-tab-id="{tid}"]')
    expect(frame_el).to_have_attribute("src", re.compile(r"webresources/sample_hello\.html"))
    assert frame_el.get_attribute("sandbox") is None
    frame = hello_frame(ws, tid)
    frame.evaluate("window.__marker = 42")
    anchor = tab_ids(ws)[0]
    tab_item(ws, anchor).click()
    expect(frame_el).to_be_hidden()
    tab_item(ws, tid).click()
    expect(frame_el).to_be_visible()
    assert frame.evaluate("window.__marker") == 42
    session_item(ws, "session-id-0").click()  # another session: still alive, hidden
    expect(frame_el).to_be_hidden()
    assert frame.evaluate("window.__marker") == 42


def test_refresh_reloads_iframe(ws: Any) -> None:
    """``refreshTab`` reloads only that tab's iframe."""
    create_case(ws)
    tid = open_hello(ws)
    frame = hello_frame(ws, tid)
    frame.evaluate("window.__marker = 1")
    ws.evaluate("(id) => Microsoft.Apm.refreshTab(id)", tid)
    ws.wait_for_function(
        """(id) => {
            const f = document.querySelector(`[data-testid=tab-frame][data-tab-id='${id}']`);
            return f && f.contentWindow && f.contentWindow.__marker === undefined
                && f.contentDocument.readyState === 'complete';
        }""",
        arg=tid,
    )
    assert ws.evaluate("(id) => Microsoft.Apm.getFocusedSession().getTab(id) !== null", tid)


def test_closed_tab_iframe_removed(ws: Any) -> None:
    """Closing a web resource tab removes its iframe."""
    create_case(ws)
    tid = open_hello(ws)
    expect(ws.locator(f'[data-testid="tab-frame"][data-tab-id="{tid}"]')).to_have_count(1)
    ws.evaluate("(id) => Microsoft.Apm.closeTab(id)", tid)
    expect(ws.locator(f'[data-testid="tab-frame"][data-tab-id="{tid}"]')).to_have_count(0)


def test_third_party_website_is_sandboxed(ws: Any) -> None:
    """A third-party website tab is an iframe sandboxed without allow-same-origin."""
    ws.route(
        re.compile(r"^https://www\.bing\.com/.*"),
        lambda route: route.fulfill(
            status=200, content_type="text/html", body="<h1>Bing (stub)</h1>"
        ),
    )
    try:
        create_case(ws)
        tid = ws.evaluate("Microsoft.Apm.createTab({templateName: 'pyapm_site', isFocused: true})")
        frame_el = ws.locator(f'[data-testid="tab-frame"][data-tab-id="{tid}"]')
        expect(frame_el).to_have_attribute("sandbox", "allow-scripts allow-forms")
        expect(frame_el).to_have_attribute("src", re.compile(r"^https://www\.bing\.com/search\?q="))
        frame = frame_el.element_handle().content_frame()
        assert frame is not None
        frame.wait_for_selector("h1")
        reach_parent = """() => {
            try { return window.parent.document.title; } catch (e) { return 'blocked'; }
        }"""
        assert frame.evaluate(reach_parent) == "blocked"
    finally:
        ws.unroute(re.compile(r"^https://www\.bing\.com/.*"))


def test_webresource_calls_parent_apm(ws: Any, screenshot: Any) -> None:
    """A web resource inside a tab creates a tab through ``window.parent.Microsoft.Apm``."""
    s1 = create_case(ws)
    tid = open_hello(ws)
    frame = hello_frame(ws, tid)
    expect(frame.get_by_test_id("wr-session")).to_contain_text(s1)
    before = tab_ids(ws)
    frame.get_by_test_id("wr-open-tab").click()
    expect(ws.locator(TABS)).to_have_count(len(before) + 1)
    new_tab = tab_ids(ws)[-1]
    expect(tab_item(ws, new_tab)).to_have_class(re.compile(r"\bis-focused\b"))
    # Show the web resource again (it kept running) with its log of what it did.
    tab_item(ws, tid).click()
    expect(frame.get_by_test_id("wr-log")).to_contain_text(f"createTab -> {new_tab}")
    expect(frame.get_by_test_id("wr-log")).to_contain_text("ON_TAB_SWITCH")
    screenshot(ws, "webresource-create-tab")


def test_screenshot_three_sessions(ws: Any, screenshot: Any) -> None:
    """Three sessions with tabs, one needing attention (a screenshot for the README)."""
    s1 = create_case(ws, "11111111-0000-0000-0000-000000000001")
    ws.evaluate("Microsoft.Apm.getFocusedSession().title = 'CAS-01003 Printer jam'")
    create_record_tab(ws, "account", "22cc22cc-dd33-ee44-ff55-66aa66aa66aa")
    s2 = ws.evaluate(
        """Microsoft.Apm.createSession({templateName: "msdyn_chat_session",
            sessionContext: {customerName: "Alex Wu"}})"""
    )
    create_record_tab(ws, "contact", "33dd33dd-ee44-ff55-aa66-77bb77bb77bb")
    create_case(ws, "11111111-0000-0000-0000-000000000003")
    ws.evaluate("Microsoft.Apm.getFocusedSession().title = 'CAS-01007 Refund request'")
    create_record_tab(ws, "account", "44ee44ee-ff55-aa66-bb77-88cc88cc88cc")
    create_record_tab(ws, "contact", "55ff55ff-aa66-bb77-cc88-99dd99dd99dd")
    ws.evaluate("(id) => Microsoft.Apm.getSession(id).requestFocus()", s2)
    expect(ws.locator(SESSIONS)).to_have_count(4)
    expect(session_item(ws, s2).get_by_test_id("notification-indicator")).to_have_count(1)
    expect(session_item(ws, s1).get_by_test_id("notification-indicator")).to_have_count(0)
    screenshot(ws, "three-sessions")


def test_missing_web_resource_shows_a_card(ws: Any) -> None:
    """A web resource the server does not have gets a clear card instead of a bare 404."""
    ws.evaluate("Microsoft.Apm.createTab({templateName: 'msdyn_omnichannel_kbsearch'})")
    card = ws.get_by_test_id("webresource-missing")
    expect(card).to_be_visible()
    expect(card).to_contain_text("msdyn_kbsearchpagehost.html")
    expect(card).to_contain_text("404")


def test_batch_of_calls_renders_once(ws: Any) -> None:
    """Calls made in one task are rendered once (a microtask after the batch), not per call."""
    counts = ws.evaluate(
        """async () => {
            const before = PyApmWorkspace.renderCount;
            for (let i = 0; i < 5; i++) {
                Microsoft.Apm.createTab({templateName: "msdyn_entityrecord",
                                        appContext: {entityName: "account"}});
            }
            const during = PyApmWorkspace.renderCount - before;
            await new Promise((r) => setTimeout(r, 0));
            return [during, PyApmWorkspace.renderCount - before];
        }"""
    )
    assert counts == [0, 1]
    expect(ws.locator(TABS)).to_have_count(6)
