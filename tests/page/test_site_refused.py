"""A third-party website that refuses to be framed (X-Frame-Options, CSP frame-ancestors) gets a
card saying so instead of Chromium's "refused to connect" page; py-apm's server reads the
site's headers for the page (py_apm/host/framing.py)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
from framing_site import framing_site
from playwright.sync_api import expect

pytestmark = pytest.mark.skipif(
    bool(os.environ.get("PY_APM_PAGE_FAKE")), reason="needs py-apm's server"
)


@pytest.fixture(scope="module")
def site() -> Iterator[str]:
    with framing_site() as base:
        yield base


def open_site(page: Any, url: str) -> Any:
    """A focused tab of the `pyapm_site` template showing `url`: its pane."""
    tid = page.evaluate(
        "(u) => Microsoft.Apm.createTab({templateName: 'pyapm_site', appContext: {url: u},"
        " isFocused: true})",
        url,
    )
    return page.locator(f'[data-testid="tab-pane"][data-tab-id="{tid}"]')


@pytest.mark.parametrize(
    ("path", "header"),
    [
        ("/deny", "X-Frame-Options: DENY"),
        ("/sameorigin", "X-Frame-Options: SAMEORIGIN"),
        ("/csp-none", "Content-Security-Policy: frame-ancestors 'none'"),
        ("/redirect", "X-Frame-Options: DENY"),
    ],
)
def test_site_that_refuses_framing_shows_a_card(ws: Any, site: str, path: str, header: str) -> None:
    pane = open_site(ws, site + path + "?q=")
    card = pane.get_by_test_id("site-refused")
    expect(card).to_be_visible()
    expect(card).to_contain_text("This site can't be shown in a tab")
    expect(card).to_contain_text(site + path)
    expect(card.get_by_test_id("site-refused-header")).to_have_text(header)
    frame = pane.get_by_test_id("tab-frame")
    expect(frame).to_be_hidden()
    assert frame.get_attribute("src") is None  # Chromium's error page never loads


@pytest.mark.parametrize("path", ["/ok", "/csp-star-xfo-deny"])
def test_site_that_allows_framing_loads(ws: Any, site: str, path: str) -> None:
    pane = open_site(ws, site + path + "?q=")
    frame = pane.get_by_test_id("tab-frame")
    expect(frame).to_be_visible()
    expect(frame).to_have_attribute("src", site + path + "?q=")
    expect(pane.get_by_test_id("site-refused")).to_have_count(0)
