"""The pytest plugin's browser fixtures for real: one shared page, reset between tests."""

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
