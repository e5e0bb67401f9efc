"""The workspace as a developer's tool: the timeline panel, warnings with codes through the shim,
frames tagged with their tab, the launcher, and UI defects (tab overflow, unreachable sites,
missing web resources, notices across sessions, a case without its record)."""

from __future__ import annotations

import json
import os
import re
from typing import Any

import pytest
from playwright.sync_api import expect

PANEL = '[data-testid="session-list"]'
STRIP = '[data-testid="tab-strip"]'
TABS = f'{STRIP} [data-testid="tab"]'
CASE = "case_entity_session_default_template"
RECORD_ID = "11bb11bb-cc22-dd33-ee44-55ff55ff55ff"
# The timeline, warnings and the launcher live in the Python model: not in fake_pyapm.js.
pytestmark = pytest.mark.skipif(
    bool(os.environ.get("PY_APM_PAGE_FAKE")), reason="needs the real shim and model"
)


def create_case(page: Any, entity_id: str = RECORD_ID) -> str:
    params = json.dumps([["entityName", "incident"], ["entityId", entity_id]])
    return page.evaluate(
        """([t, p]) => Microsoft.Apm.createSession({templateName: t,
            sessionContext: new Map([["parametersStr", p]])})""",
        [CASE, params],
    )


def open_tab(page: Any, template: str, context: dict[str, str] | None = None) -> str:
    return page.evaluate(
        "([t, c]) => Microsoft.Apm.createTab({templateName: t, appContext: c, isFocused: true})",
        [template, context or {}],
    )


def hello_frame(page: Any, tid: str) -> Any:
    frame_el = page.locator(f'[data-testid="tab-frame"][data-tab-id="{tid}"]')
    expect(frame_el).to_have_attribute("src", re.compile("sample_hello"))
    frame = frame_el.element_handle().content_frame()
    frame.wait_for_selector('[data-testid="wr-session"]:not(:empty)')
    return frame


def last_codes(page: Any) -> list[str]:
    return page.evaluate("PyApm.calls().at(-1).warnings.map((w) => w.code)")


def timeline_rows(page: Any) -> Any:
    return page.locator('[data-testid="timeline-rows"] [data-testid="timeline-row"]')


def open_timeline(page: Any) -> None:
    page.get_by_test_id("timeline-toggle").click()
    expect(page.get_by_test_id("timeline")).to_be_visible()


@pytest.fixture
def dev(ws: Any) -> Any:
    """The shared page, reset, with the timeline and the launcher closed."""
    ws.evaluate("PyApm.reset({records: {}})")  # a record another test added
    ws.evaluate("PyApmWorkspace.timeline.close(); PyApmWorkspace.launcher.close()")
    ws.evaluate("() => { for (const b of document.querySelectorAll('[data-testid=timeline-kind]'))"
                " if (b.getAttribute('aria-pressed') === 'false') b.click();"
                " const s = document.querySelector('[data-testid=timeline-session]');"
                " s.value = ''; s.dispatchEvent(new Event('change')); }")  # fmt: skip
    return ws


# ------------------------------------------------------------------ timeline


def test_timeline_is_hidden_by_default_and_shows_calls_events_focus(dev: Any) -> None:
    expect(dev.get_by_test_id("timeline")).to_be_hidden()
    dev.evaluate("Microsoft.Apm.getEventPublisherTopic('ON_TAB_SWITCH')")
    sid = create_case(dev)
    open_timeline(dev)
    rows = timeline_rows(dev)
    kinds = rows.evaluate_all("els => els.map(e => e.dataset.kind)")
    assert kinds == ["call", "call", "warning", "warning", "event", "event", "event", "focus"]
    expect(rows.nth(1)).to_contain_text(f'createSession({{"templateName":"{CASE}"')
    expect(rows.nth(1)).to_contain_text(f'→ "{sid}"')
    expect(rows.nth(4)).to_contain_text("SESSION_CREATED")
    expect(rows.nth(4)).to_contain_text("handlers only")
    expect(rows.nth(5)).to_have_attribute("data-posted", "false")
    expect(rows.nth(5)).to_contain_text("not posted: no one asked getEventPublisherTopic")
    expect(rows.nth(6)).to_have_attribute("data-posted", "true")
    expect(rows.nth(7)).to_contain_text(f"focus → {sid} / tab-id-1 (was session-id-0 / tab-id-0)")
    assert dev.evaluate("PyApm.timeline().length") == 8
    open_tab(dev, "msdyn_omnichannel_kbsearch")  # the open panel follows new rows
    expect(rows.filter(has_text="createTab(")).to_have_count(1)
    dev.evaluate("PyApm.clearTimeline()")  # cleared from outside the panel
    expect(rows).to_have_count(0)
    open_tab(dev, "msdyn_omnichannel_kbsearch")
    expect(rows.first).to_contain_text("createTab(")
    dev.evaluate("PyApm.reset()")
    expect(rows).to_have_count(0)


