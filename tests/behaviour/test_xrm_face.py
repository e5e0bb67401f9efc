"""`Xrm.App.sessions`: the same workspace through the Xrm typing (page inputs, ItemCollections,
handler events), from the top page and from a same-origin frame that has its own `Xrm` mock."""

from __future__ import annotations

from typing import Any

import pytest

RECORD = '{pageType: "entityrecord", entityName: "account", entityId: "22cc"}'


def run(page: Any, body: str) -> Any:
    """Run `body` (an async function body) in the page with `X = Xrm.App.sessions`."""
    return page.evaluate(f"async () => {{ const X = Xrm.App.sessions; {body} }}")


def test_sessions_and_tabs_members(js_page: Any) -> None:
    r = run(
        js_page,
        f"""
        const created = X.createSession({{pageInput: {{pageType: "dashboard", dashboardId: "d1"}},
                                          options: {{title: "Board"}}}});
        const sid = await created;
        const s = X.getSession(sid);
        const tid = await s.tabs.createTab({{pageInput: {RECORD}, options: {{title: "Account", isFocused: false}}}});
        const web = await s.tabs.createTab({{pageInput: {{pageType: "webresource", webresourceName: "a.html", data: "x y"}}}});
        const all = X.getAll();
        const tabs = s.tabs.getAll();
        const t = s.tabs.getTab(tid);
        const each = [];
        tabs.forEach((x, i) => each.push([i, x.tabId]));
        return {{
            promise: created instanceof Promise, sid, same: X.getFocusedSession() === s,
            apm: Microsoft.Apm.getFocusedSession().title, title: s.title, isDefault: s.isDefault,
            canClose: s.canClose, canCreate: [X.canCreateSession(), s.tabs.canCreateTab()],
            all: [all.getLength(), all.get(0).sessionId, all.get(sid) === s, all.get().length,
                  all.get((x) => x.isDefault).length],
            each, anchor: s.anchorTab.tabId, focusedTab: s.tabs.getFocusedTab().tabId,
            tab: [t.title, t.canClose, t.getParentSessionId(), t.currentUrl, t.currentPageInput],
            webUrl: s.tabs.getTab(web).currentUrl,
            anchorUrl: s.anchorTab.currentUrl, missing: [X.getSession("session-id-9"), s.tabs.getTab("tab-id-9")],
            focus: t.focus(), afterFocus: s.tabs.getFocusedTab().tabId,
            refresh: await t.refresh(), closeTab: await t.close(), closeAnchor: await s.anchorTab.close(),
            home: await X.getSession("session-id-0").focus(), request: s.requestFocus(),
            note: PyApm.state().sessions[1].notification, close: await s.close(),
            closeHome: await X.getFocusedSession().close(),
        }};
    """,
    )
    assert r == {
        "promise": True,
        "sid": "session-id-1",
        "same": True,
        "apm": "Board",
        "title": "Board",
        "isDefault": False,
        "canClose": True,
        "canCreate": [True, True],
        "all": [2, "session-id-0", True, 2, 1],
        "each": [[0, "tab-id-1"], [1, "tab-id-2"], [2, "tab-id-3"]],
        "anchor": "tab-id-1",
        "focusedTab": "tab-id-3",
        "tab": [
            "Account",
            True,
            "session-id-1",
            "main.aspx?pagetype=entityrecord&etn=account&id=22cc",
            {"pageType": "entityrecord", "entityName": "account", "entityId": "22cc"},
        ],
        "webUrl": "webresources/a.html?data=x%20y",
        "anchorUrl": "main.aspx?pagetype=dashboard&dashboardId=d1",
        "missing": [None, None],
        "focus": None,
        "afterFocus": "tab-id-2",
        "refresh": None,
        "closeTab": True,
        "closeAnchor": False,
        "home": None,
        "request": None,
        "note": True,
        "close": True,
        "closeHome": False,
    }


def test_an_entity_record_session_uses_its_template(js_page: Any) -> None:
    r = run(
        js_page,
        """
        const sid = await X.createSession({pageInput: {pageType: "entityrecord", entityName: "incident",
                                                        entityId: "11bb"}});
        const s = PyApm.state().sessions[1];
        return [sid, s.templateName, s.tabs[0].parameters];
    """,
    )
    assert r == [
        "session-id-1",
        "case_entity_session_default_template",
        {"entityName": "incident", "entityId": "11bb"},
    ]


