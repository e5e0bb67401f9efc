"""The CIF members table-driven on both backends: the native model and `Microsoft.CIFramework`
in Chromium (one row per member/case: setup, call -> the exact result or the exact error)."""

from __future__ import annotations

from typing import Any

import pytest

from py_apm import ApmError, Workspace
from py_apm.client import BrowserWorkspace

from .conftest import CHAT, CONFIG, CONTACT_ID, PHONE

OWNERSHIP = "Focused session is neither the default session nor it belongs to the provider"
CALL = {"templateName": "cb_call", "templateParameters": {"customer": "Ann"}}


@pytest.fixture(params=["native", pytest.param("browser", marks=pytest.mark.browser)])
def cws(request: pytest.FixtureRequest) -> Any:
    """A workspace with the CIF configuration on either backend."""
    if request.param == "native":
        return Workspace(CONFIG)
    workspace = BrowserWorkspace(request.getfixturevalue("apm_page"))
    workspace.reset({"restoreDefaults": True, **CONFIG})
    return workspace


#: (id, setup calls [(provider, member, args)], provider, member, args, expected):
#: expected is ("ok", value) or ("error", code, message).
Row = tuple[str, list[tuple[str, str, tuple[Any, ...]]], str, str, tuple[Any, ...], tuple[Any, ...]]
SESSION = [(PHONE, "createSession", (CALL, "conv-9"))]
CHAT_SESSION = [(CHAT, "createSession", (CALL,))]
ROWS: list[Row] = [
    ("canCreateSession", [], PHONE, "canCreateSession", (), ("ok", True)),
    ("createSession", [], PHONE, "createSession", (CALL,), ("ok", "session-id-1")),
    ("createSession null", [], PHONE, "createSession", (None,),
     ("error", 400, "Some of required parameters are null")),
    ("createSession unknown", [], PHONE, "createSession", ({"templateName": "x"},),
     ("error", 404, "Could not resolve unique name for session template: x")),
    ("createSession entity", [], PHONE, "createSession", ({"templateName": "cb_case"},),
     ("error", 400, "createSession supports session templates of type Generic only: cb_case")),
    ("getSession", SESSION, PHONE, "getSession", ("session-id-1",),
     ("ok", {"sessionId": "session-id-1", "focused": True, "conversationId": "conv-9"})),
    ("getSession foreign", SESSION, CHAT, "getSession", ("session-id-1",),
     ("error", 404, "Session with ID:session-id-1 does not exist")),
    ("getSession empty", [], PHONE, "getSession", ("",),
     ("error", 400, "The sessionId parameter is null. Provide a value to the parameter")),
    ("getFocusedSession home", [], PHONE, "getFocusedSession", (), ("ok", "session-id-0")),
    ("getFocusedSession foreign", CHAT_SESSION, PHONE, "getFocusedSession", (), ("ok", None)),
    ("getAllSessions", SESSION + CHAT_SESSION, PHONE, "getAllSessions", (), ("ok", ["session-id-1"])),
    ("requestFocusSession", SESSION, PHONE, "requestFocusSession", ("session-id-1",), ("ok", None)),
    ("setSessionTitle", SESSION, PHONE, "setSessionTitle", ({"customer": "Bo"},),
     ("ok", "Call from Bo")),
    ("updateContext", SESSION, PHONE, "updateContext", ({"k": "v"},),
     ("ok", {"customer": "Ann", "k": "v"})),
    ("createTab", SESSION, PHONE, "createTab", ({"templateName": "Bing"},), ("ok", "tab-id-2")),
    ("createTab foreign", CHAT_SESSION, PHONE, "createTab", ({"templateName": "Bing"},),
     ("error", 403, OWNERSHIP)),
    ("getTabs tags", SESSION, PHONE, "getTabs", (None, "crm"), ("ok", ["tab-id-1"])),
    ("getTabs foreign", CHAT_SESSION, PHONE, "getTabs", (), ("error", 403, OWNERSHIP)),
    ("getFocusedTab", SESSION, PHONE, "getFocusedTab", (), ("ok", "tab-id-1")),
    ("focusTab", SESSION, PHONE, "focusTab", ("tab-id-1",), ("ok", None)),
    ("focusTab other", SESSION, PHONE, "focusTab", ("tab-id-0",),
     ("error", 404, "Tab with ID:tab-id-0 does not exist")),
    ("refreshTab", SESSION, PHONE, "refreshTab", ("tab-id-1",), ("ok", None)),
    ("setTabTitle", SESSION, PHONE, "setTabTitle", ("tab-id-1", {"title": "T {x}", "x": 1}), ("ok", "T 1")),
    ("closeTab anchor", SESSION, PHONE, "closeTab", ("tab-id-1",), ("ok", False)),
    ("notifyNewActivity negative", SESSION, PHONE, "notifyNewActivity", ("session-id-1", -1),
     ("error", 400, "notifyNewActivity: messagesCount must be a number of 0 or more, got number")),
    ("notifyKpiBreach", SESSION, PHONE, "notifyKpiBreach", ("session-id-1", True, "SLA"), ("ok", None)),
    ("setMode", SESSION, PHONE, "setMode", (0,), ("ok", 0)),
    ("setMode 3", SESSION, PHONE, "setMode", (3,), ("error", 400, "The setMode paramter value must be 0, 1 or 2.")),
    ("setMode not active", CHAT_SESSION, PHONE, "setMode", (1,),
     ("error", 403, "This operation can be performed from the active provider")),
    ("getMode", SESSION, PHONE, "getMode", (), ("ok", 1)),
    ("getWidth", [], PHONE, "getWidth", (), ("ok", 378)),
    ("setWidth small", SESSION, PHONE, "setWidth", (100,), ("ok", 378)),
    ("setPresence", [], PHONE, "setPresence", ("Busy",), ("ok", True)),
    ("setPresence unknown", [], PHONE, "setPresence", ("onVoiceCall",), ("ok", False)),
    ("getPresence", [], PHONE, "getPresence", (), ("ok", "Available")),
    ("setClickToAct", [], CHAT, "setClickToAct", (True,), ("ok", None)),
    ("getClickToAct", [], PHONE, "getClickToAct", (), ("ok", True)),
    ("notifyEvent", [], PHONE, "notifyEvent", ({"templateName": "cb_incoming"},),
     ("ok", {"id": "notification-1", "timeout": 30})),
    ("notifyEvent auto", [], PHONE, "notifyEvent", ({"templateName": "cb_auto"},),
     ("ok", {"response": '{"actionName":"Accept","responseReason":"AutoAccept"}'})),
    ("notifyEvent unknown", [], PHONE, "notifyEvent", ({"templateName": "cb_x"},),
     ("error", 404, "NotificationTemplateNotFoundError")),
    ("cancelEvent empty", [], PHONE, "cancelEvent", ("",), ("error", 400, "RejectAfterClientError")),
    ("createRecord", [], PHONE, "createRecord", ("contact", '{"fullname":"Cy"}'),
     ("ok", '{"entityType":"contact","id":"00000001-0000-4000-8000-000000c1f000"}')),
    ("createRecord object", [], PHONE, "createRecord", ("contact", {"fullname": "Cy"}),
     ("error", 400, "createRecord: data must be a string, got object")),
    ("retrieveRecord", [], PHONE, "retrieveRecord", ("contact", CONTACT_ID, "?$select=fullname"),
     ("ok", '{"fullname":"Ann Lee","contactid":"' + CONTACT_ID + '"}')),
    ("retrieveRecord missing", [], PHONE, "retrieveRecord", ("contact", "nope"),
     ("error", 404, "contact With Id = nope Does Not Exist")),
    ("searchAndOpenRecords", [], PHONE, "searchAndOpenRecords",
     ("contact", "?$select=fullname&$filter=contains(mobilephone,'0100')", True),
     ("ok", '{"0":{"fullname":"Ann Lee","contactid":"' + CONTACT_ID + '"}}')),
    ("searchAndOpenRecords 501", [], PHONE, "searchAndOpenRecords", ("contact", "?$search=x", True),
     ("error", 501, "searchAndOpenRecords: the query option '$search' is not emulated by py-apm")),
    ("openForm create", [], PHONE, "openForm", ('{"entityName":"contact"}',),
     ("ok", '{"savedEntityReference":[]}')),
    ("getEnvironment unknown frame", [], "stranger", "getEnvironment", (),
     ("error", 403, "Associated Provider record not found")),
    ("logAnalyticsEvent", [], PHONE, "logAnalyticsEvent", ({"a": 1}, "Accepted"), ("ok", None)),
    ("initLogAnalytics", [], PHONE, "initLogAnalytics", ({"a": 1},), ("ok", None)),
    ("updateRecord", [], PHONE, "updateRecord", ("contact", CONTACT_ID, '{"city":"Oslo"}'),
     ("ok", '{"entityType":"contact","id":"' + CONTACT_ID + '"}')),
    ("deleteRecord missing", [], PHONE, "deleteRecord", ("contact", "{00000000-0000-0000-0000-000000000001}"),
     ("error", 404, "contact With Id = 00000000-0000-0000-0000-000000000001 Does Not Exist")),
    ("closeTab", SESSION + [(PHONE, "createTab", ({"templateName": "cb_bing"},))], PHONE,
     "closeTab", ("tab-id-2",), ("ok", True)),
    ("notifyNewActivity", SESSION + [(PHONE, "createSession", (CALL,))], PHONE,
     "notifyNewActivity", ("session-id-1", 2), ("ok", None)),
    ("cancelEvent", [(PHONE, "notifyEvent", ({"templateName": "cb_incoming", "cancellationToken": "t"},))],
     PHONE, "cancelEvent", ("t",), ("ok", "t")),
]  # fmt: skip


def snake(js_name: str) -> str:
    from py_apm.model.members import python_name

    return python_name(f"cif.{js_name}")


@pytest.mark.parametrize(
    ("setup", "provider", "member", "args", "expected"),
    [pytest.param(*row[1:], id=row[0]) for row in ROWS],
)
def test_member(
    cws: Any,
    setup: list[tuple[str, str, tuple[Any, ...]]],
    provider: str,
    member: str,
    args: tuple[Any, ...],
    expected: tuple[Any, ...],
) -> None:
    for who, name, given in setup:
        getattr(cws, snake(name))(who, *given)
    call = getattr(cws, snake(member))
    if expected[0] == "ok":
        assert call(provider, *args) == expected[1]
        return
    before = cws.state()
    with pytest.raises(ApmError) as error:
        call(provider, *args)
    assert (error.value.code, error.value.message) == expected[1:]
    assert cws.state() == before


def test_every_member_has_a_row() -> None:
    from py_apm.model.members import members

    declared = {s.name.partition(".")[2] for s in members() if s.object == "cif"}
    # handlers take functions: tests/cif/test_face_js.py
    assert declared - {row[3] for row in ROWS} == {"addHandler", "removeHandler"}
