"""The `@member` registry: one declaration per member, the naming rule, the documented table."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from py_apm import Workspace
from py_apm.bridge.wire import Bridge
from py_apm.model.members import member, members, python_name
from py_apm.model.session import SessionMembers

DESIGN = Path(__file__).resolve().parents[2] / "docs" / "design.md"


def documented_members() -> list[tuple[str, int]]:
    """(name, arity) per member of the bridge table in docs/design.md, in table order."""
    text = DESIGN.read_text(encoding="utf-8")
    table = text.split("| method | args | returns |", 1)[1].split("\n\n", 1)[0]
    rows = []
    for line in table.strip().splitlines()[1:]:
        method, args = (cell.strip() for cell in line.strip("|").split("|")[:2])
        arity = 0 if args == "–" else args.count(",") + 1
        rows += [(name.strip(), arity) for name in method.split(" / ")]
    return rows


def test_design_table_equals_the_registry() -> None:
    assert documented_members() == [(spec.name, spec.arity) for spec in members()]


def test_bridge_codes_follow_the_registry() -> None:
    bridge = Bridge(Workspace())
    assert bridge.methods == [spec.name for spec in members()]
    assert [m.arity for m in bridge.members] == [spec.arity for spec in members()]


@pytest.mark.parametrize(
    ("wire", "python"),
    [
        ("getFocusedSession", "apm_get_focused_session"),
        ("session.getAllTabsForTemplate", "session_get_all_tabs_for_template"),
        ("tab.close", "tab_close"),
        ("ui.closeTab", "ui_close_tab"),
        ("pyapm.refreshContext", "pyapm_refresh_context"),
    ],
)
def test_python_names_follow_the_js_names(wire: str, python: str) -> None:
    assert python_name(wire) == python
    assert all(re.fullmatch(r"[a-z]+(_[a-z]+)+", spec.python_name) for spec in members())


def test_a_method_named_against_the_rule_is_refused() -> None:
    with pytest.raises(TypeError, match="'session_get_tab'"):
        member("session.getTab")(lambda self, record, sid, tid: None)


def test_property_reads_are_registered_unwrapped() -> None:
    ws = Workspace()
    read = Bridge(ws).member("session.getTitle").function
    assert read.__func__ is SessionMembers.__dict__["session_get_title"]
    assert read("session-id-0") == "Home" and ws.calls() == []


def test_labels_are_what_calls_and_errors_say() -> None:
    ws = Workspace()
    ws.session_set_title("session-id-0", "x")
    with pytest.raises(Exception, match=r"^context\.delete: key must be a string"):
        ws.session_delete_context("session-id-0", 1)
    assert [c["method"] for c in ws.calls()] == ["session.title", "context.delete"]
    labels = {spec.name: spec.label for spec in members()}
    assert labels["session.setTitle"] == labels["session.getTitle"] == "session.title"