def test_failures_reject_with_the_same_error_shapes(js_page: Any) -> None:
    r = run(
        js_page,
        """
        const out = [];
        for (const f of [() => X.createSession({pageInput: {pageType: "inlinedialog"}}),
                         () => X.getFocusedSession().tabs.createTab({pageInput: {pageType: "entitylist"}}),
                         () => X.getFocusedSession().tabs.getAll().get(true),
                         () => X.addOnAfterSessionSwitch("not a function"),
                         () => X.getFocusedSession().tabs.getFocusedTab().navigateTo({pageType: "dashboard"}),
                         () => X.getFocusedSession().tabs.getFocusedTab().history.back()]) {
            try { const p = f(); await p; out.push(null); }
            catch (e) { out.push([e instanceof Error, e.errorCode, e.message]); }
        }
        out.push(X.getFocusedSession().tabs.getFocusedTab().history.clear());
        return out;
    """,
    )
    assert r == [
        [
            True,
            400,
            "sessions.createSession: SessionInput.pageInput.pageType 'inlinedialog' opens a dialog, not a tab",
        ],
        [
            True,
            400,
            "tabs.createTab: TabInput.pageInput.entityName is required for pageType 'entitylist'",
        ],
        [
            True,
            400,
            "Xrm session.tabs.getAll().get: argument must be an index, an id or a function, got boolean",
        ],
        [
            True,
            400,
            "Xrm.App.sessions.addOnAfterSessionSwitch: handler must be a function, got string",
        ],
        [
            True,
            501,
            "Xrm tab.navigateTo is not emulated by py-apm: in-tab navigation is not emulated "
            "(a tab shows the page it was opened with)",
        ],
        [
            True,
            501,
            "Xrm tab.history.back is not emulated by py-apm: in-tab navigation is not emulated "
            "(a tab shows the page it was opened with)",
        ],
        None,
    ]


EVENTS = [
    "BeforeSessionCreate",
    "AfterSessionCreate",
    "BeforeSessionSwitch",
    "AfterSessionSwitch",
    "AfterSessionClose",
    "BeforeTabCreate",
    "AfterTabCreate",
    "AfterTabClose",
    "BeforeTabSwitch",
    "AfterTabSwitch",
]


def test_handlers_fire_for_calls_and_clicks_in_order_with_the_event_data(js_page: Any) -> None:
    r = run(
        js_page,
        f"""
        const seen = [];
        const ids = {{}};
        for (const name of {EVENTS!r}) {{
            ids[name] = X["addOn" + name]((ctx) => {{
                const args = ctx.getEventArgs()._inputArguments;
                seen.push([name, ...Object.values(args)]);
            }});
        }}
        const topic = Microsoft.Apm.getEventPublisherTopic("ON_SESSION_SWITCH");
        const channel = [];
        const ch = new BroadcastChannel(topic);
        ch.onmessage = (m) => channel.push(m.data.newSessionId);
        const log = (step) => seen.push(["--", step]);
        log("createSession");
        const sid = await X.createSession({{pageInput: {{pageType: "search", searchText: "a"}}}});
        log("createTab");
        const tid = await X.getSession(sid).tabs.createTab({{pageInput: {RECORD}}});
        log("click home");
        PyApm.ui.focusSession("session-id-0");
        log("click tab");
        PyApm.ui.focusTab(tid);
        log("close tab (Microsoft.Apm)");
        await Microsoft.Apm.closeTab(tid);
        log("click close session");
        PyApm.ui.closeSession(sid);
        for (const name of {EVENTS!r}) X["removeOn" + name](ids[name]);
        log("after remove");
        await X.createSession({{pageInput: {{pageType: "search"}}}});
        // BroadcastChannel messages arrive later, through the browser: wait for the five
        // switches (a busy machine took more than 50 ms), at most 5 s
        for (let waited = 0; channel.length < 5 && waited < 5000; waited += 20) {{
            await new Promise((res) => setTimeout(res, 20));
        }}
        ch.close();
        return {{seen, channel}};
    """,
    )
    s0, s1 = "session-id-0", "session-id-1"
    assert r["seen"] == [
        ["--", "createSession"],
        ["BeforeSessionCreate", s1],
        ["BeforeSessionSwitch", s0, s1],
        ["BeforeTabSwitch", s0, "tab-id-0", s1, "tab-id-1"],
        ["AfterSessionCreate", s1],
        ["AfterSessionSwitch", s0, s1],
        ["AfterTabSwitch", s0, "tab-id-0", s1, "tab-id-1"],
        ["--", "createTab"],
        ["BeforeTabCreate", s1, "tab-id-2"],
        ["BeforeTabSwitch", s1, "tab-id-1", s1, "tab-id-2"],
        ["AfterTabCreate", s1, "tab-id-2"],
        ["AfterTabSwitch", s1, "tab-id-1", s1, "tab-id-2"],
        ["--", "click home"],
        ["BeforeSessionSwitch", s1, s0],
        ["BeforeTabSwitch", s1, "tab-id-2", s0, "tab-id-0"],
        ["AfterSessionSwitch", s1, s0],
        ["AfterTabSwitch", s1, "tab-id-2", s0, "tab-id-0"],
        ["--", "click tab"],
        ["BeforeSessionSwitch", s0, s1],
        ["BeforeTabSwitch", s0, "tab-id-0", s1, "tab-id-2"],
        ["AfterSessionSwitch", s0, s1],
        ["AfterTabSwitch", s0, "tab-id-0", s1, "tab-id-2"],
        ["--", "close tab (Microsoft.Apm)"],
        ["BeforeTabSwitch", s1, "tab-id-2", s1, "tab-id-1"],
        ["AfterTabClose", s1, "tab-id-2"],
        ["AfterTabSwitch", s1, "tab-id-2", s1, "tab-id-1"],
        ["--", "click close session"],
        ["BeforeSessionSwitch", s1, s0],
        ["BeforeTabSwitch", s1, "tab-id-1", s0, "tab-id-0"],
        ["AfterSessionClose", s1],
        ["AfterSessionSwitch", s1, s0],
        ["AfterTabSwitch", s1, "tab-id-1", s0, "tab-id-0"],
        ["--", "after remove"],
    ]
    # the BroadcastChannel saw the same session switches, in the same order
    assert r["channel"] == [s1, s0, s1, s0, "session-id-2"]


