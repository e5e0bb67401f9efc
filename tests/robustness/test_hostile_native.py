"""Hostile inputs, class "native-API inputs": the native `Workspace` raises `ApmError` (never
TypeError, ValueError or RecursionError) for any Python value, leaves the state as it was, and
its call log stays readable."""

from __future__ import annotations

import datetime
import decimal
import fractions
import json
import uuid
from collections.abc import Callable
from typing import Any

import pytest

from py_apm import ApmError, Workspace
from py_apm.bridge.wire import Bridge
from py_apm.model.members import members
from py_apm.model.values import JsOpaque

from .hostile import CASE, FULL

VALUES = "values must be strings, numbers, booleans, null, arrays, objects or Maps"


class Boom(dict):  # type: ignore[type-arg]
    """A Mapping whose reading raises, as a caller's own object might."""

    def items(self) -> Any:
        raise RuntimeError("boom")


def deep_list(n: int) -> list[Any]:
    root: list[Any] = []
    node = root
    for _ in range(n):
        node.append([])
        node = node[0]
    return root


def cyclic() -> dict[str, Any]:
    value: dict[str, Any] = {}
    value["a"] = value
    return value


def session(context: Any) -> Callable[[Workspace], Any]:
    return lambda ws: ws.create_session({"templateName": CASE, "sessionContext": context})


def update(values: Any) -> Callable[[Workspace], Any]:
    return lambda ws: ws.session_update_context("session-id-1", values)


TODAY = datetime.date(2026, 1, 2)
EXACT: list[tuple[str, Callable[[Workspace], Any], str]] = [
    ("datetime", update({"a": datetime.datetime(2026, 1, 2, 3, 4)}), f"session.updateContext: input.a is a datetime; {VALUES}"),
    ("date in session", session({"when": TODAY}), f"createSession: SessionInput.sessionContext.when is a date; {VALUES}"),
    ("Decimal", update({"a": decimal.Decimal("1.5")}), f"session.updateContext: input.a is a Decimal; {VALUES}"),
    ("UUID", session({"id": uuid.UUID(int=1)}), f"createSession: SessionInput.sessionContext.id is a UUID; {VALUES}"),
    ("Fraction", update({"a": [fractions.Fraction(1, 3)]}), f"session.updateContext: input.a[0] is a Fraction; {VALUES}"),
    ("set", update({"a": {1, 2}}), f"session.updateContext: input.a is a set; {VALUES}"),
    ("bytes", update({"a": b"x"}), f"session.updateContext: input.a is a bytes; {VALUES}"),
    ("object", update({"a": object()}), f"session.updateContext: input.a is a object; {VALUES}"),
    ("huge int", update({"a": 10**400}), "session.updateContext: input.a is an integer too large for a JS number"),
    ("deep list", update({"a": deep_list(5000)}), "session.updateContext: input.a[0][0][0]...(58 more)[0][0] is nested deeper than 64 levels"),
    ("cyclic", update(cyclic()), "session.updateContext: input.a refers to itself (a cyclic object)"),
    ("cyclic list", update({"l": (lambda x: (x.append(x), x)[1])([])}), "session.updateContext: input.l[0] refers to itself (a cyclic object)"),
    ("throwing mapping", update(Boom(a=1)), "session.updateContext: input: reading it threw: RuntimeError: boom"),
    ("number key", update({1: "x"}), "session.updateContext: input has a number key; keys must be strings"),
    ("thrown marker", update({"a": JsOpaque("thrown", "Error: no")}), "session.updateContext: input.a: reading it threw: Error: no"),
    ("date in appContext", lambda ws: ws.create_tab({"templateName": "msdyn_entityrecord", "appContext": {"entityName": "task", "d": TODAY}}), f"createTab: AppTabInput.appContext.d is a date; {VALUES}"),
    ("date in records", lambda ws: ws.configure({"records": {"incident": {"1": {"d": TODAY}}}}), f"configure: options.records.incident.1.d is a date; {VALUES}"),
    ("deep configure", lambda ws: ws.configure({"records": deep_list(3000)}), "configure: options.records[0][0][0]...(58 more)[0][0] is nested deeper than 64 levels"),
    ("date title", lambda ws: ws.session_set_title("session-id-1", TODAY), "session.title: title must be a string, got date"),
    ("deep parametersStr", session({"parametersStr": "[" * 100_000}), "createSession: SessionInput.sessionContext.parametersStr is JSON nested deeper than 64 levels (the limit)"),
    ("pairs list", session({"parametersStr": [["a", TODAY]]}), f"createSession: SessionInput.sessionContext.parametersStr[0][1] is a date; {VALUES}"),
    ("forged map marker", lambda ws: Bridge(ws).call_encoded("createSession", '[{"$pyapm:map":[5]}]'), "createSession: malformed encoded arguments (a Map entry must be a [key, value] pair)"),
    ("unescaped marker key", lambda ws: Bridge(ws).call_encoded("createSession", '[{"$pyapm:x":1,"b":2}]'), "createSession: malformed encoded arguments (unescaped marker key '$pyapm:x')"),
    ("deep encoding", lambda ws: Bridge(ws).call_encoded("createSession", "[" * 100_000), "createSession: the argument list is JSON nested deeper than 194 levels (the limit)"),
]  # fmt: skip


