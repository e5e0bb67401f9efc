"""CIF records over the record store (spec cif.md §4.9, CIF-D22)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from py_apm import ApmError, Workspace

from .conftest import CONTACT_ID, PHONE, call_session

MORE = {
    "contact": {
        CONTACT_ID: {"fullname": "Ann Lee", "mobilephone": "+1 555 0100", "city": "Oslo"},
        "22bb22bb-cc22-dd33-ee44-55ff55ff55ff": {"fullname": "Bo O'Neil", "mobilephone": "+1 555 0199",
                                                 "city": "Bergen"},
        "33bb33bb-cc22-dd33-ee44-55ff55ff55ff": {"fullname": "Cy Tan", "telephone1": "777",
                                                 "city": "Oslo"},
    }
}  # fmt: skip


@pytest.fixture
def rws(ws: Workspace) -> Workspace:
    ws.configure({"records": MORE})
    return ws


def names(text: str) -> list[str]:
    found = json.loads(text)
    assert list(found) == [str(i) for i in range(len(found))]  # keyed "0", "1", ...
    return [row.get("fullname") for row in found.values()]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("?$select=fullname", ["Ann Lee", "Bo O'Neil", "Cy Tan"]),
        (f"?$select=fullname&$filter=contactid eq {CONTACT_ID}", ["Ann Lee"]),
        ("$filter=city eq 'oslo'", ["Ann Lee", "Cy Tan"]),
        ("?$filter=city ne 'Oslo'", ["Bo O'Neil"]),
        ("?$filter=city eq 'Oslo' and telephone1 eq '777'", ["Cy Tan"]),
        ("?$filter=contains(mobilephone, '0199') or contains(telephone1, '777')",
         ["Bo O'Neil", "Cy Tan"]),
        ("?$filter=(city eq 'Bergen' or city eq 'Oslo') and startswith(fullname, 'b')",
         ["Bo O'Neil"]),
        ("?$filter=fullname eq 'Bo O''Neil'", ["Bo O'Neil"]),
        ("?$filter=city%20eq%20%27Bergen%27", ["Bo O'Neil"]),
        ("?$filter=city eq 'Oslo'&$top=1", ["Ann Lee"]),
        ("?$filter=city eq 'Paris'", []),
    ],
)  # fmt: skip
def test_search_filters(rws: Workspace, query: str, expected: list[str]) -> None:
    assert names(rws.cif_search_and_open_records(PHONE, "contact", query, True)) == expected


def test_search_select_keeps_the_primary_key(rws: Workspace) -> None:
    text = rws.cif_search_and_open_records(PHONE, "contact", "?$select=fullname&$top=1", True)
    assert json.loads(text) == {"0": {"fullname": "Ann Lee", "contactid": CONTACT_ID}}


@pytest.mark.parametrize(
    ("query", "code", "message"),
    [
        ("?$filter=revenue gt 5", 501,
         "searchAndOpenRecords: the $filter operator 'gt' is not emulated by py-apm"),
        ("?$filter=endswith(fullname, 'x')", 501,
         "searchAndOpenRecords: the $filter function or token 'endswith' is not emulated by py-apm"),
        ("?$search=ann", 501, "searchAndOpenRecords: the query option '$search' is not emulated by py-apm"),
        ("?$filter=city eq 'Oslo", 400, "searchAndOpenRecords: $filter: unterminated string 'Oslo"),
        ("?$filter=city eq", 400, "searchAndOpenRecords: $filter ends too early"),
        ("?$top=zero", 400, "searchAndOpenRecords: queryParameters: $top must be a positive whole number"),
        ("", 400, "The queryParmeters parameter is blank. Provide a value to the parameter."),
    ],
)  # fmt: skip
def test_search_refusals(rws: Workspace, query: str, code: int, message: str) -> None:
    with pytest.raises(ApmError) as error:
        rws.cif_search_and_open_records(PHONE, "contact", query, True)
    assert (error.value.code, error.value.message) == (code, message)


def test_search_and_open_opens_a_record_or_a_search_tab(rws: Workspace) -> None:
    call_session(rws)
    rws.cif_search_and_open_records(PHONE, "contact", f"?$filter=contactid eq {CONTACT_ID}", False)
    session = rws.state()["sessions"][1]
    opened = session["tabs"][-1]
    assert (opened["pageType"], opened["title"], session["focusedTabId"]) == (
        "entityrecord",
        "Ann Lee",
        opened["tabId"],
    )
    rws.cif_search_and_open_records(PHONE, "contact", "?$filter=city eq 'Oslo'", False)
    opened = rws.state()["sessions"][1]["tabs"][-1]
    assert (opened["title"], opened["parameters"]["searchText"]) == (
        "Search: contact",
        "?$filter=city eq 'Oslo'",
    )


def test_search_only_must_be_given(rws: Workspace) -> None:
    with pytest.raises(ApmError) as error:
        rws.cif_search_and_open_records(PHONE, "contact", "?$top=1", None)
    assert (
        error.value.message
        == "The searchOnly parameter is blank. Provide a value to the parameter."
    )


def test_create_retrieve_update_delete(rws: Workspace) -> None:
    created = json.loads(rws.cif_create_record(PHONE, "phonecall", json.dumps({"subject": "Call"})))
    record_id = created["id"]
    assert created == {"entityType": "phonecall", "id": record_id}
    assert record_id == record_id.lower() and len(record_id) == 36
    assert json.loads(rws.cif_retrieve_record(PHONE, "phonecall", record_id, "?$select=subject")) == {
        "subject": "Call", "activityid": record_id}  # fmt: skip
    updated = rws.cif_update_record(
        PHONE, "phonecall", "{" + record_id.upper() + "}", '{"duration": 5}'
    )
    assert json.loads(updated) == {"entityType": "phonecall", "id": record_id}
    assert json.loads(rws.cif_retrieve_record(PHONE, "phonecall", record_id)) == {
        "subject": "Call", "duration": 5, "activityid": record_id}  # fmt: skip
    assert json.loads(rws.cif_delete_record(PHONE, "phonecall", record_id))["id"] == record_id
    with pytest.raises(ApmError) as error:
        rws.cif_retrieve_record(PHONE, "phonecall", record_id)
    assert (error.value.code, error.value.message) == (
        404,
        f"phonecall With Id = {record_id} Does Not Exist",
    )


@pytest.mark.parametrize(
    ("member", "args", "message"),
    [
        ("cif_create_record", ("", "{}"), "The EntityName parameter is blank. Provide a value to the parameter."),
        ("cif_create_record", ("contact", None), "Provide a value to the data parameter to create record."),
        ("cif_create_record", ("contact", {"a": 1}), "createRecord: data must be a string, got object"),
        ("cif_create_record", ("contact", "{oops"),
         "createRecord: data must be a JSON string (JSON.stringify the object)"),
        ("cif_create_record", ("contact", "[1]"),
         "createRecord: data must be a JSON string of an object, got JSON of array"),
        ("cif_retrieve_record", ("", CONTACT_ID), "The EntityName parameter is blank.Provide a value to the parameter."),
        ("cif_retrieve_record", ("contact", ""), "The EntityId parameter is blank. Provide a value to the parameter."),
        ("cif_update_record", ("contact", CONTACT_ID, ""),
         "The data parameter is blank. Provide a value to the parameter to update the record."),
        ("cif_open_form", ({"entityName": "contact"},),
         "openForm: entityFormOptions must be JSON text (JSON.stringify it), got object"),
        ("cif_open_form", (None,), "The EntityFormOptions parameter is blank. Provide a value to the parameter."),
    ],
)  # fmt: skip
def test_record_refusals_are_400_and_change_nothing(
    rws: Workspace, member: str, args: tuple[Any, ...], message: str
) -> None:
    before = rws.options.records
    with pytest.raises(ApmError) as error:
        getattr(rws, member)(PHONE, *args)
    assert (error.value.code, error.value.message) == (400, message)
    assert rws.options.records == before


def test_open_form_opens_a_record_tab(rws: Workspace) -> None:
    text = rws.cif_open_form(
        PHONE, json.dumps({"entityName": "contact", "entityId": CONTACT_ID}), "{}"
    )
    assert json.loads(text) == {
        "savedEntityReference": [{"entityType": "contact", "id": CONTACT_ID, "name": "Ann Lee"}]
    }
    home = rws.state()["sessions"][0]
    assert (home["focusedTabId"], home["tabs"][-1]["pageType"]) == (
        home["tabs"][-1]["tabId"],
        "entityrecord",
    )
    assert json.loads(rws.cif_open_form(PHONE, '{"entityName":"contact"}')) == {
        "savedEntityReference": []
    }
