"""Sessions and tabs from an Xrm `{pageInput, options}` (`Xrm.App.sessions.createSession`,
`session.tabs.createTab`): natively `create_page_session` / `create_page_tab`."""

from __future__ import annotations

import pytest

from py_apm import ApmError

from .conftest import CASE, assert_refused


def test_an_entity_record_opens_in_its_entity_session_template(apm):
    sid = apm.create_page_session(
        {"pageInput": {"pageType": "entityrecord", "entityName": "incident", "entityId": "11bb"}}
    )
    session = apm.state()["sessions"][-1]
    assert (sid, session["templateName"], apm.state()["focusedSessionId"]) == (
        "session-id-1",
        CASE,
        "session-id-1",
    )
    assert session["tabs"][0]["parameters"] == {"entityName": "incident", "entityId": "11bb"}
    assert apm.take_events()[0] == {
        "name": "ON_SESSION_SWITCH",
        "data": {"previousSessionId": "session-id-0", "newSessionId": "session-id-1"},
    }


def test_another_page_is_the_anchor_of_a_session_with_the_options(apm):
    sid = apm.create_page_session(
        {
            "pageInput": {"pageType": "webresource", "webresourceName": "a.html", "data": {"x": 1}},
            "options": {
                "title": "Side work",
                "canBeClosed": False,
                "isFocused": False,
                "isFocusRequested": True,
            },
        }
    )
    session = apm.state()["sessions"][-1]
    assert apm.state()["focusedSessionId"] == "session-id-0"
    assert (
        session["sessionId"],
        session["title"],
        session["canClose"],
        session["notification"],
        session["templateName"],
    ) == (sid, "Side work", False, True, None)
    anchor = session["tabs"][0]
    assert (anchor["pageType"], anchor["isAnchor"], anchor["canClose"], anchor["url"]) == (
        "webresource",
        True,
        False,
        "webresources/a.html?data=%7B%22x%22%3A1%7D",
    )
    assert anchor["parameters"] == {"webresourceName": "a.html", "data": '{"x":1}'}


def test_a_page_tab_in_a_background_session_focuses_it(apm):
    apm.create_page_session(
        {"pageInput": {"pageType": "dashboard"}, "options": {"isFocused": False}}
    )
    apm.take_events()
    tid = apm.create_page_tab(
        "session-id-1",
        {
            "pageInput": {"pageType": "entitylist", "entityName": "account"},
            "options": {"title": "Accounts", "canBeClosed": False},
        },
    )
    tab = apm.state()["sessions"][1]["tabs"][-1]
    assert (tid, tab["title"], tab["canClose"], tab["pageType"]) == (
        "tab-id-2",
        "Accounts",
        False,
        "entitylist",
    )
    assert apm.state()["focusedSessionId"] == "session-id-1"
    assert [e["name"] for e in apm.take_events()] == ["ON_SESSION_SWITCH", "ON_TAB_SWITCH"]


@pytest.mark.parametrize(
    ("tab_input", "message"),
    [
        ([], "tabs.createTab: TabInput must be a Map, an object or a JSON string, got array"),
        ({}, "tabs.createTab: TabInput.pageInput is required, got undefined"),
        (
            {"pageInput": {"pageType": "inlinedialog", "uniqueName": "x"}},
            "tabs.createTab: TabInput.pageInput.pageType 'inlinedialog' opens a dialog, not a tab",
        ),
        (
            {"pageInput": {"pageType": "entityrecord"}},
            "tabs.createTab: TabInput.pageInput.entityName is required for pageType 'entityrecord'",
        ),
        (
            {"pageInput": {"pageType": "form"}},
            "tabs.createTab: TabInput.pageInput.pageType 'form' is not one of: entityrecord, "
            "entitylist, dashboard, search, webresource, control, custom",
        ),
        (
            {"pageInput": {"pageType": "search"}, "options": {"isFocused": "yes"}},
            "tabs.createTab: TabInput.options.isFocused must be true or false, got string",
        ),
    ],
)
def test_bad_page_input_is_a_400_and_changes_nothing(apm, tab_input, message):
    assert_refused(apm, lambda: apm.create_page_tab("session-id-0", tab_input), 400, message)


def test_page_tabs_and_sessions_keep_the_limits(apm):
    for _ in range(9):
        apm.create_page_tab(
            "session-id-0", {"pageInput": {"pageType": "search", "searchText": "x"}}
        )
    with pytest.raises(ApmError, match="Maximum tabs reached") as error:
        apm.create_page_tab("session-id-0", {"pageInput": {"pageType": "search"}})
    assert error.value.code == 409
    for _ in range(9):
        apm.create_page_session({"pageInput": {"pageType": "control", "controlName": "c"}})
    with pytest.raises(ApmError, match="Maximum sessions reached"):
        apm.create_page_session({"pageInput": {"pageType": "control", "controlName": "c"}})