def test_timeline_text_is_text(dev: Any) -> None:
    evil = "<img src=x onerror=window.__xss=1>"
    dev.evaluate("(t) => { Microsoft.Apm.getFocusedSession().getFocusedTab().title = t; }", evil)
    open_timeline(dev)
    expect(timeline_rows(dev).last).to_contain_text(evil)
    assert dev.locator('[data-testid="timeline"] img').count() == 0
    assert dev.evaluate("window.__xss") is None


def test_timeline_filters_clear_and_export(dev: Any, tmp_path: Any) -> None:
    s1 = create_case(dev)
    create_case(dev, "22222222-0000-0000-0000-000000000000")
    dev.evaluate("(id) => Microsoft.Apm.getSession(id).focus()", s1)
    open_timeline(dev)
    rows = timeline_rows(dev)
    for kind in ("call", "event", "warning"):  # hide all but focus rows and notices
        dev.locator(f'[data-testid="timeline-kind"][data-kind="{kind}"]').click()
    assert set(rows.evaluate_all("els => els.map(e => e.dataset.kind)")) == {"focus"}
    expect(rows).to_have_count(3)
    dev.get_by_test_id("timeline-session").select_option(s1)
    expect(rows).to_have_count(2)  # focus to s1 at creation, and back to it
    with dev.expect_download() as download:
        dev.get_by_test_id("timeline-export").click()
    path = tmp_path / "timeline.json"
    download.value.save_as(path)
    exported = json.loads(path.read_text("utf-8"))
    assert exported == dev.evaluate("PyApm.timeline()")
    dev.get_by_test_id("timeline-clear").click()
    assert dev.evaluate("PyApm.timeline()") == []
    assert len(dev.evaluate("PyApm.calls()")) > 0  # calls() keeps everything
    expect(rows).to_have_count(0)


def test_screenshot_timeline(dev: Any, screenshot: Any) -> None:
    """The timeline of "my event never fired" (docs/timeline.png): a web resource in a tab asks
    for ON_TAB_SWITCH only, so ON_SESSION_SWITCH is not posted; once its session is in the
    background, its getFocusedSession() is the other session (APM-W002)."""
    dev.evaluate("(r) => PyApm.configure({records: r})",
                 {"incident": {RECORD_ID: {"title": "Printer jam"}}})  # fmt: skip
    create_case(dev)
    tid = open_tab(dev, "pyapm_hello")
    frame = hello_frame(dev, tid)
    dev.evaluate("PyApm.clearTimeline()")
    frame.evaluate("Microsoft.Apm.getEventPublisherTopic('ON_TAB_SWITCH')")
    dev.evaluate("""Microsoft.Apm.createSession({templateName: "msdyn_chat_session",
        sessionContext: {customerName: "Alex Wu", LiveWorkItemId: "9f1c"}})""")
    frame.evaluate("Microsoft.Apm.getFocusedSession().sessionId")
    open_timeline(dev)
    rows = timeline_rows(dev)
    # the call above, and the sample's own ON_TAB_SWITCH listener (through window.parent)
    expect(rows.filter(has_text="APM-W002")).to_have_count(2)
    expect(rows.filter(has_text="ON_SESSION_SWITCH").first).to_contain_text("not posted")
    path = screenshot(dev, "timeline")
    assert path.stat().st_size > 10_000


# ------------------------------------------------------------------ warnings through the shim


