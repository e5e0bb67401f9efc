"""The Contoso case panel, tested in the py-apm workspace (fixtures from py-apm's pytest plugin)."""

from __future__ import annotations

from playwright.sync_api import FrameLocator, Page, expect

OPEN_CASE = """async (caseNumber) => await Microsoft.Apm.createSession({
    templateName: "contoso_case_session",
    sessionContext: new Map([["caseNumber", caseNumber]]),
})"""


def open_case_panel(apm_page: Page, case_number: str) -> FrameLocator:
    """Open a case session; its anchor tab is the panel. Return the panel's frame."""
    apm_page.evaluate(OPEN_CASE, case_number)
    tab_id = apm_page.evaluate("Microsoft.Apm.getFocusedSession().getFocusedTab().tabId")
    return apm_page.frame_locator(f'[data-testid="tab-frame"][data-tab-id="{tab_id}"]')


def test_panel_shows_the_session_it_runs_in(apm_page: Page) -> None:
    panel = open_case_panel(apm_page, "CAS-01001")
    expect(panel.get_by_test_id("session-title")).to_have_text("Case CAS-01001")
    expect(panel.get_by_test_id("case-number")).to_have_text("CAS-01001")


def test_search_button_opens_a_focused_knowledge_tab(apm_page: Page) -> None:
    panel = open_case_panel(apm_page, "CAS-01002")
    before = apm_page.evaluate("Microsoft.Apm.getFocusedSession().getAllTabs().length")
    panel.get_by_test_id("search-kb").click()
    expect(panel.get_by_test_id("status")).to_have_text("Opened tab-id-2")
    session = apm_page.evaluate(
        """() => { const s = Microsoft.Apm.getFocusedSession();
                   return {count: s.getAllTabs().length, focused: s.getFocusedTab().title}; }"""
    )
    assert session == {"count": before + 1, "focused": "Knowledge: CAS-01002"}
