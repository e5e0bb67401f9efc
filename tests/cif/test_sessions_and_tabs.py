"""CIF sessions, tabs, ownership and their events on the native model (spec cif.md §3, §4.1-4.3,
CIF-D4..D16)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from py_apm import ApmError, Workspace

from .conftest import CHAT, CONFIG, PHONE, call_session, cif_events

OWNERSHIP = "Focused session is neither the default session nor it belongs to the provider"


def refused(ws: Workspace, call: Any, code: int, message: str) -> None:
    """`call()` rejects with exactly this code and message and changes nothing."""
    before = (ws.state(), ws.pyapm_cif(), ws.notifications())
    with pytest.raises(ApmError) as error:
        call()
    assert (error.value.code, error.value.message) == (code, message)
    assert (ws.state(), ws.pyapm_cif(), ws.notifications()) == before


# ---------------------------------------------------------------- configuration
def test_two_character_prefixes_are_valid_unique_names() -> None:
    ws = Workspace(CONFIG)
    assert "cb_call" in ws.options.templates.sessions
    assert "cb_incoming" in ws.options.notification_templates


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"tabTemplates": [{"uniqueName": "c_x", "pageType": "dashboard"}]},
         "configure: tabTemplates[0]: uniqueName 'c_x' must be <prefix>_<name> with an "
         "alphanumeric prefix of 2 to 8 characters"),
        ({"channelProviders": [{"name": "p"}]}, "configure: channelProviders[0] 'p': url is required"),
        ({"channelProviders": [{"name": "default", "url": "x.html"}]},
         "configure: channelProviders[0]: name 'default' is the workspace page's own"),
        ({"channelProviders": [{"name": "p", "url": "x.html", "apiVersion": "1"}]},
         "configure: channelProviders[0] 'p': apiVersion must be \"2\" (CIF 2.0), got '1'"),
        ({"channelProviders": [{"name": "p", "url": "javascript:alert(1)"}]},
         "configure: channelProviders[0] 'p': url must be a web resource name or an http(s) URL"),
        ({"channelProviders": [{"name": "p", "url": "a.html"}, {"name": "p", "url": "b.html"}]},
         "configure: channelProviders: name 'p' is used twice"),
        ({"channelProviders": [{"name": "p", "url": "a.html", "color": 1}]},
         "configure: channelProviders[0]: unknown field 'color' (known: apiVersion, "
         "customParams, enableOutbound, label, name, order, trustedDomain, url, width)"),
        ({"notificationTemplates": [{"uniqueName": "cb_n", "timeout": 501}]},
         "configure: notificationTemplates[0] 'cb_n': timeout must be a whole number of seconds "
         "from 0 to 500"),
        ({"sessionTemplates": [{"uniqueName": "cb_s", "anchorTab": "msdyn_entityrecord",
                                "panelMode": "floating"}]},
         "configure: sessionTemplates[0] 'cb_s': panelMode must be one of minimized, docked, "
         "hidden, got 'floating'"),
        ({"environment": {"orgName": "x"}},
         "configure: environment: unknown key 'orgName' (known: appUrl, appid, clientUrl, "
         "crmVersion, navigationType, orgGeo, orgId, orgLcid, orgUniqueName, userId, userLcid, "
         "userRoles, username)"),
        ({"presences": []}, "configure: presences must not be empty"),
        ({"cifPanelOnHome": "minimized"},
         "configure: cifPanelOnHome must be \"hidden\" or \"docked\", got 'minimized'"),
    ],
)  # fmt: skip
def test_configuration_is_refused_as_a_whole(options: dict[str, Any], message: str) -> None:
    ws = Workspace(CONFIG)
    before = ws.options
    with pytest.raises(ApmError) as error:
        ws.configure(options)
    assert (error.value.code, error.value.message) == (422, message)
    assert ws.options is before


def test_unknown_provider_frame_is_refused(ws: Workspace) -> None:
    refused(ws, lambda: ws.cif_get_mode("stranger"), 403, "Associated Provider record not found")


# ---------------------------------------------------------------- createSession
def test_create_session_is_owned_focused_and_titled(ws: Workspace) -> None:
    sid = call_session(ws, customer="Ann", context={"media": "voice"})
    assert sid == "session-id-1"
    assert ws.state()["focusedSessionId"] == sid
    assert ws.state()["sessions"][1]["title"] == "Call from Ann"
    assert ws.pyapm_cif()["owners"] == {sid: PHONE}
    assert ws.cif_get_all_sessions(PHONE) == [sid]
    assert ws.cif_get_all_sessions(CHAT) == []
    assert ws.cif_get_session(PHONE, sid) == {
        "sessionId": sid, "focused": True, "context": {"media": "voice"}, "conversationId": None,
    }  # fmt: skip


def test_create_session_correlation_id_is_the_conversation_id(ws: Workspace) -> None:
    sid = ws.cif_create_session(PHONE, {"templateName": "cb_call"}, "conv-1")
    assert ws.cif_get_session(PHONE, sid)["conversationId"] == "conv-1"
    assert "context" not in ws.cif_get_session(PHONE, sid)


def test_create_session_by_display_name_and_top_level_key_warns(ws: Workspace) -> None:
    sid = ws.cif_create_session(PHONE, {"templateName": "Call session", "customer": "555"})
    session = ws.state()["sessions"][1]
    assert (session["templateName"], session["title"]) == ("cb_call", "Call from ")
    assert ws.calls()[-1]["warnings"][0]["code"] == "APM-W009"
    assert sid == "session-id-1"


@pytest.mark.parametrize(
    ("session_input", "code", "message"),
    [
        (None, 400, "Some of required parameters are null"),
        ({"templateName": "cb_nope"}, 404,
         "Could not resolve unique name for session template: cb_nope"),
        ({"templateName": "cb_case"}, 400,
         "createSession supports session templates of type Generic only: cb_case"),
        ({"templateName": 5}, 400,
         "createSession: input.templateName must be a non-empty string, got number"),
        ({"templateName": "cb_call", "templateParameters": 3}, 400,
         "createSession: input.templateParameters must be a Map, an object or a JSON string, "
         "got number"),
    ],
)  # fmt: skip
def test_create_session_refusals(
    ws: Workspace, session_input: Any, code: int, message: str
) -> None:
    refused(ws, lambda: ws.cif_create_session(PHONE, session_input), code, message)


def test_create_session_limit_is_ten_with_home(ws: Workspace) -> None:
    for _ in range(9):
        call_session(ws)
    assert ws.cif_can_create_session(PHONE) is False
    refused(ws, lambda: call_session(ws), 409,
            "Maximum sessions reached. Close a session before opening another.")  # fmt: skip


def test_create_session_events_lose_then_gain_later(ws: Workspace) -> None:
    first = call_session(ws, context={"n": 1})
    cif_events(ws)
    second = call_session(ws)
    events = ws.drain_outbox()["events"]
    switched = [e["data"] for e in events if e["name"] == "CIF_EVENT"
                and e["data"]["name"] == "onSessionSwitched"]  # fmt: skip
    assert [(d["provider"], json.loads(d["payload"]), d["later"]) for d in switched] == [
        (PHONE, {"sessionId": first, "focused": False, "context": {"n": 1}}, None),
        (PHONE, {"sessionId": second, "focused": True}, "1"),
    ]


def test_switch_events_go_to_each_owner_for_clicks_too(ws: Workspace) -> None:
    mine = call_session(ws)
    theirs = call_session(ws, CHAT)
    cif_events(ws)
    ws.ui_focus_session(mine)
    events = [(p, n, json.loads(t)) for p, n, t in cif_events(ws) if n == "onSessionSwitched"]
    assert events == [
        (CHAT, "onSessionSwitched", {"sessionId": theirs, "focused": False}),
        (PHONE, "onSessionSwitched", {"sessionId": mine, "focused": True}),
    ]


def test_home_and_other_sessions_raise_no_switch_event(ws: Workspace) -> None:
    ws.apm_create_session({"templateName": "msdyn_chat_session"})
    ws.ui_focus_session("session-id-0")
    assert [n for _, n, _ in cif_events(ws) if n == "onSessionSwitched"] == []


def test_closing_a_focused_session_raises_closed_then_the_next_switch(ws: Workspace) -> None:
    first = call_session(ws)
    second = call_session(ws, context={"k": "v"})
    cif_events(ws)
    assert ws.ui_close_session(second) is True
    events = [(n, json.loads(t)) for _, n, t in cif_events(ws) if n.startswith("onSession")]
    assert events == [
        ("onSessionClosed", {"sessionId": second, "context": {"k": "v"}}),
        ("onSessionSwitched", {"sessionId": first, "focused": True}),
    ]
    assert ws.pyapm_cif()["owners"] == {first: PHONE}


def test_closing_a_background_session_raises_only_closed(ws: Workspace) -> None:
    first = call_session(ws)
    call_session(ws)
    cif_events(ws)
    ws.ui_close_session(first)
    assert [(p, n) for p, n, _ in cif_events(ws) if n.startswith("onSession")] == [
        (PHONE, "onSessionClosed")
    ]


# ---------------------------------------------------------------- session members
def test_get_focused_session_answers_home_own_or_null(ws: Workspace) -> None:
    assert ws.cif_get_focused_session(PHONE) == "session-id-0"
    sid = call_session(ws)
    assert ws.cif_get_focused_session(PHONE) == sid
    assert ws.cif_get_focused_session(CHAT) is None
    assert ws.cif_get_focused_tab(CHAT) is None
    assert ws.cif_get_focused_tab(PHONE) == ws.state()["sessions"][1]["focusedTabId"]


@pytest.mark.parametrize(
    ("member", "args", "code", "message"),
    [
        ("cif_get_session", ("",), 400,
         "The sessionId parameter is null. Provide a value to the parameter"),
        ("cif_get_session", ("session-id-0",), 404, "Session with ID:session-id-0 does not exist"),
        ("cif_get_session", ("session-id-2",), 404, "Session with ID:session-id-2 does not exist"),
        ("cif_request_focus_session", (None,), 400, "SessionID is null or undefined"),
        ("cif_request_focus_session", ("session-id-2",), 404,
         "Session with ID:session-id-2 does not exist"),
        ("cif_notify_new_activity", ("session-id-2", 1), 404,
         "Session with ID:session-id-2 does not exist"),
        ("cif_notify_new_activity", ("session-id-1", -1), 400,
         "notifyNewActivity: messagesCount must be a number of 0 or more, got number"),
        ("cif_notify_new_activity", ("session-id-1", "3"), 400,
         "notifyNewActivity: messagesCount must be a number of 0 or more, got string"),
        ("cif_notify_kpi_breach", ("session-id-0", True), 404,
         "Session with ID:session-id-0 does not exist"),
        ("cif_set_session_title", ({"sessionId": "session-id-2"},), 404,
         "Session with ID:session-id-2 does not exist"),
        ("cif_set_session_title", (None,), 400,
         "The input Parameter is blank. Provide a value to the parameter"),
        ("cif_update_context", ({"a": "1"}, "session-id-2"), 404, "Please provide valid session id"),
        ("cif_update_context", (None,), 400,
         "The input parameter is null. Provide a value to the parameter"),
    ],
)  # fmt: skip
def test_named_sessions_must_be_the_callers(
    ws: Workspace, member: str, args: tuple[Any, ...], code: int, message: str
) -> None:
    call_session(ws)  # session-id-1 (softphone's)
    call_session(ws, CHAT)  # session-id-2 (chat's), focused
    ws.ui_focus_session("session-id-1")
    refused(ws, lambda: getattr(ws, member)(PHONE, *args), code, message)


@pytest.mark.parametrize(
    ("member", "args"),
    [
        ("cif_create_tab", ({"templateName": "cb_bing"},)),
        ("cif_get_tabs", ()),
        ("cif_focus_tab", ("tab-id-1",)),
        ("cif_refresh_tab", ("tab-id-1",)),
        ("cif_set_tab_title", ("tab-id-1", {"title": "x"})),
        ("cif_close_tab", ("tab-id-1",)),
        ("cif_set_session_title", ({"customer": "x"},)),
    ],
)
def test_focused_session_of_another_provider_is_refused(
    ws: Workspace, member: str, args: tuple[Any, ...]
) -> None:
    call_session(ws, CHAT)
    refused(ws, lambda: getattr(ws, member)(PHONE, *args), 403, OWNERSHIP)


def test_tab_members_work_in_home(ws: Workspace) -> None:
    tab = ws.cif_create_tab(
        PHONE, {"templateName": "cb_bing", "templateParameters": {"searchQ": "x"}}
    )
    assert ws.state()["sessions"][0]["tabs"][1]["tabId"] == tab
    assert ws.cif_get_tabs(PHONE) == ["tab-id-0", tab]
    assert ws.cif_set_tab_title(PHONE, tab, {"title": "Hi {who}", "who": "Bo"}) == "Hi Bo"
    ws.cif_refresh_tab(PHONE, tab)
    ws.cif_focus_tab(PHONE, tab)
    assert ws.cif_get_focused_tab(PHONE) == tab
    assert ws.cif_close_tab(PHONE, tab) is True
    assert ws.cif_close_tab(PHONE, "tab-id-0") is False  # the anchor: refused


def test_create_tab_is_unfocused_by_default_and_parameters_override(ws: Workspace) -> None:
    call_session(ws)
    tab = ws.cif_create_tab(
        PHONE,
        {"templateName": "Bing", "templateParameters": {
            "searchQ": "outer", "cb_bing": {"data": "inner"}}},
    )  # fmt: skip
    state = ws.state()["sessions"][1]
    created = state["tabs"][-1]
    assert state["focusedTabId"] != tab
    assert (created["templateName"], created["title"]) == ("cb_bing", "Search outer")
    assert created["url"] == "https://www.bing.com/search?q=inner"


@pytest.mark.parametrize(
    ("member", "args", "code", "message"),
    [
        ("cif_create_tab", (None,), 400, "Some of the required parameters are Null"),
        ("cif_create_tab", ({"templateName": "Nope"},), 404,
         "Could not resolve unique name for application tab template: Nope"),
        ("cif_create_tab", ({"templateName": "cb_bing", "isFocused": "yes"},), 400,
         "createTab: input.isFocused must be true or false, got string"),
        ("cif_focus_tab", (None,), 400, "tabId is null or undefined"),
        ("cif_focus_tab", ("tab-id-0",), 404, "Tab with ID:tab-id-0 does not exist"),
        ("cif_refresh_tab", ("",), 400,
         "The tabId Parameter is blank. Provide a value to the parameter"),
        ("cif_set_tab_title", ("tab-id-1", None), 400, "The input Parameter cannot be NULL"),
        ("cif_close_tab", ("tab-id-99",), 404, "Tab with ID:tab-id-99 does not exist"),
    ],
)  # fmt: skip
def test_tab_refusals(
    ws: Workspace, member: str, args: tuple[Any, ...], code: int, message: str
) -> None:
    call_session(ws)
    refused(ws, lambda: getattr(ws, member)(PHONE, *args), code, message)


def test_get_tabs_by_name_by_tags_and_the_fallback(ws: Workspace) -> None:
    call_session(ws)  # anchor tab-id-1 (cb_contacts)
    bing = ws.cif_create_tab(PHONE, {"templateName": "cb_bing"})
    record = ws.cif_create_tab(PHONE, {"templateName": "cb_entityrecord", "templateParameters": {
        "entityName": "contact"}})  # fmt: skip
    assert ws.cif_get_tabs(PHONE, "cb_bing") == [bing]
    assert ws.cif_get_tabs(PHONE, "Bing") == [bing]
    assert ws.cif_get_tabs(PHONE, None, "crm") == ["tab-id-1", record]
    assert ws.cif_get_tabs(PHONE, None, ["web", "record"]) == [bing, record]
    assert ws.cif_get_tabs(PHONE, "nothing", "web") == [bing]
    assert ws.cif_get_tabs(PHONE, "nothing") == []


def test_set_session_title_resolves_the_template_title(ws: Workspace) -> None:
    sid = ws.cif_create_session(PHONE, {"templateName": "cb_call"})
    assert ws.cif_set_session_title(PHONE, {"customer": "+1 555"}) == "Call from +1 555"
    assert ws.state()["sessions"][1]["title"] == "Call from +1 555"
    assert ws.cif_set_session_title(PHONE, {"sessionId": sid, "customer": "Bo"}) == "Call from Bo"


def test_set_session_title_in_home_is_refused_with_its_id(ws: Workspace) -> None:
    refused(ws, lambda: ws.cif_set_session_title(PHONE, {"customer": "x"}), 404,
            "Session with ID:session-id-0 does not exist")  # fmt: skip


def test_update_context_sets_and_deletes_template_parameters(ws: Workspace) -> None:
    sid = call_session(ws, customer="Ann")
    assert ws.cif_update_context(PHONE, {"caseId": "42"}) == {"customer": "Ann", "caseId": "42"}
    assert ws.cif_update_context(PHONE, ["customer"], sid, True) == {"caseId": "42"}


def test_indicators_activity_kpi_and_attention(ws: Workspace) -> None:
    first = call_session(ws)
    call_session(ws)
    ws.cif_notify_new_activity(PHONE, first, 3)
    ws.cif_notify_kpi_breach(PHONE, first, True, "SLA 5 min")
    assert (ws.pyapm_cif()["activity"], ws.pyapm_cif()["kpi"]) == ({first: 3}, {first: "SLA 5 min"})
    ws.cif_request_focus_session(PHONE, first)  # the latest marker wins
    assert ws.pyapm_cif()["activity"] == {}
    assert ws.state()["sessions"][1]["notification"] is True
    ws.cif_notify_new_activity(PHONE, first, 0)
    assert (ws.pyapm_cif()["activity"], ws.state()["sessions"][1]["notification"]) == (
        {first: 0},
        False,
    )
    ws.cif_notify_new_activity(PHONE, first, 2, True)
    assert ws.pyapm_cif()["activity"] == {}
    ws.cif_notify_new_activity(PHONE, first, 2)
    ws.ui_focus_session(first)  # focusing clears the activity, not the KPI marker
    assert (ws.pyapm_cif()["activity"], ws.pyapm_cif()["kpi"]) == ({}, {first: "SLA 5 min"})
    ws.cif_notify_kpi_breach(PHONE, first, False)
    assert ws.pyapm_cif()["kpi"] == {}


def test_new_activity_on_the_focused_session_shows_nothing(ws: Workspace) -> None:
    sid = call_session(ws)
    ws.cif_notify_new_activity(PHONE, sid, 5)
    assert ws.pyapm_cif()["activity"] == {}
    assert ws.calls()[-1]["warnings"][0]["code"] == "APM-W009"


def test_reset_forgets_owners_and_the_panel(ws: Workspace) -> None:
    call_session(ws)
    ws.cif_set_presence(PHONE, "Busy")
    ws.cif_set_click_to_act(PHONE, False)
    ws.reset()
    cif = ws.pyapm_cif()
    assert (cif["owners"], cif["presence"], cif["clickToAct"][PHONE]) == ({}, "Available", True)
