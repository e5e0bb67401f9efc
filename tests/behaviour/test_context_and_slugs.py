"""Decisions 4, 17–19, 23: session context, parametersStr, slugs, getContext."""

from __future__ import annotations

import json

import pytest

from py_apm import JsMap

from .conftest import CASE, case_input, tab_input

PAIRS = '[["entityName", "incident"], ["entityId", "fac04293-1ab0-eb11-8236-000d3a5c49ed"]]'


@pytest.mark.parametrize(
    "context",
    [
        JsMap((("parametersStr", PAIRS), ("customerName", "Contoso"))),
        {"parametersStr": PAIRS, "customerName": "Contoso"},
        json.dumps({"parametersStr": PAIRS, "customerName": "Contoso"}),
    ],
    ids=["Map", "object", "JSON string"],
)
def test_session_context_as_map_object_or_json(apm, context):
    apm.create_session({"templateName": CASE, "sessionContext": context})
    session = apm.state()["sessions"][1]
    assert session["context"] == {"customerName": "Contoso"}
    assert session["tabs"][0]["parameters"] == {
        "entityName": "incident",
        "entityId": "fac04293-1ab0-eb11-8236-000d3a5c49ed",
    }
    assert apm.get_focused_session().resolve_slug("{customerName}") == "Contoso"


def test_context_values_become_strings(apm):
    apm.get_focused_session().update_context(
        {"n": 5, "f": 2.5, "b": True, "o": {"a": [1, None]}, "s": "x"}
    )
    assert apm.state()["sessions"][0]["context"] == {
        "n": "5",
        "f": "2.5",
        "b": "true",
        "o": '{"a":[1,null]}',
        "s": "x",
    }


def test_update_context_merges(apm):
    session = apm.get_focused_session()
    session.update_context({"customerName": "Contoso", "a": "1"})
    session.update_context({"customerName": "Fabrikam"})
    assert apm.state()["sessions"][0]["context"] == {"customerName": "Fabrikam", "a": "1"}


def test_resolve_slug_forms(apm):
    apm.create_session(case_input(entity_id="abc"))
    session = apm.get_focused_session()
    session.update_context({"caseTitle": "Printer", "customerName": "Contoso"})
    assert session.resolve_slug("{customerName}") == "Contoso"
    assert session.resolve_slug("Contoso - {caseTitle}") == "Contoso - Printer"
    assert session.resolve_slug("{anchor.entityName}/{anchor.entityId}") == "incident/abc"
    assert session.resolve_slug("{nothing}") == ""
    assert session.resolve_slug("no slug") == "no slug"


def test_slugs_are_data_not_code(apm):
    session = apm.get_focused_session()
    session.update_context({"evil": "{customerName}", "customerName": "C"})
    assert session.resolve_slug("{__class__}{0.__init__}{evil}") == "{customerName}"
    assert session.resolve_slug("{__import__('os')}") == "{__import__('os')}"


def test_get_context_object(apm):
    apm.create_session(case_input(entity_id="abc"))
    session = apm.get_focused_session()
    session.update_context({"customerName": "Contoso"})
    context = session.get_context()
    assert context.get("customerName") == "Contoso"
    assert context.parameters == {"customerName": "Contoso"}
    assert context.template_name == CASE
    assert context.get_tab_context("anchor") == {"entityName": "incident", "entityId": "abc"}
    assert context.resolve_slug("{anchor.entityName}") == "incident"


def test_get_context_set_and_delete_write_through(apm):
    session = apm.get_focused_session()
    context = session.get_context()
    context.set("customerName", "Contoso")
    assert session.resolve_slug("{customerName}") == "Contoso"
    context.delete("customerName")
    assert session.resolve_slug("{customerName}") == ""
    assert context.get("customerName") is None


def test_tab_context_data_is_parsed_json(apm):
    apm.create_session(case_input())
    tid = apm.create_tab(
        {
            "templateName": "msdyn_entityrecord",
            "appContext": {
                "entityName": "task",
                "data": json.dumps({"subject": "S", "prioritycode": 2}),
            },
        }
    )
    context = apm.get_focused_session().get_context()
    assert context.get_tab_context(tid)["data"] == {"subject": "S", "prioritycode": 2}
    assert context.get_tab_context(tid)["entityName"] == "task"


def test_web_resource_tab_parameters_and_url(apm):
    apm.create_session(case_input())
    tid = apm.create_tab(tab_input(data="Contoso"))
    tab = apm.state()["sessions"][1]["tabs"][1]
    assert tab["tabId"] == tid
    assert (tab["pageType"], tab["title"]) == ("webresource", "Knowledge Search")
    assert tab["parameters"] == {
        "webresourceName": "msdyn_kbsearchpagehost.html",
        "data": "Contoso",
    }
    assert tab["url"] == "webresources/msdyn_kbsearchpagehost.html?data=Contoso"


def test_tabs_for_template(apm):
    apm.create_session(case_input())
    a = apm.create_tab(tab_input())
    apm.create_tab({"templateName": "msdyn_entityrecord", "appContext": {"entityName": "task"}})
    b = apm.create_tab(tab_input())
    session = apm.get_focused_session()
    assert session.get_all_tabs_for_template("msdyn_omnichannel_kbsearch") == [a, b]
    assert session.get_all_tabs_for_template("nope") == []