@pytest.mark.browser  # a page's "error" event; in Node the error goes to console.error
def test_a_handler_that_throws_does_not_stop_the_others(apm_page: Any) -> None:
    r = run(
        apm_page,
        """
        const seen = [];
        const errors = [];
        const onError = (e) => { errors.push(String(e.error && e.error.message)); e.preventDefault(); };
        window.addEventListener("error", onError);
        X.addOnAfterSessionCreate(() => { throw new Error("handler bug"); });
        X.addOnAfterSessionCreate((ctx) => seen.push(ctx.getEventSource() === X, ctx.getDepth()));
        const sid = await X.createSession({pageInput: {pageType: "search"}});
        await new Promise((res) => setTimeout(res, 20));
        window.removeEventListener("error", onError);
        return {sid, seen, errors};
    """,
    )
    assert r == {"sid": "session-id-1", "seen": [True, 0], "errors": ["handler bug"]}


FRAME_WITH_MOCK = """<!doctype html><script>
  window.Xrm = {Page: {marker: "xrm-mock"}, App: {panels: "kept"}};
</script><script src="/shim.js"></script>"""


@pytest.mark.browser  # frames are a page's: in Node a web resource is a module
def test_a_frame_with_its_own_xrm_mock_gets_sessions_added(apm_page: Any) -> None:
    apm_page.evaluate(
        """(html) => new Promise((done) => {
             const f = document.createElement("iframe");
             f.name = "xrm-frame"; f.style.display = "none"; f.srcdoc = html;
             f.onload = () => done(); document.body.appendChild(f); })""",
        FRAME_WITH_MOCK,
    )
    frame = apm_page.frame(name="xrm-frame")
    try:
        r = frame.evaluate(
            """async () => {
            const seen = [];
            parent.Xrm.App.sessions.addOnAfterSessionCreate((ctx) => seen.push(ctx.getEventArgs()._inputArguments.sessionId));
            const sid = await Xrm.App.sessions.createSession({pageInput: {pageType: "search", searchText: "x"}});
            const ctx = await Microsoft.AppRuntime.Sessions.getFocusedSession().getContext();
            return {
                mock: Xrm.Page.marker, panels: Xrm.App.panels,
                same: Xrm.App.sessions === parent.Xrm.App.sessions, sid, seen,
                viaParent: parent.Xrm.App.sessions.getFocusedSession().sessionId,
                runtime: Microsoft.AppRuntime === parent.Microsoft.AppRuntime,
                anchor: ctx.getTabContext("anchor"),
            };
        }"""
        )
    finally:
        apm_page.evaluate(
            "() => document.querySelectorAll('iframe[name=xrm-frame]').forEach((f) => f.remove())"
        )
    assert r == {
        "mock": "xrm-mock",
        "panels": "kept",
        "same": True,
        "sid": "session-id-1",
        "seen": ["session-id-1"],
        "viaParent": "session-id-1",
        "runtime": True,
        "anchor": {"searchText": "x"},
    }


def test_a_new_xrm_object_gets_the_sessions_too(js_page: Any) -> None:
    """What `XrmMockGenerator.initialise()` does before each test: a new `window.Xrm`."""
    r = js_page.evaluate("""() => {
        const sessions = Xrm.App.sessions;
        window.Xrm = {Page: {marker: "xrm-mock"}};
        const first = [Xrm.Page.marker, Xrm.App.sessions === sessions];
        window.Xrm = {App: {panels: "kept"}};
        return [...first, Xrm.App.sessions === sessions, Xrm.App.panels,
                Xrm.App.sessions.getFocusedSession().sessionId];
    }""")
    assert r == ["xrm-mock", True, True, "kept", "session-id-0"]
