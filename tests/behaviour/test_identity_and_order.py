"""Decisions 1, 5–8: return shapes, the Home session, ids, order, isFocused defaults."""

from __future__ import annotations

from .conftest import case_input, tab_input


def test_home_session_always_exists(apm):
    assert apm.get_all_sessions() == ["session-id-0"]
    home = apm.get_focused_session()
    assert (home.session_id, home.is_default, home.title, home.can_close) == (
        "session-id-0",
        True,
        "Home",
        False,
    )
    assert home.get_focused_tab().tab_id == "tab-id-0"
    assert home.get_all_tabs() == ["tab-id-0"]


def test_ids_count_up_and_are_not_reused(apm):
    first = apm.create_session(case_input())
    second = apm.create_session(case_input())
    assert (first, second) == ("session-id-1", "session-id-2")
    assert apm.get_session(second).get_all_tabs() == ["tab-id-2"]
    apm.get_session(second).close()
    assert apm.create_session(case_input()) == "session-id-3"
    assert apm.create_tab(tab_input()) == "tab-id-4"


def test_reset_restarts_ids_and_keeps_only_home(apm):
    apm.create_session(case_input())
    apm.reset()
    assert apm.get_all_sessions() == ["session-id-0"]
    assert apm.create_session(case_input()) == "session-id-1"


def test_sessions_in_creation_order_home_first(apm):
    ids = [apm.create_session(case_input(isFocused=False)) for _ in range(3)]
    assert apm.get_all_sessions() == ["session-id-0", *ids]


def test_tabs_anchor_first_then_creation_order(apm):
    apm.create_session(case_input())
    created = [apm.create_tab(tab_input(isFocused=False)) for _ in range(3)]
    assert apm.get_focused_session().get_all_tabs() == ["tab-id-1", *created]


def test_create_session_focuses_by_default_on_its_anchor_tab(apm):
    sid = apm.create_session(case_input())
    session = apm.get_focused_session()
    assert session.session_id == sid
    assert session.get_focused_tab().tab_id == session.get_all_tabs()[0]


def test_create_session_not_focused_keeps_focus(apm):
    sid = apm.create_session(case_input(isFocused=False))
    assert apm.get_focused_session().session_id == "session-id-0"
    assert sid in apm.get_all_sessions()
    assert apm.take_events() == []


def test_create_tab_focuses_by_default_and_not_when_asked(apm):
    apm.create_session(case_input())
    focused = apm.create_tab(tab_input())
    assert apm.get_focused_session().get_focused_tab().tab_id == focused
    apm.create_tab(tab_input(isFocused=False))
    assert apm.get_focused_session().get_focused_tab().tab_id == focused


def test_create_tab_goes_to_the_focused_session(apm):
    apm.create_session(case_input())
    apm.create_session(case_input(isFocused=False))
    tid = apm.create_tab(tab_input())
    assert apm.get_session("session-id-1").get_all_tabs() == ["tab-id-1", tid]
    assert apm.get_session("session-id-2").get_all_tabs() == ["tab-id-2"]


def test_get_session_and_get_tab_of_unknown_ids_are_null(apm):
    assert apm.get_session("session-id-42") is None
    assert apm.get_focused_session().get_tab("tab-id-42") is None


def test_get_tab_only_finds_tabs_of_that_session(apm):
    apm.create_session(case_input())
    assert apm.get_session("session-id-0").get_tab("tab-id-1") is None
    assert apm.get_session("session-id-1").get_tab("tab-id-1").tab_id == "tab-id-1"


def test_titles_are_settable_except_home(apm):
    apm.create_session(case_input())
    session = apm.get_focused_session()
    session.title = "Testing"
    tab = session.get_focused_tab()
    tab.title = "New Tab Title"
    assert (session.title, tab.title) == ("Testing", "New Tab Title")
    home = apm.get_session("session-id-0")
    home.title = "Renamed"
    assert home.title == "Home"
    assert apm.calls()[-1]["refused"] is True


def test_topics_are_strings_unique_per_event(apm):
    topics = {
        apm.get_event_publisher_topic(n)
        for n in ("ON_SESSION_SWITCH", "ON_SESSION_CLOSED", "ON_TAB_SWITCH")
    }
    assert len(topics) == 3 and all(isinstance(t, str) and t for t in topics)
