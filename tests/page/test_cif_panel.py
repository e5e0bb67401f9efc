"""The workspace page with a channel provider: the communication panel, the sample softphone end
to end, notification toasts, session indicators, click-to-act and the launcher's incoming call."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.skipif(
    bool(os.environ.get("PY_APM_PAGE_FAKE")), reason="the CIF needs the real shim"
)

CONFIG = json.loads((REPO / "examples" / "cif" / "softphone.config.json").read_text("utf-8"))
PROVIDER = "sample_softphone"
FRAME = f'[data-testid="provider-frame"][data-provider="{PROVIDER}"]'


@pytest.fixture(scope="module")
def cif_page(browser: Any, page_server: str) -> Iterator[Any]:
    """One workspace page per module configured with the sample softphone."""
    context = browser.new_context(viewport={"width": 1366, "height": 800})
    page = context.new_page()
    page.goto(page_server)
    page.wait_for_function("window.PyApm && window.PyApm.isReady", timeout=60_000)
    page.evaluate("(c) => PyApm.configure(c)", CONFIG)
    yield page
    context.close()


@pytest.fixture
def ws(cif_page: Any) -> Any:
    """Home only, the softphone reloaded (it registers its handlers at start) and ready."""
    page = cif_page
    page.evaluate("() => { PyApm.reset(); PyApmWorkspace.render(); }")
    page.wait_for_selector(FRAME, state="attached")
    # The old document's button is disabled first: the wait below must see the new document's
    # (a reload is asynchronous, and a click on the old one is lost with it).
    page.evaluate(
        f"""() => {{
          const w = document.querySelector('{FRAME}').contentWindow;
          const old = w.document.querySelector('[data-testid="softphone-incoming"]');
          if (old) old.disabled = true;
          w.location.reload();
        }}"""
    )
    phone().locator('[data-testid="softphone-incoming"]:not([disabled])').wait_for()
    page.wait_for_function("PyApm.cif().mode === 1")  # the softphone docked the panel
    return page


_page: list[Any] = []


@pytest.fixture(autouse=True)
def _remember(cif_page: Any) -> None:
    _page[:] = [cif_page]


def phone() -> Any:
    return _page[0].frame_locator(FRAME)


def test_the_panel_is_docked_left_of_the_tabs(ws: Any) -> None:
    panel = ws.locator('[data-testid="cif-panel"]')
    assert panel.get_attribute("data-mode") == "docked"
    sessions = ws.locator('[data-testid="session-panel"]').bounding_box()
    box = panel.bounding_box()
    tabs = ws.locator('[data-testid="tab-strip"]').bounding_box()
    assert sessions["x"] < box["x"] < tabs["x"]
    assert round(box["width"]) == 378
    frame = ws.locator(FRAME)
    assert frame.get_attribute("src") == "webresources/sample_softphone.html"
    assert frame.is_visible()


def test_incoming_call_accepted_end_to_end(ws: Any) -> None:
    phone().locator('[data-testid="softphone-incoming"]').click()
    toast = ws.locator('[data-testid="notification"]')
    toast.wait_for()
    assert toast.locator('[data-testid="notification-title"]').inner_text() == (
        "Incoming call from +1 555 0100"
    )
    fields = toast.locator('[data-testid="notification-field"]').all_inner_texts()
    assert [f.split("\n") for f in fields] == [["Number", "+1 555 0100"], ["Customer", "Ann Lee"]]
    assert toast.locator('[data-testid="notification-countdown"]').inner_text().endswith(" s")
    toast.locator('[data-testid="notification-accept"]').click()
    ws.wait_for_function("PyApm.state().sessions.length === 2")
    phone().locator('[data-testid="softphone-log"]', has_text="Title:").wait_for()
    state = ws.evaluate("PyApm.state()")
    call = state["sessions"][1]
    assert (call["title"], [t["title"] for t in call["tabs"]]) == (
        "Call from Ann Lee (+1 555 0100)", ["Contacts", "Ann Lee"])  # fmt: skip
    assert call["focusedTabId"] == call["tabs"][1]["tabId"]
    assert ws.locator('[data-testid="notification"]').count() == 0
    assert ws.evaluate("PyApm.cif().owners") == {call["sessionId"]: PROVIDER}
    log = phone().locator('[data-testid="softphone-log"]').inner_text()
    assert "Notification: Accept (Accept)" in log and "Session session-id-1 focused" in log
    rows = ws.evaluate("PyApm.timeline()")
    assert {r["provider"] for r in rows if r["member"] == "cif.createSession"} == {PROVIDER}


def test_incoming_call_declined(ws: Any) -> None:
    phone().locator('[data-testid="softphone-incoming"]').click()
    ws.locator('[data-testid="notification-reject"]').click()
    phone().locator('[data-testid="softphone-log"]', has_text="DeclinedByAgent").wait_for()
    assert ws.evaluate("PyApm.state().sessions.length") == 1


def test_toggle_minimizes_and_docks(ws: Any) -> None:
    ws.locator('[data-testid="panel-toggle"]').click()
    ws.wait_for_function(
        "document.querySelector('[data-testid=cif-panel]').dataset.mode === 'minimized'"
    )
    assert ws.evaluate("Microsoft.CIFramework.getMode()") == 0
    ws.locator('[data-testid="panel-toggle"]').click()
    ws.wait_for_function(
        "document.querySelector('[data-testid=cif-panel]').dataset.mode === 'docked'"
    )


def test_session_indicators(ws: Any) -> None:
    ws.evaluate(
        """async (p) => {
            const cif = PyApm.__cif(p);
            const first = await cif.createSession({templateName: "cb_callsession"});
            await cif.createSession({templateName: "cb_callsession"});
            await cif.notifyNewActivity(first, 3);
            await cif.notifyKpiBreach(first, true, "Waiting > 5 min");
        }""",
        PROVIDER,
    )
    item = ws.locator('[data-testid="session"][data-session-id="session-id-1"]')
    item.locator('[data-testid="activity-indicator"]').wait_for()
    assert item.locator('[data-testid="activity-indicator"]').inner_text() == "3"
    assert item.locator('[data-testid="kpi-indicator"]').get_attribute("title") == "Waiting > 5 min"
    item.click()  # focusing clears the activity badge, not the KPI marker
    item.locator('[data-testid="activity-indicator"]').wait_for(state="detached")
    assert item.locator('[data-testid="kpi-indicator"]').count() == 1


def test_click_to_act_reaches_the_softphone(ws: Any) -> None:
    ws.evaluate(
        """(p) => PyApm.__cif(p).openForm(JSON.stringify({entityName: "contact",
            entityId: "11bb11bb-cc22-dd33-ee44-55ff55ff55ff"}))""",
        PROVIDER,
    )
    link = ws.locator('[data-testid="click-to-act"][data-name="mobilephone"]')
    link.wait_for()
    link.click()
    phone().locator(
        '[data-testid="softphone-log"]', has_text="Dial +1 555 0100 (contact)"
    ).wait_for()


def test_launcher_incoming_call(ws: Any) -> None:
    ws.locator('[data-testid="launcher-toggle"]').click()
    ws.locator('[data-testid="launcher-call-number"]').fill("+1 555 0199")
    ws.locator('[data-testid="launcher-incoming-call"]').click()
    title = ws.locator('[data-testid="notification-title"]')
    title.wait_for()
    assert title.inner_text() == "Incoming call from +1 555 0199"
    assert ws.evaluate("PyApm.notifications()[0].provider") == PROVIDER
    ws.locator('[data-testid="launcher-close"]').click()


def test_user_text_is_rendered_as_text(ws: Any) -> None:
    ws.evaluate(
        """(p) => { window.__pwned = false; PyApm.__cif(p).notifyEvent({templateName: "cb_incomingcall",
            templateParameters: {number: '<img src=x onerror="window.__pwned=true">'}}); }""",
        PROVIDER,
    )
    title = ws.locator('[data-testid="notification-title"]')
    title.wait_for()
    assert title.inner_text() == 'Incoming call from <img src=x onerror="window.__pwned=true">'
    assert ws.evaluate("window.__pwned") is False
    assert ws.locator('[data-testid="notification"] img').count() == 0


def test_the_timeline_panel_has_a_provider_column(ws: Any) -> None:
    ws.evaluate("(p) => PyApm.__cif(p).setPresence('Busy')", PROVIDER)
    ws.locator('[data-testid="timeline-toggle"]').click()
    row = ws.locator('[data-testid="timeline-row"]', has_text="cif.setPresence")
    row.wait_for()
    assert row.locator('[data-testid="timeline-provider"]').inner_text() == PROVIDER
    ws.locator('[data-testid="timeline-close"]').click()