def test_warning_codes_through_the_shim_and_once_on_the_console(dev: Any) -> None:
    messages: list[str] = []
    dev.on("console", lambda m: messages.append(m.text) if m.type == "warning" else None)
    open_tab(dev, "msdyn_omnichannel_kbsearch", {"url": "https://x.test"})
    assert last_codes(dev) == ["APM-W001"]
    dev.evaluate("Microsoft.Apm.getFocusedSession().resolveSlug('{nothing}')")
    assert last_codes(dev) == ["APM-W004"]
    for _ in range(2):
        open_tab(dev, "new_nothing")
        assert last_codes(dev) == ["APM-W005"]
    tid = dev.evaluate("Microsoft.Apm.getFocusedSession().getFocusedTab().tabId")
    dev.evaluate("(id) => Microsoft.Apm.closeTab(id)", tid)
    err = dev.evaluate(
        "async (id) => { try { await Microsoft.Apm.focusTab(id) } catch (e) { return e.errorCode } }",
        tid,
    )
    assert err == 404 and last_codes(dev) == ["APM-W003"]
    dev.wait_for_timeout(100)
    unknown = [m for m in messages if "APM-W005" in m]
    assert unknown == [  # the same warning twice: once on the console
        "[py-apm] APM-W005 createTab: unknown tab template 'new_nothing'; opened a generic tab "
        "titled with the template name"
    ]
    assert any(m.startswith("[py-apm] APM-W003 focusTab: ") for m in messages)
    open_timeline(dev)
    codes = timeline_rows(dev).evaluate_all("els => els.map(e => e.dataset.code).filter(Boolean)")
    assert codes == ["APM-W001", "APM-W004", "APM-W005", "APM-W005", "APM-W003"]


def test_frames_are_tagged_and_a_background_frame_is_warned(dev: Any) -> None:
    s1 = create_case(dev)
    tid = open_tab(dev, "pyapm_hello")
    frame = hello_frame(dev, tid)
    assert frame.evaluate("Microsoft.Apm.getFocusedSession().sessionId") == s1
    call = dev.evaluate("PyApm.calls().at(-1)")
    assert (call["method"], call["frame"], call["warnings"]) == ("getFocusedSession", tid, [])
    s2 = create_case(dev, "22222222-0000-0000-0000-000000000000")  # the frame is in the background
    assert frame.evaluate("Microsoft.Apm.getFocusedSession().sessionId") == s2
    call = dev.evaluate("PyApm.calls().at(-1)")
    assert call["frame"] == tid and [w["code"] for w in call["warnings"]] == ["APM-W002"]
    assert f"in session '{s1}', which is not the focused session '{s2}'" in call["warning"]
    created = frame.evaluate(
        "Microsoft.Apm.createTab({templateName: 'msdyn_omnichannel_kbsearch', isFocused: false})"
    )
    assert last_codes(dev) == ["APM-W002"]
    assert dev.evaluate("(id) => PyApm.state().sessions[2].tabs.at(-1).tabId", created) == created
    frame.evaluate("Microsoft.Apm.getFocusedSession().title = 'from the frame'")  # a setter
    assert dev.evaluate("PyApm.calls().at(-1)")["frame"] == tid
    assert dev.evaluate("PyApm.calls().at(-1).method") == "session.title"
    # the page's own calls are not tagged
    dev.evaluate("Microsoft.Apm.getFocusedSession()")
    assert dev.evaluate("PyApm.calls().at(-1).frame") is None
    open_timeline(dev)
    tagged = timeline_rows(dev).filter(
        has=dev.locator('[data-testid="timeline-frame"]', has_text=tid)
    )
    # two getFocusedSession, createTab, and the sample's ON_TAB_SWITCH listener (window.parent)
    expect(tagged.filter(has_text="APM-W002")).to_have_count(4)


# ------------------------------------------------------------------ launcher


def launcher(page: Any) -> Any:
    page.get_by_test_id("launcher-toggle").click()
    dialog = page.get_by_test_id("launcher")
    expect(dialog).to_be_visible()
    return dialog


