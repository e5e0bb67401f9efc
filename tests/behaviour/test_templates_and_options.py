"""Behaviour table rows 15, 16, 22 and 26 (docs/behaviour.md): templates, records, configure/reset, the call log."""

from __future__ import annotations

import json

import pytest

from py_apm import ApmError

from .conftest import CASE, assert_refused, case_input

RECORDS = {
    "incident": {
        "11BB11BB-CC22-DD33-EE44-55FF55FF55FF": {
            "title": "Printer on fire",
            "ticketnumber": "CAS-01003-P3B7G1",
            "_customerid_value@OData.Community.Display.V1.FormattedValue": "Contoso Ltd",
        }
    }
}

CONFIG = {
    "tabTemplates": [
        {
            "uniqueName": "new_search",
            "title": "Bing {anchor.ticketnumber}",
            "pageType": "Third-party website",
            "parameters": {
                "url": "https://www.bing.com/search?q=",
                "data": "{anchor.ticketnumber}",
            },
        },
        {
            "uniqueName": "new_notes",
            "title": "Notes",
            "pageType": "webresource",
            "parameters": {"webresourceName": "new_notes.html", "data": "{caseId}"},
        },
        {
            "uniqueName": "new_tabtemplate_customwebresource",
            "title": "",
            "pageType": "Web resource",
        },
    ],
    "sessionTemplates": [
        {
            "uniqueName": "new_case",
            "title": "{caseTitle} ({customerName})",
            "type": "Entity",
            "entity": "incident",
            "additionalTabs": ["new_search", "new_notes"],
            "applySessionTitleToAnchorTab": True,
        },
    ],
    "records": RECORDS,
}


def test_builtin_case_session_title_from_record(apm):
    apm.configure({"records": RECORDS})
    apm.create_session(case_input())
    assert apm.get_focused_session().title == "Printer on fire"
    assert apm.get_focused_session().resolve_slug("{anchor.title}") == "Printer on fire"


def test_configured_session_opens_additional_tabs_and_titles(apm):
    apm.configure(CONFIG)
    apm.create_session({**case_input(), "templateName": "new_case"})
    session = apm.state()["sessions"][1]
    assert session["title"] == "Printer on fire (Contoso Ltd)"
    tabs = session["tabs"]
    assert [t["title"] for t in tabs] == [
        "Printer on fire (Contoso Ltd)",
        "Bing CAS-01003-P3B7G1",
        "Notes",
    ]
    assert [t["canClose"] for t in tabs] == [False, False, False]
    assert tabs[1]["url"] == "https://www.bing.com/search?q=CAS-01003-P3B7G1"
    assert tabs[2]["parameters"]["data"] == "11bb11bb-cc22-dd33-ee44-55ff55ff55ff"
    assert session["focusedTabId"] == tabs[0]["tabId"]


def test_anchor_values_are_cached_at_session_start(apm):
    apm.configure({"records": RECORDS})
    apm.create_session(case_input())
    changed = {"incident": {"11bb11bb-cc22-dd33-ee44-55ff55ff55ff": {"title": "Renamed"}}}
    apm.configure({"records": changed})
    session = apm.get_focused_session()
    assert session.resolve_slug("{anchor.title}") == "Printer on fire"
    apm.refresh_context(session.session_id)
    assert session.resolve_slug("{anchor.title}") == "Renamed"


def test_required_parameter_missing(apm):
    apm.configure(CONFIG)
    assert_refused(
        apm,
        lambda: apm.create_tab({"templateName": "new_tabtemplate_customwebresource"}),
        400,
        "createTab: tab template 'new_tabtemplate_customwebresource' (Web resource) needs "
        "parameter 'webresourceName'; give it in the template or in appContext",
    )


def test_template_name_with_spaces_is_trimmed_with_a_warning(apm):
    apm.configure(CONFIG)
    tid = apm.create_tab(
        {
            "templateName": " new_tabtemplate_customwebresource",
            "appContext": {"webresourceName": "x.html", "data": " Contoso "},
        }
    )
    tab = apm.state()["sessions"][0]["tabs"][1]
    assert (tab["tabId"], tab["templateName"], tab["parameters"]["data"]) == (
        tid,
        "new_tabtemplate_customwebresource",
        " Contoso ",
    )
    assert "surrounding spaces" in apm.calls()[-1]["warning"]


