"""Decisions 9, 10, 20, 24: MRU focus, requestFocus indicators, the three events."""

from __future__ import annotations

from .conftest import case_input, tab_input


def switch(prev, new):
    return {"name": "ON_SESSION_SWITCH", "data": {"previousSessionId": prev, "newSessionId": new}}


def tab_switch(prev_s, prev_t, s, t):
    data = {"previousSessionId": prev_s, "previousTabId": prev_t, "sessionId": s, "tabId": t}
    return {"name": "ON_TAB_SWITCH", "data": data}


def test_create_session_publishes_session_and_tab_switch(apm):
    apm.create_session(case_input())
    assert apm.take_events() == [
        switch("session-id-0", "session-id-1"),
        tab_switch("session-id-0", "tab-id-0", "session-id-1", "tab-id-1"),
    ]


def test_focus_publishes_switch_and_focusing_focused_session_does_nothing(apm):
    apm.create_session(case_input())
    apm.take_events()
    apm.get_session("session-id-1").focus()
    assert apm.take_events() == []
    apm.get_session("session-id-0").focus()
    assert apm.take_events() == [
        switch("session-id-1", "session-id-0"),
        tab_switch("session-id-1", "tab-id-1", "session-id-0", "tab-id-0"),
    ]


def test_closing_focused_session_goes_to_most_recently_focused(apm):
    a = apm.create_session(case_input())
    b = apm.create_session(case_input())
    apm.get_session(a).focus()
    apm.get_session(b).focus()
    apm.create_session(case_input(isFocused=False))
    apm.take_events()
    apm.get_session(b).close()
    assert apm.get_focused_session().session_id == a
    assert apm.take_events() == [
        {"name": "ON_SESSION_CLOSED", "data": {"sessionId": b}},
        switch(b, a),
        tab_switch(b, "tab-id-2", a, "tab-id-1"),
    ]
    apm.get_session(a).close()
    assert apm.get_focused_session().session_id == "session-id-0"


def test_closing_background_session_keeps_focus_and_publishes_only_closed(apm):
    apm.create_session(case_input())
    bg = apm.create_session(case_input(isFocused=False))
    apm.take_events()
    apm.get_session(bg).close()
    assert apm.get_focused_session().session_id == "session-id-1"
    assert apm.take_events() == [{"name": "ON_SESSION_CLOSED", "data": {"sessionId": bg}}]


def test_closing_focused_tab_goes_to_most_recently_focused_tab(apm):
    apm.create_session(case_input())
    t2 = apm.create_tab(tab_input())
    t3 = apm.create_tab(tab_input())
    apm.focus_tab(t2)
    apm.focus_tab(t3)
    apm.take_events()
    apm.close_tab(t3)
    assert apm.get_focused_session().get_focused_tab().tab_id == t2
    assert apm.take_events() == [tab_switch("session-id-1", t3, "session-id-1", t2)]
    apm.close_tab(t2)
    assert apm.get_focused_session().get_focused_tab().tab_id == "tab-id-1"


def test_focus_tab_publishes_tab_switch(apm):
    apm.create_session(case_input())
    t2 = apm.create_tab(tab_input(isFocused=False))
    apm.take_events()
    apm.focus_tab(t2)
    assert apm.take_events() == [tab_switch("session-id-1", "tab-id-1", "session-id-1", t2)]


def test_focusing_tab_of_background_session_focuses_that_session(apm):
    apm.create_session(case_input())
    bg = apm.create_session(case_input(isFocused=False))
    background = apm.get_session(bg)
    tid = background.create_tab(tab_input(isFocused=False))
    apm.take_events()
    background.get_tab(tid).focus()
    assert apm.get_focused_session().session_id == bg
    assert apm.get_focused_session().get_focused_tab().tab_id == tid
    assert apm.take_events() == [
        switch("session-id-1", bg),
        tab_switch("session-id-1", "tab-id-1", bg, tid),
    ]


def test_request_focus_sets_indicator_without_moving_focus(apm):
    apm.create_session(case_input())
    bg = apm.create_session(case_input(isFocused=False))
    apm.take_events()
    apm.get_session(bg).request_focus()
    state = apm.state()
    assert state["focusedSessionId"] == "session-id-1"
    assert [s["notification"] for s in state["sessions"]] == [False, False, True]
    assert apm.take_events() == []
    apm.get_session(bg).focus()
    assert [s["notification"] for s in apm.state()["sessions"]] == [False, False, False]


def test_request_focus_on_focused_session_does_nothing(apm):
    apm.create_session(case_input())
    before = apm.state()
    apm.get_focused_session().request_focus()
    assert apm.state() == before


def test_refresh_counts_and_keeps_focus(apm):
    apm.create_session(case_input())
    tid = apm.create_tab(tab_input())
    apm.refresh_tab(tid)
    apm.get_focused_session().get_tab(tid).refresh()
    tab = apm.state()["sessions"][1]["tabs"][1]
    assert (tab["tabId"], tab["refreshCount"]) == (tid, 2)
    assert apm.get_focused_session().get_focused_tab().tab_id == tid
