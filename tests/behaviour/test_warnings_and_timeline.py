"""Warnings where the real app silently differs (stable codes), the timeline, the launcher
members (native model; the page tests drive the same through Chromium)."""

from __future__ import annotations

from typing import Any

import pytest

from py_apm import ApmError, Workspace
from py_apm.bridge.wire import Bridge
from py_apm.model.warnings import CODES

from .conftest import case_input, tab_input

RECORD_ID = "11bb11bb-cc22-dd33-ee44-55ff55ff55ff"
RECORDS = {"incident": {RECORD_ID: {"title": "Printer jam", "ticketnumber": "CAS-01003"}}}


def codes(ws: Workspace) -> list[str]:
    """Warning codes of the newest call."""
    return [w["code"] for w in ws.calls()[-1]["warnings"]]


def test_codes_are_stable() -> None:
    assert CODES == {
        "APM-W001": "unused-context-key",
        "APM-W002": "background-frame",
        "APM-W003": "closed-id",
        "APM-W004": "empty-slug",
        "APM-W005": "unknown-template",
        "APM-W006": "template-name-spaces",
        "APM-W007": "refused",
        "APM-W008": "missing-record",
        "APM-W009": "cif-differs",
    }


def test_a_clean_call_has_no_warning() -> None:
    ws = Workspace({"records": RECORDS})
    ws.create_session(case_input())
    call = ws.calls()[-1]
    assert (call["warning"], call["warnings"], call["frame"]) == (None, [], None)
    assert ws.get_focused_session().title == "Printer jam"


def test_unused_app_context_key() -> None:
    ws = Workspace()
    before = ws.state()
    ws.create_tab(tab_input(data="x") | {"appContext": {"url": "https://x.test", "data": "d"}})
    assert codes(ws) == ["APM-W001"]
    message = ws.calls()[-1]["warnings"][0]["message"]
    assert "'url'" in message and "msdyn_omnichannel_kbsearch" in message
    assert "webresourceName, data" in message
    assert ws.state()["revision"] > before["revision"]  # the tab still opened


def test_app_context_key_read_by_a_template_slug_is_used() -> None:
    ws = Workspace(
        {"tabTemplates": [{"uniqueName": "new_site", "title": "{q}", "pageType": "Search",
                           "parameters": {"searchText": "{q}"}}]}
    )  # fmt: skip
    ws.create_tab({"templateName": "new_site", "appContext": {"q": "printer"}})
    assert codes(ws) == []


def test_unused_parameters_str_name() -> None:
    ws = Workspace({"records": RECORDS})
    context = {
        "parametersStr": f'[["entityName","incident"],["entityId","{RECORD_ID}"],["url","x"]]'
    }
    ws.create_session({"templateName": "case_entity_session_default_template",
                       "sessionContext": context})  # fmt: skip
    assert codes(ws) == ["APM-W001"]
    assert "sessionContext parametersStr key(s) 'url'" in ws.calls()[-1]["warning"]


def test_empty_slug_in_session_title_and_resolve_slug() -> None:
    ws = Workspace()
    ws.create_session({"templateName": "msdyn_chat_session", "sessionContext": {"x": "1"}})
    assert codes(ws) == ["APM-W004", "APM-W004"]  # the anchor's {LiveWorkItemId}, the title
    texts = [w["message"] for w in ws.calls()[-1]["warnings"]]
    assert "{LiveWorkItemId}" in texts[0] and "{customerName}" in texts[1]
    assert ws.get_focused_session().resolve_slug("{x} {nope}") == "1 "
    assert codes(ws) == ["APM-W004"] and "{nope}" in ws.calls()[-1]["warning"]


def test_incoming_conversation_is_clean() -> None:
    ws = Workspace()
    context = {"customerName": "Alex Wu", "LiveWorkItemId": "9f1c"}
    ws.create_session({"templateName": "msdyn_chat_session", "sessionContext": context})
    assert codes(ws) == []
    anchor = ws.state()["sessions"][1]["tabs"][0]
    assert (
        anchor["parameters"]["entityId"] == "9f1c" and ws.get_focused_session().title == "Alex Wu"
    )