def test_launcher_opens_a_case_session_and_a_tab(dev: Any) -> None:
    dev.evaluate("(r) => PyApm.configure({records: r})",
                 {"incident": {RECORD_ID: {"title": "Printer jam"}}})  # fmt: skip
    dialog = launcher(dev)
    dialog.get_by_test_id("launcher-session-template").select_option(CASE)
    dialog.get_by_test_id("launcher-session-record").fill(RECORD_ID)
    dialog.get_by_test_id("launcher-open-session").click()
    expect(dialog.get_by_test_id("launcher-message")).to_have_text("Opened session session-id-1")
    session = dev.evaluate("PyApm.state().sessions[1]")
    assert session["title"] == "Printer jam" and session["context"] == {}
    assert session["tabs"][0]["parameters"] == {"entityName": "incident", "entityId": RECORD_ID}
    dialog.get_by_test_id("launcher-tab-template").select_option("msdyn_omnichannel_kbsearch")
    expect(dialog.get_by_test_id("launcher-tab-hint")).to_have_text(
        "Web resource: takes webresourceName, data"
    )
    dialog.get_by_test_id("launcher-tab-context").fill("data = printer\nurl = https://x.test")
    dialog.get_by_test_id("launcher-open-tab").click()
    expect(dialog.get_by_test_id("launcher-message")).to_contain_text("Opened tab tab-id-2")
    calls = dev.evaluate("PyApm.calls().filter((c) => c.origin === 'ui')")
    assert [c["method"] for c in calls] == ["ui.createSession", "ui.createTab"]
    assert [w["code"] for w in calls[1]["warnings"]] == ["APM-W001"]  # url: not for web resources
    assert calls[1]["args"][0]["appContext"] == {"data": "printer", "url": "https://x.test"}
    dev.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    open_timeline(dev)
    expect(timeline_rows(dev).and_(dev.locator('[data-kind="ui"]'))).to_have_count(2)


def test_launcher_incoming_conversation(dev: Any, screenshot: Any) -> None:
    dialog = launcher(dev)
    dialog.get_by_test_id("launcher-incoming").click()
    expect(dialog.get_by_test_id("launcher-session-template")).to_have_value("msdyn_chat_session")
    context = dialog.get_by_test_id("launcher-session-context").input_value()
    assert context.startswith("customerName = Alex Wu\nLiveWorkItemId = ")
    work_item = context.split("LiveWorkItemId = ")[1]
    screenshot(dev, "launcher")
    dialog.get_by_test_id("launcher-open-session").click()
    session = dev.evaluate("PyApm.state().sessions[1]")
    assert session["title"] == "Alex Wu" and session["templateName"] == "msdyn_chat_session"
    assert session["context"] == {"customerName": "Alex Wu", "LiveWorkItemId": work_item}
    assert session["tabs"][0]["parameters"]["entityId"] == work_item
    assert dev.evaluate("PyApm.calls().at(-1).warnings") == []
    expect(dev.locator(f'{PANEL} [data-session-id="session-id-1"]')).to_contain_text("Alex Wu")


def test_launcher_edits_a_record_and_refreshes_the_context(dev: Any) -> None:
    sid = create_case(dev)
    expect(dev.locator(f'{PANEL} [data-session-id="{sid}"]')).to_contain_text("New Case")
    dialog = launcher(dev)
    dialog.get_by_test_id("launcher-record-entity").fill("incident")
    dialog.get_by_test_id("launcher-record-id").fill(RECORD_ID.upper())
    dialog.get_by_test_id("launcher-record-attributes").fill(
        "title = Printer jam\nticketnumber = CAS-1"
    )
    dialog.get_by_test_id("launcher-save-record").click()
    expect(dialog.get_by_test_id("launcher-message")).to_contain_text("Saved incident")
    picked = dialog.get_by_test_id("launcher-record-pick")
    expect(picked.locator("option")).to_have_count(2)
    picked.select_option(f"incident/{RECORD_ID}")
    expect(dialog.get_by_test_id("launcher-record-attributes")).to_have_value(
        "title = Printer jam\nticketnumber = CAS-1"
    )
    slug = "(id) => Microsoft.Apm.getSession(id).resolveSlug('{anchor.ticketnumber}')"
    assert dev.evaluate(slug, sid) == ""  # read when the session started (rule 19b)
    dialog.get_by_test_id("launcher-refresh-session").select_option(sid)
    dialog.get_by_test_id("launcher-refresh").click()
    expect(dialog.get_by_test_id("launcher-message")).to_have_text(
        f"Refreshed the context of {sid}"
    )
    assert dev.evaluate(slug, sid) == "CAS-1"
    methods = dev.evaluate("PyApm.calls().filter((c) => c.origin === 'ui').map((c) => c.method)")
    assert methods == ["ui.setRecord", "ui.refreshContext"]


