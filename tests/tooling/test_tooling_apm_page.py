"""The pytest plugin's browser fixtures for real: apm_page isolated between tests (docs/isolation.md),
apm_shared_page reset only, a crashed page replaced."""

from __future__ import annotations

import pytest

CREATE = (
    "Microsoft.Apm.createSession({templateName: 'msdyn_chat_session',"
    " sessionContext: {customerName: 'Contoso'}})"
)


def test_page_is_ready_with_home_only(apm_page):
    assert apm_page.evaluate("PyApm.isReady") is True
    assert apm_page.evaluate("PyApm.state().sessions.length") == 1
    apm_page.evaluate(CREATE)
    assert apm_page.evaluate("PyApm.state().sessions.length") == 2


def test_reset_between_tests_and_console(apm_page, apm_console):
    assert apm_page.evaluate("PyApm.state().sessions.length") == 1  # the session above is gone
    assert apm_page.evaluate("PyApm.calls().length") == 0
    apm_page.evaluate("console.warn('from the test')")
    apm_page.evaluate("0")
    assert ("warning", "from the test") in [(e.type, e.text) for e in apm_console]


@pytest.mark.apm_config({"returns": "documented"})
def test_apm_config_marker(apm_page):
    assert apm_page.evaluate("PyApm.configure({}).returns") == "documented"
    assert apm_page.evaluate("typeof Microsoft.Apm.focusTab('tab-id-0')") == "undefined"


def test_options_back_to_defaults(apm_page):
    assert apm_page.evaluate("PyApm.configure({}).returns") == "runtime"
    assert apm_page.evaluate("Microsoft.Apm.focusTab('tab-id-0') instanceof Promise") is True


def test_survives_navigation_away(apm_page):
    apm_page.goto("about:blank")


def test_after_navigation_away(apm_page):
    assert apm_page.evaluate("PyApm.state().sessions.length") == 1


@pytest.mark.apm_fresh_page
def test_fresh_page(apm_page, apm_shared_page):
    assert apm_page is not apm_shared_page
    assert apm_page.evaluate("PyApm.state().sessions.length") == 1


def test_leaves_a_global_and_a_route(apm_page):
    apm_page.evaluate("window.__left = 1; localStorage.setItem('left', '1')")
    apm_page.route("**/left-route", lambda route: route.fulfill(status=200, body="left"))


def test_isolated_from_the_test_before(apm_page):
    assert apm_page.evaluate("'__left' in window") is False
    assert apm_page.evaluate("localStorage.getItem('left')") is None
    assert apm_page.evaluate("fetch('/left-route').then((r) => r.status)") == 404


def test_crashes_the_page(apm_page):
    """Issue 25: a crashed page is not "closed"; the next test must get a new one."""
    with pytest.raises(Exception, match="crash"):
        apm_page.goto("chrome://crash", timeout=10_000)


def test_after_a_crash(apm_page, _apm_isolated_handle):
    # the crash event, or the failing evaluate that saw it first, made the fixture renew it
    assert "crash" in _apm_isolated_handle.renewed
    assert apm_page.evaluate("PyApm.state().sessions.length") == 1


def test_shared_page_resets_only_the_workspace(apm_shared_page):
    apm_shared_page.evaluate("window.__toolingSharedLeft = (window.__toolingSharedLeft || 0) + 1")
    apm_shared_page.evaluate(CREATE)


def test_shared_page_keeps_the_rest(apm_shared_page):
    assert apm_shared_page.evaluate("window.__toolingSharedLeft") == 1  # the trade: globals stay
    assert apm_shared_page.evaluate("PyApm.state().sessions.length") == 1  # the model is reset