def test_unknown_template_makes_generic_session_with_warning(apm):
    sid = apm.create_session({"templateName": "<template_name>", "sessionContext": {"k": "v"}})
    session = apm.state()["sessions"][1]
    assert (session["sessionId"], session["title"], session["context"]) == (
        sid,
        "<template_name>",
        {"k": "v"},
    )
    assert apm.calls()[-1]["warning"].startswith(
        "createSession: unknown session template '<template_name>'"
    )


def test_strict_templates_refuse_unknown_names(apm):
    apm.configure({"strictTemplates": True})
    with pytest.raises(ApmError) as error:
        apm.create_session({"templateName": "new_nothing"})
    assert (error.value.code, error.value.message) == (
        422,
        "createSession: unknown session template 'new_nothing'",
    )


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"colour": "blue"}, "configure: unknown option 'colour'"),
        (
            {"tabTemplates": [{"uniqueName": "x_y", "pageType": "webresource"}]},
            "configure: tabTemplates[0]: uniqueName 'x_y' must be <prefix>_<name>",
        ),
        (
            {"tabTemplates": [{"uniqueName": "new_a", "pageType": "Spreadsheet"}]},
            "configure: tabTemplates[0] 'new_a': pageType 'Spreadsheet' is not one of",
        ),
        (
            {
                "tabTemplates": [
                    {"uniqueName": "new_a", "pageType": "webresource", "parameters": {"url": "u"}}
                ]
            },
            "configure: tabTemplates[0] 'new_a': parameter 'url' is not a parameter of page type Web resource",
        ),
        (
            {
                "sessionTemplates": [
                    {"uniqueName": "new_s", "type": "Generic", "anchorTab": "new_missing"}
                ]
            },
            "configure: session template 'new_s': anchorTab 'new_missing' is not a tab template",
        ),
        (
            {"sessionTemplates": [{"uniqueName": "new_s", "type": "Entity"}]},
            "configure: sessionTemplates[0] 'new_s': entity is required",
        ),
        (
            {"tabTemplates": [{"uniqueName": "msdyn_entityrecord", "pageType": "dashboard"}]},
            "configure: tabTemplates[0] 'msdyn_entityrecord': uniqueName is already used by a built-in",
        ),
        (
            {
                "tabTemplates": [
                    {
                        "uniqueName": "new_w",
                        "pageType": "thirdpartywebsite",
                        "parameters": {"url": "ftp://x"},
                    }
                ]
            },
            "configure: tabTemplates[0] 'new_w': parameter 'url' must start with https://",
        ),
        (
            {"records": {"incident": ["x"]}},
            "configure: records.incident must be an object of records by id",
        ),
    ],
)
def test_bad_configuration_is_rejected_as_a_whole(apm, options, message):
    apm.configure({"legacyPromises": False})
    with pytest.raises(ApmError) as error:
        apm.configure({**options, "strictTemplates": True})
    assert error.value.code == 422
    assert error.value.message.startswith(message)
    assert apm.configure({})["strictTemplates"] is False


def test_reset_keeps_configured_options(apm):
    apm.configure(CONFIG)
    apm.reset()
    assert "new_case" in apm.configure({})["sessionTemplates"]
    apm.reset({"restoreDefaults": True})
    assert apm.configure({})["sessionTemplates"] == [CASE, "msdyn_chat_session"]


def test_call_log_records_calls_results_and_errors(apm):
    sid = apm.create_session(case_input())
    with pytest.raises(ApmError):
        apm.get_session(1)
    log = apm.calls()
    assert [c["method"] for c in log] == ["createSession", "getSession"]
    assert log[0]["result"] == sid and log[0]["error"] is None
    assert log[1]["error"] == {
        "errorCode": 400,
        "message": "getSession: sessionId must be a string, got number",
    }
    assert log[0]["args"][0]["templateName"] == CASE


PAGE_TYPES = {
    "tabTemplates": [
        {"uniqueName": "new_dash", "pageType": "Dashboard", "parameters": {"dashboardId": "d-1"}},
        {
            "uniqueName": "new_list",
            "pageType": "Entity list",
            "parameters": {"entityName": "incident", "viewId": "v-1"},
        },
        {
            "uniqueName": "new_search2",
            "pageType": "Search",
            "parameters": {"searchText": "{anchor.title}", "searchType": "0"},
        },
        {
            "uniqueName": "new_custom",
            "pageType": "Custom page",
            "parameters": {
                "name": "new_page",
                "entityName": "{anchor.entityName}",
                "recordId": "{caseId}",
            },
        },
        {
            "uniqueName": "new_control",
            "pageType": "Control",
            "parameters": {"controlName": "new_ctl", "anything": "x"},
        },
    ],
    "records": RECORDS,
}


