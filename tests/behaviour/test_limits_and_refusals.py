"""Decisions 11–14: limits, non-closable Home/anchor, unknown ids, bad arguments."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from py_apm import ApmError, JsMap

from .conftest import assert_refused, case_input, tab_input

MAX_SESSIONS = "Maximum sessions reached. Close a session before opening another."
MAX_TABS = "Maximum tabs reached. Close a tab in this session before opening another."


def _fill_to_ten(can_create: Callable[[], bool], create: Callable[[], object]) -> None:
    """Nine more (ten with Home or the anchor), each allowed beforehand; then no more allowed."""
    for _ in range(9):
        assert can_create() is True
        create()
    assert can_create() is False


def test_ten_sessions_including_home(apm):
    _fill_to_ten(apm.can_create_session, lambda: apm.create_session(case_input(isFocused=False)))
    assert_refused(apm, lambda: apm.create_session(case_input()), 409, MAX_SESSIONS)


def test_ten_tabs_per_session_including_anchor(apm):
    apm.create_session(case_input())
    session = apm.get_focused_session()
    _fill_to_ten(session.can_create_tab, lambda: apm.create_tab(tab_input(isFocused=False)))
    assert_refused(apm, lambda: apm.create_tab(tab_input()), 409, MAX_TABS)


def test_home_tabs_have_the_same_limit(apm):
    for _ in range(9):
        apm.create_tab(tab_input(isFocused=False))
    with pytest.raises(ApmError, match="Maximum tabs reached"):
        apm.create_tab(tab_input())


def test_home_cannot_be_closed_and_the_refusal_is_logged(apm):
    before = apm.state()
    assert apm.get_focused_session().close() is False
    assert apm.state() == before
    last = apm.calls()[-1]
    assert (last["method"], last["refused"], last["reason"]) == (
        "session.close",
        True,
        "The Home session cannot be closed.",
    )


def test_anchor_tab_cannot_be_closed(apm):
    apm.create_session(case_input())
    before = apm.state()
    assert apm.close_tab("tab-id-1") is False
    assert apm.get_focused_session().get_focused_tab().close() is False
    assert apm.state() == before
    refused = [(c["method"], c["reason"]) for c in apm.calls() if c["refused"]]
    reason = "The anchor tab of a session cannot be closed."
    assert refused == [("closeTab", reason), ("tab.close", reason)]


def test_can_close_false_only_hides_the_button(apm):
    apm.create_session(case_input())
    tid = apm.create_tab(tab_input())
    session = apm.get_focused_session()
    session.can_close = False
    session.get_tab(tid).can_close = False
    assert (session.can_close, session.get_tab(tid).can_close) == (False, False)
    apm.close_tab(tid)
    assert session.get_all_tabs() == ["tab-id-1"]
    session.close()
    assert apm.get_all_sessions() == ["session-id-0"]


def test_home_and_anchor_can_close_cannot_become_true(apm):
    apm.create_session(case_input())
    home = apm.get_session("session-id-0")
    home.can_close = True
    anchor = apm.get_focused_session().get_focused_tab()
    anchor.can_close = True
    assert (home.can_close, anchor.can_close) == (False, False)


def test_close_tab_needs_a_tab_of_the_focused_session(apm):
    apm.create_session(case_input())
    other = apm.create_session(case_input(isFocused=False))
    tid = apm.get_session(other).create_tab(tab_input(isFocused=False))
    before = apm.state()
    for call in (apm.close_tab, apm.focus_tab, apm.refresh_tab):
        with pytest.raises(ApmError) as error:
            call(tid)
        assert error.value.code == 404
        assert (
            f"tab '{tid}' is not a tab of the focused session 'session-id-1'" in error.value.message
        )
    with pytest.raises(ApmError) as error:
        apm.close_tab("tab-id-99")
    assert error.value.message == (
        "closeTab: tab 'tab-id-99' is not a tab of the focused session 'session-id-1'"
    )
    assert apm.state() == before


@pytest.mark.parametrize(
    ("session_input", "message"),
    [
        (None, "createSession: SessionInput is required, got null"),
        ({}, "createSession: SessionInput.templateName is required"),
        (
            {"templateName": 5},
            "createSession: SessionInput.templateName must be a string, got number",
        ),
        ({"templateName": "  "}, "createSession: SessionInput.templateName must not be empty"),
        (
            {"templateName": "x", "sessionContext": 7},
            "createSession: SessionInput.sessionContext must be a Map, an object or a JSON string, got number",
        ),
        (
            {"templateName": "x", "isFocused": "yes"},
            "createSession: SessionInput.isFocused must be true or false, got string",
        ),
        (
            {"templateName": "x", "sessionContext": {"parametersStr": "[[1, 2]"}},
            "createSession: SessionInput.sessionContext.parametersStr is not valid JSON: '[[1, 2]'",
        ),
        (
            {"templateName": "x", "sessionContext": JsMap(((1, "a"),))},
            "createSession: SessionInput.sessionContext is a Map with a number key; keys must be strings",
        ),
        ("{not json", "createSession: SessionInput is a string but not JSON text of an object"),
    ],
)
def test_bad_session_input_is_refused_without_change(apm, session_input, message):
    before = apm.state()
    with pytest.raises(ApmError) as error:
        apm.create_session(session_input)
    assert error.value.code == 400
    assert error.value.message.replace("got undefined", "got null") == message
    assert apm.state() == before


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda a: a.get_session(5), "getSession: sessionId must be a string, got number"),
        (lambda a: a.close_tab(["tab-id-0"]), "closeTab: tabId must be a string, got array"),
        (
            lambda a: a.create_tab({"appContext": {}}),
            "createTab: AppTabInput.templateName is required",
        ),
        (
            lambda a: a.get_event_publisher_topic("ON_SOMETHING"),
            "getEventPublisherTopic: unknown event name 'ON_SOMETHING' "
            "(known: ON_SESSION_SWITCH, ON_SESSION_CLOSED, ON_TAB_SWITCH)",
        ),
        (
            lambda a: a.get_focused_session().update_context(3),
            "session.updateContext: input must be a Map, an object or a JSON string, got number",
        ),
        (
            lambda a: a.get_focused_session().resolve_slug(None),
            "session.resolveSlug: input must be a string, got ",
        ),
    ],
)
def test_bad_arguments_name_the_call_and_argument(apm, call, message):
    before = apm.state()
    with pytest.raises(ApmError) as error:
        call(apm)
    assert error.value.code == 400
    assert error.value.message.startswith(message)
    assert apm.state() == before


def test_objects_of_closed_sessions_and_tabs_report_404(apm):
    apm.create_session(case_input())
    tid = apm.create_tab(tab_input())
    session = apm.get_focused_session()
    tab = session.get_tab(tid)
    tab.close()
    with pytest.raises(ApmError) as error:
        tab.title = "x"
    assert (error.value.code, error.value.message) == (404, f"tab.title: tab '{tid}' is not open")
    session.close()
    with pytest.raises(ApmError) as error:
        session.focus()
    assert error.value.message == "session.focus: session 'session-id-1' is not open"
