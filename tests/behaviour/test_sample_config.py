"""The sample configuration in examples/templates.json works on both backends."""

from __future__ import annotations

import json
from pathlib import Path

from .conftest import case_input

SAMPLE = json.loads((Path(__file__).parents[2] / "examples" / "templates.json").read_text())


def test_sample_case_session(apm):
    apm.configure(SAMPLE)
    apm.create_session({**case_input(), "templateName": "contoso_case_session"})
    session = apm.state()["sessions"][1]
    assert session["title"] == "CAS-01003-P3B7G1 Printer jams on every page"
    assert [(t["pageType"], t["title"]) for t in session["tabs"]] == [
        ("entityrecord", "Printer jams on every page"),
        ("thirdpartywebsite", "Bing: CAS-01003-P3B7G1"),
        ("webresource", "Notes"),
    ]
    assert session["tabs"][1]["url"] == "https://www.bing.com/search?q=CAS-01003-P3B7G1"
    assert apm.get_focused_session().resolve_slug("{customerName}") == "Contoso Ltd"
    tid = apm.create_tab({"templateName": "contoso_new_task"})
    data = apm.get_focused_session().get_context().get_tab_context(tid)["data"]
    assert data == {
        "subject": "Task created from CAS-01003-P3B7G1",
        "regardingobjectid": [
            {
                "id": "11bb11bb-cc22-dd33-ee44-55ff55ff55ff",
                "name": "Printer jams on every page",
                "entityType": "incident",
            }
        ],
    }


def test_sample_chat_session(apm):
    apm.configure(SAMPLE)
    apm.create_session(
        {
            "templateName": "contoso_chat_session",
            "sessionContext": {"customerName": "Alex Wu", "customerRecordId": "c-1"},
        }
    )
    session = apm.state()["sessions"][1]
    assert session["title"] == "Chat with Alex Wu"
    assert [(t["pageType"], t["title"], t["parameters"]) for t in session["tabs"]] == [
        (
            "custom",
            "Alex Wu",
            {"name": "contoso_customersummary_page", "entityName": "contact", "recordId": "c-1"},
        ),
        ("search", "Knowledge", {"searchText": "Alex Wu", "searchType": "1"}),
    ]
