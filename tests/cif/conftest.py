"""The CIF suite: a workspace configured with two channel providers and the sample templates."""

from __future__ import annotations

from typing import Any

import pytest

from py_apm import Workspace

PHONE, CHAT = "softphone", "chat"
CONTACT_ID = "11bb11bb-cc22-dd33-ee44-55ff55ff55ff"

#: The configuration the tests (and the sample softphone) use: templates with a 2-character
#: prefix, as real provider solutions ship them.
CONFIG: dict[str, Any] = {
    "channelProviders": [
        {
            "name": PHONE,
            "label": "Softphone",
            "url": "samples/softphone.html",
            "order": 1,
            "enableOutbound": True,
            "apiVersion": "2",
            "customParams": '{"region":"eu"}',
        },
        {"name": CHAT, "label": "Chat", "url": "samples/softphone.html?chat=1", "order": 2},
    ],
    "tabTemplates": [
        {
            "uniqueName": "cb_contacts",
            "name": "Contacts",
            "title": "Contacts",
            "pageType": "entitylist",
            "parameters": {"entityName": "contact"},
            "tags": ["crm"],
        },
        {
            "uniqueName": "cb_entityrecord",
            "name": "entityrecord",
            "title": "",
            "pageType": "entityrecord",
            "tags": ["crm", "record"],
        },
        {
            "uniqueName": "cb_bing",
            "name": "Bing",
            "title": "Search {searchQ}",
            "pageType": "thirdpartywebsite",
            "parameters": {"url": "https://www.bing.com/search?q=", "data": "{searchQ}"},
            "tags": ["web"],
        },
    ],
    "sessionTemplates": [
        {
            "uniqueName": "cb_call",
            "name": "Call session",
            "type": "generic",
            "title": "Call from {customer}",
            "anchorTab": "cb_contacts",
            "panelMode": "docked",
        },
        {
            "uniqueName": "cb_quiet",
            "name": "Quiet session",
            "type": "generic",
            "title": "Quiet",
            "anchorTab": "cb_contacts",
            "panelMode": "minimized",
        },
        {"uniqueName": "cb_case", "type": "entity", "entity": "incident", "title": "Case"},
    ],
    "notificationTemplates": [
        {
            "uniqueName": "cb_incoming",
            "name": "Incoming call",
            "title": "Call from {number}",
            "timeout": 30,
            "fields": [
                {"name": "num", "title": "Number", "value": "{number}", "order": 1},
                {"name": "who", "title": "Customer", "value": "{customerName}", "order": 2},
                {"name": "q", "title": "Queue", "value": "{queue}", "order": 3},
                {"name": "l", "title": "Language", "value": "{lang}", "order": 4},
                {"name": "d", "title": "Device", "value": "{device}", "order": 5},
            ],
        },
        {"uniqueName": "cb_auto", "title": "Auto", "autoAcceptNotification": True},
    ],
    "records": {"contact": {CONTACT_ID: {"fullname": "Ann Lee", "mobilephone": "+1 555 0100"}}},
}


@pytest.fixture
def ws() -> Workspace:
    """A workspace with the CIF configuration, outbox drained."""
    workspace = Workspace(CONFIG)
    workspace.drain_outbox()
    return workspace


def cif_events(ws: Workspace) -> list[tuple[str, str, Any]]:
    """The CIF events waiting in the outbox as (provider, name, payload JSON text)."""
    return [
        (e["data"]["provider"], e["data"]["name"], e["data"]["payload"])
        for e in ws.drain_outbox()["events"]
        if e["name"] == "CIF_EVENT"
    ]


def call_session(ws: Workspace, provider: str = PHONE, customer: str = "Ann", **extra: Any) -> str:
    return ws.cif_create_session(
        provider, {"templateName": "cb_call", "templateParameters": {"customer": customer}, **extra}
    )