def test_launcher_error_is_shown_and_changes_nothing(dev: Any) -> None:
    before = dev.evaluate("PyApm.state()")
    dialog = launcher(dev)
    dialog.get_by_test_id("launcher-record-entity").fill("")
    dialog.get_by_test_id("launcher-record-id").fill("")
    dialog.get_by_test_id("launcher-save-record").click()  # no entity, no id
    message = dialog.get_by_test_id("launcher-message")
    expect(message).to_have_attribute("data-kind", "error")
    expect(message).to_have_text("ui.setRecord: entity and id must not be empty")
    assert dev.evaluate("PyApm.state().sessions") == before["sessions"]


# ------------------------------------------------------------------ UI defects


def test_ten_tabs_at_1024_keep_the_focused_tab_visible(dev: Any, screenshot: Any) -> None:
    names = ["Contoso", "Fabrikam", "Northwind", "Adventure Works", "Tailspin", "Litware",
             "Proseware", "Wingtip", "Woodgrove"]  # fmt: skip
    accounts = {f"a-{i}": {"name": name} for i, name in enumerate(names)}
    dev.evaluate("(r) => PyApm.configure({records: r})", {"account": accounts})
    dev.set_viewport_size({"width": 1024, "height": 768})
    try:
        create_case(dev)
        ids = [open_tab(dev, "msdyn_entityrecord", {"entityName": "account", "entityId": f"a-{i}"})
               for i in range(9)]  # fmt: skip
        strip = dev.locator(STRIP).bounding_box()
        last = dev.locator(f'{STRIP} [data-tab-id="{ids[-1]}"]')
        expect(last).to_be_visible()
        box = last.bounding_box()
        assert box["x"] >= strip["x"] and box["x"] + box["width"] <= strip["x"] + strip["width"] + 1
        more = dev.get_by_test_id("tab-overflow")
        expect(more).to_be_visible()
        hidden = dev.locator(f"{TABS}[hidden]").evaluate_all("els => els.map(e => e.dataset.tabId)")
        assert hidden and ids[-1] not in hidden
        expect(more).to_have_text(f"⋯ {len(hidden)} more")
        more.click()
        items = dev.get_by_test_id("overflow-item")
        assert items.evaluate_all("els => els.map(e => e.dataset.tabId)") == hidden
        screenshot(dev, "tab-overflow")
        items.first.click()
        expect(dev.get_by_test_id("overflow-menu")).to_be_hidden()
        focused = dev.evaluate("Microsoft.Apm.getFocusedSession().getFocusedTab().tabId")
        assert focused == hidden[0]
        expect(dev.locator(f'{STRIP} [data-tab-id="{focused}"]')).to_be_visible()
        ui = dev.evaluate("PyApm.calls().filter((c) => c.origin === 'ui').map((c) => c.args)")
        assert ui == [[hidden[0]]]
    finally:
        dev.set_viewport_size({"width": 1366, "height": 800})
    expect(dev.get_by_test_id("tab-overflow")).to_have_text(re.compile(r"⋯ [12] more"))  # wider


def test_unreachable_third_party_site_shows_a_card(dev: Any) -> None:
    pattern = re.compile(r"^https://www\.bing\.com/.*")
    dev.route(pattern, lambda route: route.abort("internetdisconnected"))
    try:
        create_case(dev)
        tid = open_tab(dev, "pyapm_site")
        pane = dev.locator(f'[data-testid="tab-pane"][data-tab-id="{tid}"]')
        card = pane.get_by_test_id("site-unreachable")
        expect(card).to_be_visible()
        expect(card).to_contain_text("This site can't be reached")
        expect(card).to_contain_text("https://www.bing.com/search?q=")
        expect(pane.get_by_test_id("tab-frame")).to_be_hidden()
    finally:
        dev.unroute(pattern)


