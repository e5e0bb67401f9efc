"""The communication panel, presence, click-to-act, environment, handlers and notifications on
the native model (spec cif.md §3, §4.4-4.8, §4.10, CIF-D7, D9, D10, D17, D18, D21, D23-D25)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from py_apm import ApmError, Workspace

from .conftest import CHAT, CONFIG, PHONE, call_session, cif_events

ACTIVE_ONLY = "This operation can be performed from the active provider"


def answer(action: str, reason: str) -> str:
    return json.dumps({"actionName": action, "responseReason": reason}, separators=(",", ":"))


def notify(ws: Workspace, provider: str = PHONE, **extra: Any) -> dict[str, Any]:
    return ws.cif_notify_event(
        provider, {"templateName": "cb_incoming", "templateParameters": {"number": "555"}, **extra}
    )


# ---------------------------------------------------------------- panel
def test_mode_follows_the_focused_session(ws: Workspace) -> None:
    assert ws.cif_get_mode(PHONE) == 2  # Home: hidden
    loud = call_session(ws)
    assert ws.cif_get_mode(PHONE) == 1  # docked (template)
    quiet = ws.cif_create_session(PHONE, {"templateName": "cb_quiet"})
    assert ws.cif_get_mode(PHONE) == 0  # minimized (template)
    assert ws.cif_set_mode(PHONE, 1) == 1  # kept for this session
    ws.ui_focus_session(loud)
    ws.cif_set_mode(PHONE, 2)
    ws.ui_focus_session(quiet)
    assert ws.cif_get_mode(PHONE) == 1
    ws.ui_focus_session("session-id-0")
    assert ws.cif_get_mode(PHONE) == 2


def test_mode_events_fire_for_each_actual_change(ws: Workspace) -> None:
    call_session(ws)
    assert [(p, n, t) for p, n, t in cif_events(ws) if n == "onmodechanged"] == [
        ("*", "onmodechanged", '{"value":1}')
    ]
    ws.cif_set_mode(PHONE, 1)
    assert [n for _, n, _ in cif_events(ws)] == []
    ws.ui_set_panel_mode(0)
    assert cif_events(ws) == [("*", "onmodechanged", '{"value":0}')]


def test_panel_on_home_is_configurable() -> None:
    ws = Workspace({**CONFIG, "cifPanelOnHome": "docked"})
    assert ws.cif_get_mode(PHONE) == 1


@pytest.mark.parametrize(
    ("value", "message"),
    [(3, "The setMode paramter value must be 0, 1 or 2."),
     ("1", "The setMode paramter value must be 0, 1 or 2."),
     (True, "The setMode paramter value must be 0, 1 or 2.")],
)  # fmt: skip
def test_set_mode_refuses_other_values(ws: Workspace, value: Any, message: str) -> None:
    call_session(ws)
    with pytest.raises(ApmError) as error:
        ws.cif_set_mode(PHONE, value)
    assert (error.value.code, error.value.message) == (400, message)


def test_active_provider_rules(ws: Workspace) -> None:
    # Home, nothing shown yet: the first by order is active
    assert ws.pyapm_cif()["activeProvider"] == PHONE
    call_session(ws, CHAT)
    assert ws.pyapm_cif()["activeProvider"] == CHAT
    for call in (
        lambda: ws.cif_set_mode(PHONE, 1),
        lambda: ws.cif_set_width(PHONE, 400),
        lambda: ws.cif_open_form(PHONE, '{"entityName":"contact"}'),
        lambda: ws.cif_search_and_open_records(PHONE, "contact", "?$top=1", False),
    ):
        with pytest.raises(ApmError) as error:
            call()
        assert (error.value.code, error.value.message) == (403, ACTIVE_ONLY)
    # searchOnly true is anyone's
    assert json.loads(ws.cif_search_and_open_records(PHONE, "contact", "?$top=1", True))["0"]
    ws.ui_focus_session("session-id-0")
    assert ws.pyapm_cif()["activeProvider"] == CHAT  # the frame shown last


def test_several_providers_have_no_panel_mode_in_home(ws: Workspace) -> None:
    for member, value, api in (("cif_set_mode", 1, "setMode"), ("cif_set_width", 400, "setWidth")):
        with pytest.raises(ApmError) as error:
            getattr(ws, member)(PHONE, value)
        assert (error.value.code, error.value.message) == (
            403,
            f"{api} is not supported in the home session when several channel providers are "
            "configured",
        )


def test_one_provider_may_dock_the_panel_in_home() -> None:
    ws = Workspace({**CONFIG, "channelProviders": CONFIG["channelProviders"][:1]})
    assert ws.cif_set_mode(PHONE, 1) == 1
    assert ws.cif_get_mode(PHONE) == 1


def test_width_rules(ws: Workspace) -> None:
    call_session(ws)
    cif_events(ws)
    assert ws.cif_get_width(PHONE) == 378
    assert ws.cif_set_width(PHONE, 450, 1600) == 450
    assert cif_events(ws) == [("*", "onsizechanged", '{"value":450}')]
    assert ws.cif_set_width(PHONE, 200, 1600) == 450  # under 300: unchanged
    assert ws.calls()[-1]["warnings"][0]["code"] == "APM-W009"
    assert ws.cif_set_width(PHONE, 900, 1600) == 450  # more than half: minimized
    assert (ws.cif_get_mode(PHONE), cif_events(ws)) == (0, [("*", "onmodechanged", '{"value":0}')])
    with pytest.raises(ApmError) as error:
        ws.cif_set_width(PHONE, -5)
    assert error.value.message == (
        "The setWidth parameter value is invalid. Provide a positive number to the parameter."
    )


# ---------------------------------------------------------------- presence, click-to-act
def test_presence_by_text_or_id_and_its_event(ws: Workspace) -> None:
    assert ws.cif_get_presence(PHONE) == "Available"
    assert ws.cif_set_presence(PHONE, "Appear away") is True
    assert ws.cif_get_presence(CHAT) == "Appear away"
    events = cif_events(ws)
    assert [(p, n) for p, n, _ in events] == [("*", "onPresenceChange"), ("*", "setPresenceEvent")]
    assert json.loads(events[0][2]) == {
        "presenceId": "00000000-0000-0000-0000-0000000000a4",
        "presenceInfo": {"basePresenceStatus": "AWAY", "presenceColor": "#FDB913",
                         "presenceId": "00000000-0000-0000-0000-0000000000a4",
                         "presenceText": "Appear away"},
    }  # fmt: skip
    assert ws.cif_set_presence(PHONE, "00000000-0000-0000-0000-0000000000a2") is True
    assert ws.cif_get_presence(PHONE) == "Busy"
    assert ws.cif_set_presence(PHONE, "onVoiceCall") is False
    assert ws.cif_get_presence(PHONE) == "Busy"


def test_configured_presences_replace_the_defaults() -> None:
    ws = Workspace(
        {
            **CONFIG,
            "presences": [{"text": "Ready"}, {"text": "onVoiceCall", "basePresenceStatus": "BUSY"}],
        }
    )
    assert ws.cif_get_presence(PHONE) == "Ready"
    assert ws.cif_set_presence(PHONE, "onVoiceCall") is True


def test_click_to_act_flags_and_who_hears_the_click(ws: Workspace) -> None:
    assert (ws.cif_get_click_to_act(PHONE), ws.cif_get_click_to_act(CHAT)) == (True, False)
    ws.ui_click_to_act({"value": "+1 555 0100", "name": "mobilephone", "format": "phone",
                        "entityLogicalName": "contact", "entityId": "x"})  # fmt: skip
    assert [(p, n) for p, n, _ in cif_events(ws)] == [(PHONE, "onclicktoact")]
    ws.cif_set_click_to_act(CHAT, True)
    ws.cif_set_click_to_act(PHONE, None)
    ws.ui_click_to_act({"value": "1"})
    events = cif_events(ws)
    assert [(p, n) for p, n, _ in events] == [(CHAT, "onclicktoact")]
    assert json.loads(events[0][2]) == {
        "value": "1",
        "name": "",
        "format": "",
        "entityLogicalName": "",
        "entityId": "",
    }


# ---------------------------------------------------------------- environment, handlers
def test_environment_has_the_org_and_the_callers_page(ws: Workspace) -> None:
    env = json.loads(ws.cif_get_environment(PHONE))
    assert env["customParams"] == '{"region":"eu"}'
    assert (env["orgLcid"], env["isDirty"], "pagetype" in env) == (1033, None, False)
    call_session(ws)
    env = json.loads(ws.cif_get_environment(PHONE))
    assert (env["pagetype"], env["etn"]) == ("entitylist", "contact")
    assert "pagetype" not in json.loads(ws.cif_get_environment(CHAT))
    ws.configure({"environment": {"orgGeo": "EUR", "username": "Jo"}})
    env = json.loads(ws.cif_get_environment(CHAT))
    assert (env["orgGeo"], env["username"], env["customParams"]) == ("EUR", "Jo", "")


def test_add_handler_checks_the_name_and_warns_on_case(ws: Workspace) -> None:
    ws.cif_add_handler(PHONE, "onPageNavigate")
    assert "case-sensitive" in ws.calls()[-1]["warnings"][0]["message"]
    ws.cif_add_handler(PHONE, "myCustomEvent")
    assert ws.calls()[-1]["warnings"] == []
    with pytest.raises(ApmError) as error:
        ws.cif_add_handler(PHONE, "")
    assert error.value.message == (
        "The parameter EventName is blank. Provide a value to the parameter."
    )


def test_panel_events_wait_for_a_listener_without_providers() -> None:
    ws = Workspace()
    ws.cif_set_presence("default", "Busy")
    assert cif_events(ws) == []
    ws.cif_add_handler("default", "onPresenceChange")
    ws.cif_set_presence("default", "Available")
    assert [n for _, n, _ in cif_events(ws)] == ["onPresenceChange", "setPresenceEvent"]


def test_page_navigation_event_carries_the_uci_url(ws: Workspace) -> None:
    call_session(ws)
    urls = [json.loads(t)["value"] for _, n, t in cif_events(ws) if n == "onpagenavigate"]
    assert urls == [
        "https://py-apm.crm.dynamics.com/main.aspx?appid=00000000-0000-0000-0000-00000000a990"
        "&pagetype=entitylist&etn=contact"
    ]


def test_analytics_are_recorded(ws: Workspace) -> None:
    assert ws.cif_init_log_analytics(PHONE, {"a": 1}) is None
    assert ws.cif_log_analytics_event(PHONE, {"a": 1}, "CallAccepted") is None
    assert [c["method"] for c in ws.calls()[-2:]] == [
        "cif.initLogAnalytics",
        "cif.logAnalyticsEvent",
    ]
    with pytest.raises(ApmError) as error:
        ws.cif_log_analytics_event(PHONE, {"a": 1})
    assert error.value.message == "logAnalyticsEvent payload data or eventType is not valid. "


# ---------------------------------------------------------------- notifications
def test_notification_fields_title_and_pending_shape(ws: Workspace) -> None:
    assert notify(ws, cancellationToken="t1", templateParameters={
        "number": "555", "customerName": "Ann", "lang": "en", "device": "phone"}) == {
        "id": "notification-1", "timeout": 30}  # fmt: skip
    (pending,) = ws.notifications()
    assert {k: pending[k] for k in ("id", "templateName", "title", "provider",
                                    "cancellationToken", "state", "timeout")} == {
        "id": "notification-1", "templateName": "cb_incoming", "title": "Call from 555",
        "provider": PHONE, "cancellationToken": "t1", "state": "displayed", "timeout": 30,
    }  # fmt: skip
    # "{queue}" resolves to "" and is dropped; then at most 4 fields, by order
    assert [f["title"] for f in pending["fields"]] == ["Number", "Customer", "Language", "Device"]


@pytest.mark.parametrize(
    ("response", "expected"),
    [("Accept", ("Accept", "Accept")), ("Reject", ("Reject", "DeclinedByAgent")),
     ("Timeout", ("Timeout", "DisplayTimeout"))],
)  # fmt: skip
def test_answers_to_the_displayed_notification(
    ws: Workspace, response: str, expected: tuple[str, str]
) -> None:
    notify(ws)
    text = ws.ui_respond_to_notification("notification-1", response)
    assert text == answer(*expected)
    events = [e["data"] for e in ws.drain_outbox()["events"] if e["name"] == "CIF_NOTIFICATION"]
    assert events == [{"id": "notification-1", "provider": PHONE, "response": text}]
    assert ws.notifications() == []


def test_the_queue_shows_one_and_keeps_ten(ws: Workspace) -> None:
    ids = [notify(ws)["id"] for _ in range(11)]
    assert [n["state"] for n in ws.notifications()] == ["displayed"] + ["waiting"] * 10
    assert notify(ws) == {"response": answer("Reject", "NotificationQueueLimitExceeded")}
    # a waiting one that times out is rejected from the queue
    assert ws.ui_respond_to_notification(ids[5], "Timeout") == answer(
        "Reject", "NotificationQueueTimeLimitExceeded"
    )
    ws.ui_respond_to_notification(ids[0], "Reject")
    assert ws.notifications()[0]["id"] == ids[1]  # the next is displayed at once
    assert ws.notifications()[0]["state"] == "displayed"


def test_auto_accept_answers_at_once(ws: Workspace) -> None:
    assert ws.cif_notify_event(PHONE, {"templateName": "cb_auto"}) == {
        "response": answer("Accept", "AutoAccept")
    }
    assert ws.notifications() == []


def test_cancel_event(ws: Workspace) -> None:
    notify(ws, cancellationToken="call-7")
    ws.cif_notify_event(PHONE, {"templateName": "cb_incoming"}, "call-8")  # token as 3rd argument
    assert ws.cif_cancel_event(PHONE, "call-7") == "call-7"
    events = [e["data"] for e in ws.drain_outbox()["events"] if e["name"] == "CIF_NOTIFICATION"]
    assert events == [{"id": "notification-1", "provider": PHONE,
                       "response": answer("Cancel", "Cancelled")}]  # fmt: skip
    assert [(n["id"], n["state"]) for n in ws.notifications()] == [("notification-2", "displayed")]
    assert ws.cif_cancel_event(PHONE, "nothing") == "nothing"
    assert ws.calls()[-1]["warnings"][0]["code"] == "APM-W009"
    with pytest.raises(ApmError) as error:
        ws.cif_cancel_event(PHONE, None)
    assert (error.value.code, error.value.message) == (400, "RejectAfterClientError")


@pytest.mark.parametrize(
    ("event_input", "code", "message"),
    [
        (None, 400, "The Input parameter is blank. Provide a value."),
        ({"templateName": "cb_none"}, 404, "NotificationTemplateNotFoundError"),
        ({"templateName": "cb_incoming", "cancellationToken": 5}, 400,
         "notifyEvent: cancellationToken must be a string, got number"),
    ],
)  # fmt: skip
def test_notify_event_refusals(ws: Workspace, event_input: Any, code: int, message: str) -> None:
    with pytest.raises(ApmError) as error:
        ws.cif_notify_event(PHONE, event_input)
    assert (error.value.code, error.value.message) == (code, message)
    assert ws.notifications() == []


def test_respond_to_an_unknown_notification(ws: Workspace) -> None:
    with pytest.raises(ApmError) as error:
        ws.ui_respond_to_notification("notification-9", "Accept")
    assert (error.value.code, error.value.message) == (
        404,
        "ui.respondToNotification: no pending notification 'notification-9'",
    )
    with pytest.raises(ApmError) as error:
        ws.ui_respond_to_notification("notification-9", "accept")
    assert error.value.code == 400


def test_the_timeline_has_a_provider_column(ws: Workspace) -> None:
    sid = call_session(ws)
    ws.cif_log_analytics_event(PHONE, {"x": 1}, "Accepted")
    rows = ws.timeline()
    call = next(r for r in rows if r["member"] == "cif.createSession")
    assert (call["provider"], call["session"]) == (PHONE, sid)
    switched = next(r for r in rows if r["event"] == "CIF_EVENT")
    assert (switched["provider"], switched["data"]["name"]) == (PHONE, "onSessionSwitched")
    assert rows[-1]["member"] == "cif.logAnalyticsEvent" and rows[-1]["provider"] == PHONE
    apm_row = next(r for r in rows if r["event"] == "SESSION_CREATED")
    assert apm_row["provider"] is None