@pytest.mark.parametrize(
    ("template", "page_type", "title", "parameters"),
    [
        ("new_dash", "dashboard", "Dashboard", {"dashboardId": "d-1"}),
        ("new_list", "entitylist", "incident", {"entityName": "incident", "viewId": "v-1"}),
        ("new_search2", "search", "Search", {"searchText": "Printer on fire", "searchType": "0"}),
        (
            "new_custom",
            "custom",
            "new_page",
            {
                "name": "new_page",
                "entityName": "incident",
                "recordId": "11bb11bb-cc22-dd33-ee44-55ff55ff55ff",
            },
        ),
        ("new_control", "control", "new_ctl", {"controlName": "new_ctl", "anything": "x"}),
    ],
)
def test_each_page_type_with_its_parameters(apm, template, page_type, title, parameters):
    apm.configure(PAGE_TYPES)
    apm.create_session(case_input())
    tid = apm.create_tab({"templateName": template})
    tab = apm.state()["sessions"][1]["tabs"][1]
    assert (tab["tabId"], tab["pageType"], tab["title"], tab["parameters"]) == (
        tid,
        page_type,
        title,
        parameters,
    )


@pytest.mark.parametrize(
    ("app_context", "message"),
    [
        (
            {"templateName": "new_dash", "appContext": {"dashboardId": " "}},
            "(Dashboard) needs parameter 'dashboardId'",
        ),
        (
            {"templateName": "new_search2", "appContext": {"searchText": ""}},
            "(Search) needs parameter 'searchText'",
        ),
        ({"templateName": "msdyn_entityrecord"}, "(Entity record) needs parameter 'entityName'"),
    ],
)
def test_required_parameters_per_page_type(apm, app_context, message):
    apm.configure(PAGE_TYPES)
    with pytest.raises(ApmError) as error:
        apm.create_tab(app_context)
    assert error.value.code == 400 and message in error.value.message


def test_odata_annotation_and_entity_slugs(apm):
    apm.configure({"records": RECORDS})
    apm.create_session(case_input())
    session = apm.get_focused_session()
    annotated = "{anchor._customerid_value@OData.Community.Display.V1.FormattedValue}"
    assert session.resolve_slug(annotated) == "Contoso Ltd"
    assert session.resolve_slug("{anchor.entityName}:{anchor.incidentid}") == (
        "incident:11bb11bb-cc22-dd33-ee44-55ff55ff55ff"
    )
    assert session.resolve_slug("{customerName} / {caseTitle} / {caseId}") == (
        "Contoso Ltd / Printer on fire / 11bb11bb-cc22-dd33-ee44-55ff55ff55ff"
    )
    assert (
        session.resolve_slug('{"subject":"{anchor.ticketnumber}"}')
        == '{"subject":"CAS-01003-P3B7G1"}'
    )


def test_booleans_and_numbers_in_records_resolve_as_text(apm):
    apm.configure(
        {
            "records": {
                "incident": {
                    "11bb11bb-cc22-dd33-ee44-55ff55ff55ff": {
                        "title": "T",
                        "isescalated": True,
                        "prioritycode": 2,
                        "score": 2.5,
                        "empty": None,
                    }
                }
            }
        }
    )
    apm.create_session(case_input())
    session = apm.get_focused_session()
    assert session.resolve_slug(
        "{anchor.isescalated},{anchor.prioritycode},{anchor.score},{anchor.empty}"
    ) == ("true,2,2.5,")


def test_builtin_templates_come_from_the_configuration_format():
    from py_apm.model.templates import BUILTIN_FILE, TemplateSet

    data = json.loads(BUILTIN_FILE.read_text())
    assert [
        t["uniqueName"] for t in data["sessionTemplates"]
    ] == TemplateSet.builtin().session_names()
    assert [t["uniqueName"] for t in data["tabTemplates"]] == TemplateSet.builtin().tab_names()