def test_missing_web_resource_has_no_raw_404_behind_the_card(dev: Any) -> None:
    tid = open_tab(dev, "msdyn_omnichannel_kbsearch")
    pane = dev.locator(f'[data-testid="tab-pane"][data-tab-id="{tid}"]')
    expect(pane.get_by_test_id("webresource-missing")).to_be_visible()
    frame = pane.get_by_test_id("tab-frame")
    expect(frame).to_be_hidden()
    assert frame.get_attribute("src") is None  # the server's "404 Not Found" never loads
    texts = [f.evaluate("document.body ? document.body.innerText : ''") for f in dev.frames[1:]]
    assert not any("404 Not Found" in t for t in texts)


def test_limit_notice_does_not_follow_to_another_session(dev: Any) -> None:
    dev.evaluate("PyApmWorkspace.noticeTimeoutMs = 0")
    sid = create_case(dev)
    for i in range(9):
        open_tab(dev, "msdyn_entityrecord", {"entityName": "account", "entityId": f"b-{i}"})
    code = dev.evaluate("async () => { try { await Microsoft.Apm.createTab({templateName: 'msdyn_entityrecord',"
                        " appContext: {entityName: 'account'}}) } catch (e) { return e.errorCode } }")  # fmt: skip
    assert code == 409
    bar = dev.get_by_test_id("notice-bar")
    expect(bar).to_be_visible()
    dev.locator(f'{PANEL} [data-session-id="session-id-0"]').click()
    expect(bar).to_be_hidden()
    dev.locator(f'{PANEL} [data-session-id="{sid}"]').click()
    expect(bar).to_be_hidden()


def test_notice_of_a_new_session_stays(dev: Any) -> None:
    """A notice raised in the same change as a session switch belongs to the new session."""
    dev.evaluate("PyApmWorkspace.noticeTimeoutMs = 0")
    dev.evaluate(
        """() => { const id = Microsoft.Apm.createSession({templateName: "msdyn_chat_session",
               sessionContext: {customerName: "A", LiveWorkItemId: "w"}});
           for (let i = 0; i < 10; i++) {
             try { Microsoft.Apm.createTab({templateName: "msdyn_omnichannel_kbsearch"}) } catch (e) {}
           } }"""
    )
    expect(dev.get_by_test_id("notice-bar")).to_be_visible()


def test_case_without_record_is_titled_new_case_with_a_hint(dev: Any) -> None:
    sid = create_case(dev)
    item = dev.locator(f'{PANEL} [data-session-id="{sid}"]')
    expect(item.get_by_test_id("session-title")).to_have_text("New Case")
    expect(dev.locator(f'{STRIP} [data-tab-id="tab-id-1"]')).to_have_text("New Case")
    warnings = dev.evaluate("PyApm.calls().at(-1).warnings")
    assert warnings[0]["code"] == "APM-W008"
    assert '"records": {"incident": {"' + RECORD_ID in warnings[0]["message"]


def test_open_query_hosts_a_web_resource_in_a_ready_workspace(shared_page: Any) -> None:
    page = shared_page
    base = page.url.split("?")[0]
    try:
        page.goto(base + "?open=sample_hello.html&data=from-the-url")
        page.wait_for_selector('[data-testid="workspace"][data-status="ready"]')
        tid = page.evaluate("Microsoft.Apm.getFocusedSession().getFocusedTab().tabId")
        frame = hello_frame(page, tid)
        expect(frame.get_by_test_id("wr-data")).to_have_text("from-the-url")
        call = page.evaluate("PyApm.calls().find((c) => c.method === 'ui.openWebResource')")
        assert call["origin"] == "ui" and call["args"] == ["sample_hello.html", "from-the-url"]
    finally:
        page.goto(base)
        page.wait_for_selector('[data-testid="workspace"][data-status="ready"]')


def test_412_message_points_at_serve_open(browser: Any, page_server: str) -> None:
    context = browser.new_context()
    try:
        page = context.new_page()
        html = """<!doctype html><script src="/shim.js" data-snapshot="off"></script><script>
            try { Microsoft.Apm.getFocusedSession(); } catch (e) { window.__e = [e.errorCode, e.message]; }
            </script>"""  # fmt: skip
        page.route(
            "**/at-load.html", lambda route: route.fulfill(content_type="text/html", body=html)
        )
        page.goto(page_server + "at-load.html")
        code, message = page.evaluate("window.__e")
        assert code == 412 and "await PyApm.ready" in message
        assert "py-apm serve --open page.html" in message and "apm_open_webresource" in message
    finally:
        context.close()
