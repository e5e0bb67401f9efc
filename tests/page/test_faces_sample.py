"""The three-faces sample web resource in a tab: `window.parent.Microsoft.Apm` (awaited),
`window.parent.Microsoft.AppRuntime.Sessions` and `window.parent.Xrm.App.sessions` (handlers),
driven by clicks in the frame and in the workspace page."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect


@pytest.fixture(autouse=True)
def _real_shim(ws: Any) -> None:
    if not ws.evaluate("typeof window.Xrm === 'object' && !!Xrm.App && !!Xrm.App.sessions"):
        pytest.skip("needs the real shim (the page's fake stand-in has no Xrm face)")


STRIP = '[data-testid="tab-strip"]'


def open_sample(page: Any) -> tuple[str, str, Any]:
    """Open the sample as a focused web resource tab of a new session (an Xrm page session)."""
    sid = page.evaluate(
        """Xrm.App.sessions.createSession({pageInput: {pageType: "webresource",
             webresourceName: "sample_faces.html"}, options: {title: "Faces"}})"""
    )
    tid = page.evaluate("(sid) => Xrm.App.sessions.getSession(sid).anchorTab.tabId", sid)
    frame_el = page.locator(f'[data-testid="tab-frame"][data-tab-id="{tid}"]')
    expect(frame_el).to_have_count(1)
    frame = frame_el.element_handle().content_frame()
    assert frame is not None
    expect(frame.get_by_test_id("wr-log")).to_contain_text("ready")
    return sid, tid, frame


def test_the_sample_uses_all_three_faces(ws: Any, screenshot: Any) -> None:
    sid, tid, frame = open_sample(ws)
    expect(frame.get_by_test_id("wr-session")).to_have_text(f"{sid} — Faces (1 tabs)")
    expect(frame.get_by_test_id("wr-tab")).to_have_text(f"{tid} in {sid}")
    expect(frame.get_by_test_id("wr-context")).to_have_text("{}")
    log = frame.get_by_test_id("wr-log")

    frame.get_by_test_id("wr-apm-tab").click()
    expect(log).to_contain_text("Xrm AfterTabCreate tab-id-2")
    expect(log).to_contain_text("Microsoft.Apm.createTab -> tab-id-2")
    frame.get_by_test_id("wr-xrm-tab").click()
    expect(log).to_contain_text("Xrm tabs.createTab -> tab-id-3")
    expect(frame.get_by_test_id("wr-session")).to_have_text(f"{sid} — Faces (3 tabs)")
    frame.get_by_test_id("wr-runtime-session").click()
    expect(log).to_contain_text("Xrm AfterSessionCreate session-id-2")
    expect(log).to_contain_text("AppRuntime.Sessions.create -> session-id-2")
    assert ws.evaluate("PyApm.state().sessions.map((s) => s.title)") == ["Home", "Faces", "Alex Wu"]
    screenshot(ws, "three-faces-sample")

    # a click in the workspace page fires the frame's handlers too
    ws.locator(f'{STRIP} [data-tab-id="tab-id-3"]').click()
    expect(log).to_contain_text("AppRuntime ContextChange TabSwitch entitylist")
    ws.locator('[data-testid="session-list"] [data-session-id="session-id-0"]').click()
    expect(log).to_contain_text(f"Xrm AfterSessionSwitch {sid} -> session-id-0")
