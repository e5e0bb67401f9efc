"""Hostile inputs to the CIF members on the native model: the exact 400 and no change (the same
bounds as the other faces: `py_apm/model/limits.py`)."""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable
from typing import Any

import pytest

from py_apm import ApmError, Workspace
from py_apm.model.values import JsOpaque

from .conftest import CONFIG, PHONE

VALUES = "values must be strings, numbers, booleans, null, arrays, objects or Maps"


def deep(n: int) -> dict[str, Any]:
    value: dict[str, Any] = {}
    for _ in range(n):
        value = {"a": value}
    return value


def cyclic() -> dict[str, Any]:
    value: dict[str, Any] = {"templateName": "cb_call"}
    value["self"] = value
    return value


Call = Callable[[Workspace], Any]
CASES: list[tuple[str, Call, str]] = [
    ("deep createSession", lambda ws: ws.cif_create_session(PHONE, {"templateName": "cb_call", "context": deep(100)}),
     "createSession: input.context.a.a.a...(58 more).a.a is nested deeper than 64 levels"),
    ("cyclic createSession", lambda ws: ws.cif_create_session(PHONE, cyclic()),
     "createSession: input.self refers to itself (a cyclic object)"),
    ("date parameter", lambda ws: ws.cif_create_session(PHONE, {"templateName": "cb_call", "templateParameters": {"d": datetime.date(2026, 1, 2)}}),
     f"createSession: input.templateParameters.d is a date; {VALUES}"),
    ("thrown getter", lambda ws: ws.cif_notify_event(PHONE, {"templateName": JsOpaque("thrown", "Error: no")}),
     "notifyEvent: input.templateName: reading it threw: Error: no"),
    ("big data", lambda ws: ws.cif_create_record(PHONE, "contact", '{"a":"' + "x" * (1 << 20) + '"}'),
     "createRecord: data is 1,048,584 characters of JSON text; the limit is 1,048,576"),
    ("deep data", lambda ws: ws.cif_create_record(PHONE, "contact", "[" * 1000 + "]" * 1000),
     "createRecord: data is JSON nested deeper than 64 levels (the limit)"),
    ("long query", lambda ws: ws.cif_search_and_open_records(PHONE, "contact", "?$top=1" + " " * 10_000, True),
     "searchAndOpenRecords: queryParameters is longer than 10,000 characters"),
    ("function tags", lambda ws: ws.cif_get_tabs(PHONE, None, JsOpaque("function")),
     "getTabs: tags must be a string or an array of strings, got function"),
    ("symbol presence", lambda ws: ws.cif_set_presence(PHONE, JsOpaque("symbol")),
     "setPresence: presenceText must be a string, got symbol"),
]  # fmt: skip


@pytest.mark.parametrize(("name", "call", "message"), CASES, ids=[c[0] for c in CASES])
def test_hostile_input_exact_error_and_no_change(name: str, call: Call, message: str) -> None:
    ws = Workspace(CONFIG)
    ws.cif_create_session(PHONE, {"templateName": "cb_call"})
    before = json.dumps([ws.state(), ws.pyapm_cif(), ws.notifications(), ws.options.describe()])
    with pytest.raises(ApmError) as error:
        call(ws)
    assert (error.value.code, error.value.message) == (400, message)
    assert (
        json.dumps([ws.state(), ws.pyapm_cif(), ws.notifications(), ws.options.describe()])
        == before
    )
    json.dumps(ws.calls())
