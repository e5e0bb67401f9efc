"""`Microsoft.AppRuntime.Sessions` (and the rest of `Microsoft.AppRuntime`): the same workspace as
`Microsoft.Apm`, through the runtime's own typing; handler events; what py-apm refuses."""

from __future__ import annotations

from typing import Any

import pytest

CASE_INPUT = """{templateName: "case_entity_session_default_template",
  sessionContext: new Map([["parametersStr", '[["entityName","incident"],["entityId","11bb"]]']])}"""


def run(page: Any, body: str) -> Any:
    """Run `body` (an async function body) in the page with `S = Microsoft.AppRuntime.Sessions`."""
    return page.evaluate(f"async () => {{ const S = Microsoft.AppRuntime.Sessions; {body} }}")


def test_sessions_members_over_the_same_workspace(js_page: Any) -> None:
    r = run(
        js_page,
        f"""
        const created = S.create({CASE_INPUT}, "corr-1");
        const sid = await created;
        const s = S.getFocusedSession("corr-2");
        const same = S.getSession(sid) === s && Microsoft.Apm.getFocusedSession().sessionId === sid;
        const tid = await s.createTab({{templateName: "msdyn_omnichannel_kbsearch", isFocused: false}});
        const ctx = await s.updateContext({{customerName: "Contoso", k: "v"}});
        const afterDelete = await s.updateContext({{k: ""}}, true);
        s.setTitleAndInitials("Printer jam");
        const tab = s.getTab(tid);
        const focusResult = tab.focus();
        return {{
            promise: created instanceof Promise, sid, same, all: S.getAll(), can: S.canCreateSession(),
            keys: Object.keys(s), icon: [s.iconPath, s.iconTitle], tabs: s.getAllTabs(),
            byTemplate: await s.getAllTabsForTemplate("msdyn_omnichannel_kbsearch"),
            ctx: ctx.get("customerName"), afterDelete: afterDelete.parameters,
            title: Microsoft.Apm.getSession(sid).title, focusResult: focusResult === undefined,
            focused: s.getFocusedTab().tabId, canCreateTab: s.canCreateTab(),
            refresh: await tab.refresh(), closed: await tab.close(),
            anchorClose: await s.getTab("tab-id-1").close(),
            sessionFocus: await S.getSession("session-id-0").focus(),
            sessionClose: await s.close(), homeClose: await S.getFocusedSession().close(),
            unknown: S.getSession("session-id-9"),
        }};
    """,
    )
    assert r == {
        "promise": True,
        "sid": "session-id-1",
        "same": True,
        "all": ["session-id-0", "session-id-1"],
        "can": True,
        "keys": ["sessionId", "title", "isDefault", "canClose", "iconPath", "iconTitle"],
        "icon": ["", ""],
        "tabs": ["tab-id-1", "tab-id-2"],
        "byTemplate": ["tab-id-2"],
        "ctx": "Contoso",
        "afterDelete": {"customerName": "Contoso"},
        "title": "Printer jam",
        "focusResult": True,
        "focused": "tab-id-2",
        "canCreateTab": True,
        "refresh": None,
        "closed": True,
        "anchorClose": False,
        "sessionFocus": None,
        "sessionClose": True,
        "homeClose": False,
        "unknown": None,
    }


def test_actions_reject_with_the_same_error_shapes(js_page: Any) -> None:
    r = run(
        js_page,
        """
        const out = [];
        for (const f of [() => S.create({}), () => S.getFocusedSession().createTab({templateName: 7}),
                         () => S.getFocusedSession().updateContext("x", true)]) {
            const p = f();
            try { await p; out.push(null); } catch (e) { out.push([p instanceof Promise, e instanceof Error, e.errorCode, e.message]); }
        }
        try { S.getSession(1); } catch (e) { out.push([e.errorCode, e.message]); }
        return out;
    """,
    )
    assert r == [
        [True, True, 400, "createSession: SessionInput.templateName is required"],
        [
            True,
            True,
            400,
            "session.createTab: AppTabInput.templateName must be a string, got number",
        ],
        [
            True,
            True,
            400,
            "AppRuntime session.updateContext: input must be an object or a Map, got string",
        ],
        [400, "getSession: sessionId must be a string, got number"],
    ]


def test_session_handlers_fire_for_calls_and_clicks_in_event_order(js_page: Any) -> None:
    r = run(
        js_page,
        f"""
        const seen = [];
        const on = (name) => (ctx) => seen.push([name, ctx.getEventArgs()._inputArguments]);
        const ids = [S.addOnAfterSessionCreate(on("create")), S.addOnAfterSessionSwitch(on("switch")),
                     S.addOnAfterSessionClose(on("close"))];
        const changes = [];
        S.addOnContextChange((e) => changes.push([e.eventType, e.context.pageType]));
        const sid = await S.create({CASE_INPUT});
        PyApm.ui.focusSession("session-id-0");
        PyApm.ui.closeSession(sid);
        S.removeOnAfterSessionSwitch(ids[1]);
        await S.create({CASE_INPUT});
        const source = [];
        S.addOnAfterSessionClose((ctx) => source.push(ctx.getEventSource() === S, ctx.getDepth()));
        await S.getFocusedSession().close();
        return {{ids, seen, changes, source}};
    """,
    )
    assert r["ids"] == ["pyapm-handler-1", "pyapm-handler-2", "pyapm-handler-3"]
    assert r["seen"] == [
        ["create", {"sessionId": "session-id-1"}],
        ["switch", {"previousSessionId": "session-id-0", "newSessionId": "session-id-1"}],
        ["switch", {"previousSessionId": "session-id-1", "newSessionId": "session-id-0"}],
        ["close", {"sessionId": "session-id-1"}],
        ["create", {"sessionId": "session-id-2"}],
        ["close", {"sessionId": "session-id-2"}],
    ]
    assert r["changes"] == [
        ["TabSwitch", "entityrecord"],
        ["TabSwitch", "dashboard"],
        ["TabSwitch", "entityrecord"],
        ["TabSwitch", "dashboard"],
    ]
    assert r["source"] == [True, 0]