def test_case_without_record_is_new_case_with_a_warning() -> None:
    ws = Workspace()
    ws.create_session(case_input())
    session = ws.state()["sessions"][1]
    assert session["title"] == "New Case" and session["tabs"][0]["title"] == "New Case"
    assert codes(ws) == ["APM-W008", "APM-W004"]
    assert '"records": {"incident": {"' + RECORD_ID in ws.calls()[-1]["warnings"][0]["message"]


def test_unknown_template_and_spaces() -> None:
    ws = Workspace()
    ws.create_tab({"templateName": "new_nothing"})
    assert codes(ws) == ["APM-W005"]
    ws.create_tab({"templateName": " msdyn_omnichannel_kbsearch"})
    assert codes(ws) == ["APM-W006"]


def test_refusal_has_a_code() -> None:
    ws = Workspace()
    ws.get_focused_session().close()
    call = ws.calls()[-1]
    assert call["refused"] and codes(ws) == ["APM-W007"]


def test_closed_ids() -> None:
    ws = Workspace()
    sid = ws.create_session(case_input())
    tid = ws.create_tab(tab_input())
    ws.close_tab(tid)
    with pytest.raises(ApmError) as error:
        ws.focus_tab(tid)
    assert error.value.code == 404 and codes(ws) == ["APM-W003"]
    assert "closed tab ('Knowledge Search') of 'session-id-1'" in ws.calls()[-1]["warning"]
    assert ws.get_session(sid) is not None
    ws.get_session(sid).close()
    assert ws.get_session(sid) is None and codes(ws) == ["APM-W003"]
    assert ws.session_of_tab(tid) == sid


def test_unknown_id_is_not_a_closed_id() -> None:
    ws = Workspace()
    assert ws.get_session("session-id-7") is None
    assert codes(ws) == []


def test_background_frame() -> None:
    ws = Workspace()
    s1 = ws.create_session(case_input())
    frame_tab = ws.create_tab(tab_input())
    ws.create_session(case_input("22222222-0000-0000-0000-000000000000"))
    bridge = Bridge(ws)
    bridge.call("pyapm.setCaller", frame_tab)
    assert bridge.call("getFocusedSession") == "session-id-2"
    bridge.call("pyapm.setCaller", None)
    call = ws.calls()[-1]
    assert call["frame"] == frame_tab and codes(ws) == ["APM-W002"]
    assert f"session '{s1}'" in call["warning"] and "getSession('session-id-1')" in call["warning"]
    assert bridge.call("getFocusedSession") == "session-id-2" and ws.calls()[-1]["frame"] is None


def test_frame_of_the_focused_session_is_fine() -> None:
    ws = Workspace()
    ws.create_session(case_input())
    frame_tab = ws.create_tab(tab_input())
    ws.set_caller(frame_tab)
    ws.create_tab(tab_input())
    ws.set_caller(None)
    assert codes(ws) == [] and ws.calls()[-1]["frame"] == frame_tab


def rows(ws: Workspace, **match: Any) -> list[dict[str, Any]]:
    return [r for r in ws.timeline() if all(r[k] == v for k, v in match.items())]


def test_timeline_rows() -> None:
    ws = Workspace()
    topic = ws.get_event_publisher_topic("ON_TAB_SWITCH")
    sid = ws.create_session(case_input())
    kinds = [r["kind"] for r in ws.timeline()]
    assert kinds == ["call", "call", "warning", "warning", "event", "event", "event", "focus"]
    created, session_switch, tab_switch = rows(ws, kind="event")
    assert created["event"] == "SESSION_CREATED" and created["posted"] is None
    assert created["topic"] is None and "handlers only" in created["text"]
    assert session_switch["posted"] is False and "not posted" in session_switch["text"]
    assert tab_switch["posted"] is True and tab_switch["topic"] == topic
    assert tab_switch["data"]["tabId"] == "tab-id-1"
    assert {r["session"] for r in ws.timeline()[1:]} == {sid}
    focus = rows(ws, kind="focus")[0]
    assert focus["text"] == "focus → session-id-1 / tab-id-1 (was session-id-0 / tab-id-0)"
    assert set(ws.timeline()[0]) == set(focus)  # every row has the same keys


