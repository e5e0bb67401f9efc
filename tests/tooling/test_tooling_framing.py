"""`/pyapm/framing`: the verdict on a site's framing headers, and who may ask for it."""

from __future__ import annotations

import json
from urllib.parse import quote

import pytest
from framing_site import framing_site

from py_apm.host.framing import framing_refusal, respond

WORKSPACE = "http://127.0.0.1:8765"
SITE = "https://site.example"


@pytest.mark.parametrize(
    ("headers", "site", "refused"),
    [
        ({}, SITE, None),
        ({"x-frame-options": "DENY"}, SITE, "X-Frame-Options: DENY"),
        ({"x-frame-options": "sameorigin"}, SITE, "X-Frame-Options: sameorigin"),
        ({"x-frame-options": "SAMEORIGIN"}, WORKSPACE, None),
        ({"x-frame-options": "ALLOW-FROM https://a.example"}, SITE, None),  # ignored by Chromium
        (
            {"content-security-policy": "script-src 'self'; frame-ancestors 'none'"},
            SITE,
            "Content-Security-Policy: frame-ancestors 'none'",
        ),
        (
            {"content-security-policy": "frame-ancestors 'self'"},
            SITE,
            "Content-Security-Policy: frame-ancestors 'self'",
        ),
        ({"content-security-policy": "frame-ancestors 'self'"}, WORKSPACE, None),
        ({"content-security-policy": "frame-ancestors http://127.0.0.1:8765"}, SITE, None),
        ({"content-security-policy": "frame-ancestors 127.0.0.1:*"}, SITE, None),
        ({"content-security-policy": "frame-ancestors http:"}, SITE, None),
        (
            {"content-security-policy": "frame-ancestors https://portal.example"},
            SITE,
            "Content-Security-Policy: frame-ancestors https://portal.example",
        ),
        # frame-ancestors wins over X-Frame-Options, as in Chromium
        ({"content-security-policy": "frame-ancestors *", "x-frame-options": "DENY"}, SITE, None),
    ],
)
def test_framing_refusal(headers: dict[str, str], site: str, refused: str | None) -> None:
    assert framing_refusal(headers, site, WORKSPACE) == refused


def ask(url: str, marker: str | None = "1", client: str = "127.0.0.1") -> tuple[int, object]:
    status, data = respond(
        "/pyapm/framing?url=" + quote(url, safe=""), marker, client, "127.0.0.1:1"
    )
    return status, None if data is None else json.loads(data)


def test_only_this_machine_with_the_header_may_ask() -> None:
    with framing_site() as base:
        assert ask(base + "/deny", marker=None) == (403, None)  # a page elsewhere cannot add it
        assert ask(base + "/deny", client="192.168.1.20") == (403, None)  # not a proxy for others
        assert ask(base + "/deny", client="::1") == (
            200,
            {"refused": True, "reason": "X-Frame-Options: DENY"},
        )


@pytest.mark.parametrize("url", ["file:///etc/passwd", "javascript:alert(1)", "", "x" * 5000])
def test_only_http_addresses(url: str) -> None:
    assert ask(url) == (400, None)


def test_verdicts_from_a_real_site() -> None:
    with framing_site() as base:
        assert ask(base + "/ok") == (200, {"refused": False, "reason": None})
        assert ask(base + "/redirect")[1] == {"refused": True, "reason": "X-Frame-Options: DENY"}
        assert ask(base + "/csp-none")[1] == {
            "refused": True,
            "reason": "Content-Security-Policy: frame-ancestors 'none'",
        }
        assert ask(base + "/csp-star-xfo-deny")[1] == {"refused": False, "reason": None}
        # a site that does not answer is not "refused" (the page's probe reports it)
        assert ask(base.rsplit(":", 1)[0] + ":9/x") == (200, {"refused": False, "reason": None})