def fresh() -> Workspace:
    ws = Workspace()
    ws.create_session({"templateName": CASE})
    return ws


@pytest.mark.parametrize("name, call, message", EXACT, ids=[c[0] for c in EXACT])
def test_native_inputs_exact_errors(
    name: str, call: Callable[[Workspace], Any], message: str
) -> None:
    ws = fresh()
    before = json.dumps(ws.state())
    with pytest.raises(ApmError) as error:
        call(ws)
    assert (error.value.code, error.value.message) == (400, message)
    assert json.dumps(ws.state()) == before
    json.dumps(ws.calls())


ODD = [
    datetime.datetime(2026, 1, 2), decimal.Decimal("2"), uuid.UUID(int=7), {1, 2}, frozenset(),
    b"x", bytearray(b"x"), object(), complex(1, 2), 10**400, deep_list(3000), cyclic(), Boom(a=1),
    {(1, 2): 3}, iter([1]), type, print, JsOpaque("thrown", "x"), JsOpaque("cyclic"),
]  # fmt: skip
if FULL:
    ODD += [
        fractions.Fraction(1, 2),
        memoryview(b"x"),
        range(3),
        Ellipsis,
        NotImplemented,
        deep_list(100_000),
    ]
#: Every bridge member (the registry), as (Python name, arity, what its first argument is).
MEMBERS = [(spec.python_name, spec.arity, spec.object) for spec in members() if spec.arity]


def _args(obj: str, arity: int, value: Any) -> list[Any]:
    """The odd value as the last argument; before it a real id for a session/tab member, else
    plausible text (an entity name, a record id)."""
    if arity == 1:
        return [value]
    # a CIF member's first argument is the calling provider: the workspace page's own
    first = {"tab": "tab-id-1", "session": "session-id-1", "cif": "default"}.get(obj, "incident")
    return [first, *["1"] * (arity - 2), value]


def test_native_inputs_raise_apm_error_only() -> None:
    """Every member with every odd value: an ApmError or a normal return, the state
    unchanged on error, the call log readable."""
    tried = refused = 0
    problems = []
    for name, arity, obj in MEMBERS:
        for value in ODD:
            ws = fresh()
            ws.create_tab(
                {"templateName": "msdyn_entityrecord", "appContext": {"entityName": "task"}}
            )
            before = json.dumps(ws.state())
            tried += 1
            try:
                getattr(ws, name)(*_args(obj, arity, value))
            except ApmError as error:
                refused += 1
                if json.dumps(ws.state()) != before:
                    problems.append(
                        f"{name}({type(value).__name__}): refused but changed the state"
                    )
                # 403: a CIF ownership rule or an unknown provider; 501: unsupported OData
                if error.code not in (400, 403, 404, 422, 501):
                    problems.append(f"{name}({type(value).__name__}): code {error.code}")
            except Exception as exc:  # noqa: BLE001 - that is what this test looks for
                problems.append(
                    f"{name}({type(value).__name__}): {type(exc).__name__}: {exc}"[:200]
                )
            json.dumps(ws.calls())
    assert not problems, "\n".join(problems[:20])
    assert refused > tried // 2  # most of them are refused (not silently taken)