def test_timeline_refusal_error_notice_ui() -> None:
    ws = Workspace()
    ws.get_focused_session().close()
    with pytest.raises(ApmError):
        ws.focus_tab("tab-id-9")
    ws.ui_focus_session("session-id-0")
    for _ in range(9):
        ws.create_tab(tab_input())
    with pytest.raises(ApmError):
        ws.create_tab(tab_input())
    kinds = [r["kind"] for r in ws.timeline()]
    assert kinds[:4] == ["call", "refusal", "error", "ui"]  # getFocusedSession, close, ...
    assert kinds[-2:] == ["error", "notice"]
    assert rows(ws, kind="refusal")[0]["reason"] == "The Home session cannot be closed."
    assert "Maximum tabs reached" in rows(ws, kind="notice")[0]["message"]


def test_timeline_since_gives_the_rows_of_later_calls() -> None:
    ws = Workspace()
    ws.create_session(case_input())
    rows = ws.timeline()
    last = rows[-1]["seq"]
    ws.create_tab(tab_input())
    later = ws.timeline(last)
    assert [r["kind"] for r in later] == [
        "call",
        "event",
        "event",
        "focus",
    ]  # TAB_CREATED, ON_TAB_SWITCH
    assert ws.timeline() == rows + later and ws.timeline(ws.timeline()[-1]["seq"]) == []
    assert Bridge(ws).call("pyapm.timeline", float(last)) == later  # JS numbers
    assert Bridge(ws).call("pyapm.timeline", None) == rows + later


def test_clear_timeline_keeps_calls() -> None:
    ws = Workspace()
    ws.create_session(case_input())
    ws.clear_timeline()
    assert ws.timeline() == [] and len(ws.calls()) == 1
    ws.create_tab(tab_input())
    assert [r["member"] for r in rows(ws, kind="call")] == ["createTab"]
    ws.reset()
    assert ws.timeline() == []


def test_launcher_members_are_ui() -> None:
    ws = Workspace()
    bridge = Bridge(ws)
    sid = bridge.call("ui.createSession", case_input())
    bridge.call("ui.setRecord", "incident", "{" + RECORD_ID.upper() + "}", {"title": "Jam"})
    assert ws.get_focused_session().title == "New Case"  # cached until refreshed (rule 19b)
    bridge.call("ui.refreshContext", sid)
    assert ws.get_focused_session().resolve_slug("{anchor.title}") == "Jam"
    tid = bridge.call("ui.createTab", tab_input())
    wr = bridge.call("ui.openWebResource", "my_page.html", '{"a":1}')
    tab = ws.state()["sessions"][1]["tabs"][-1]
    assert (tab["tabId"], tab["pageType"], tab["url"]) == (
        wr,
        "webresource",
        "webresources/my_page.html?data=%7B%22a%22%3A1%7D",
    )
    assert tid != wr
    ui = [c for c in ws.calls() if c["method"].startswith("ui.")]
    assert [c["method"] for c in ui] == [
        "ui.createSession", "ui.setRecord", "ui.refreshContext", "ui.createTab",
        "ui.openWebResource",
    ]  # fmt: skip
    assert {c["origin"] for c in ui} == {"ui"}
    assert [w["code"] for w in ui[-1]["warnings"]] == []  # no unknown-template warning


def test_launcher_bad_input_changes_nothing() -> None:
    ws = Workspace()
    bridge = Bridge(ws)
    before = ws.state()
    for member, args in (("ui.setRecord", ("", "1", {})), ("ui.setRecord", ("a", "1", 3)),
                         ("ui.openWebResource", (" ",)), ("ui.createSession", ({},))):  # fmt: skip
        with pytest.raises(ApmError) as error:
            bridge.call(member, *args)
        assert error.value.code == 400, member
    assert ws.state() == before and ws.options.records == {}


def test_catalog_lists_templates_and_records() -> None:
    ws = Workspace({"records": RECORDS})
    catalog = Bridge(ws).call("pyapm.catalog")
    names = [t["uniqueName"] for t in catalog["sessionTemplates"]]
    assert names == ["case_entity_session_default_template", "msdyn_chat_session"]
    kb = next(t for t in catalog["tabTemplates"] if t["uniqueName"] == "msdyn_omnichannel_kbsearch")
    assert kb["pageTypeName"] == "Web resource" and kb["takes"] == ["webresourceName", "data"]
    assert catalog["records"]["incident"][RECORD_ID]["ticketnumber"] == "CAS-01003"