def test_handlers_and_saved_states_go_with_reset(js_page: Any) -> None:
    r = run(
        js_page,
        """
        const seen = [];
        S.addOnAfterSessionCreate(() => seen.push("create"));
        let value = "first";
        S.registrySessionStatePersistence("pane", () => value, (v) => { value = "restored " + v; });
        S.cacheSessionState("session-id-0");
        value = "changed";
        S.restoreSessionState("session-id-0");
        const restored = value;
        S.removeSessionState();
        S.restoreSessionState("session-id-0");
        const afterRemove = value;
        PyApm.reset();
        await S.create({templateName: "msdyn_chat_session"});
        return {restored, afterRemove, seen};
    """,
    )
    assert r == {"restored": "restored first", "afterRemove": "restored first", "seen": []}


def test_refresh_session_rereads_the_records(js_page: Any) -> None:
    r = run(
        js_page,
        f"""
        PyApm.configure({{records: {{incident: {{"11bb": {{title: "Old"}}}}}}}});
        const sid = await S.create({CASE_INPUT});
        PyApm.configure({{records: {{incident: {{"11bb": {{title: "New"}}}}}}}});
        const refreshed = [];
        S.addOnSessionRefresh((e) => refreshed.push(e));
        const before = Microsoft.Apm.getSession(sid).resolveSlug("{{anchor.title}}");
        const result = await S.refreshSession();
        const after = Microsoft.Apm.getSession(sid).resolveSlug("{{anchor.title}}");
        let refused = null;
        try {{ await S.refreshSession(false, "other_template"); }} catch (e) {{ refused = [e.errorCode, e.message]; }}
        return {{before, result, after, refreshed, refused}};
    """,
    )
    assert r == {
        "before": "Old",
        "result": "session-id-1",
        "after": "New",
        "refreshed": [{"eventType": "SessionRefresh", "sessionId": "session-id-1"}],
        "refused": [
            501,
            "Microsoft.AppRuntime.Sessions.refreshSession is not emulated by py-apm: "
            "re-making a session from another session template",
        ],
    }


def test_internal_members(js_page: Any) -> None:
    r = run(
        js_page,
        """
        const I = Microsoft.AppRuntime.Internal;
        const topics = I.getAPMRuntimeTopics();
        const got = new Promise((res) => {
            const sub = I.subscribeTopic("me", "py-apm-test-topic", (d) => { sub.close(); res(d); });
        });
        const pub = I.publishTopic("py-apm-test-topic");
        pub.postMessage({hello: 1});
        pub.close();
        const tid = await I.createTab({pageInput: {pageType: "search", searchText: "printer"}});
        return {topics: [...topics.keys()], same: topics.get("ON_TAB_SWITCH") ===
                    Microsoft.Apm.getEventPublisherTopic("ON_TAB_SWITCH"),
                message: await got, tid, pageType: PyApm.state().sessions[0].tabs[1].pageType};
    """,
    )
    assert r == {
        "topics": ["ON_SESSION_SWITCH", "ON_SESSION_CLOSED", "ON_TAB_SWITCH"],
        "same": True,
        "message": {"hello": 1},
        "tid": "tab-id-1",
        "pageType": "search",
    }


REFUSED = [
    ("Internal", "findSessionWithPageInput", False),
    ("Internal", "addOnWindowVisibilityStateChangeHandler", False),
    ("Internal", "removeOnWindowVisibilityStateChangeHandler", False),
    ("Internal", "getChannelProviders", True),
    ("Internal", "getSessionTemplate", True),
    ("Internal", "getTemplate", True),
    ("Internal", "getEntityPageInput", True),
    ("Internal", "getPageInputFromSessionTemplate", True),
    ("Notification", "showNotification", True),
    ("Notification", "cancelNotification", True),
    ("Notification", "addOnNotificationStateChangeHandler", False),
    ("Notification", "removeOnNotificationStateChangeHandler", False),
    ("Utility", "getEnvironment", True),
    ("Utility", "resolveSlug", True),
]


@pytest.mark.parametrize(("group", "member", "is_async"), REFUSED)
def test_what_py_apm_cannot_emulate_is_a_named_error(
    js_page: Any, group: str, member: str, is_async: bool
) -> None:
    r = js_page.evaluate(
        """async ([group, member]) => {
        let value;
        try { value = Microsoft.AppRuntime[group][member](); } catch (e) { return ["throws", e.errorCode, e.message]; }
        try { await value; return ["resolved"]; } catch (e) { return ["rejects", e.errorCode, e.message]; }
    }""",
        [group, member],
    )
    assert r[0] == ("rejects" if is_async else "throws")
    assert r[1] == 501
    assert r[2].startswith(f"Microsoft.AppRuntime.{group}.{member} is not emulated by py-apm: ")


@pytest.mark.parametrize(
    "member", ["notifyKpiBreach", "notifyNewActivity", "resetActivityIndicator"]
)
def test_session_indicators_are_refused(js_page: Any, member: str) -> None:
    r = run(
        js_page,
        f"""
        try {{ await S.getFocusedSession().{member}(true); return null; }}
        catch (e) {{ return [e.errorCode, e.message.split(":")[0]]; }}
    """,
    )
    assert r == [501, f"AppRuntime session.{member} is not emulated by py-apm"]
