"""The face tables (shim/faces/table.js) against the registry and the typings: rows call only
registered members and say what their kind needs; each typed table object makes exactly the
members its interface in types/ declares (refused members are left out of the typings)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from typing import Any

import pytest

from .test_member_registry import (
    REGISTRY,
    SHIM,
    TYPINGS,
    Interfaces,
    declared,
    read_interfaces,
)

TABLE = SHIM / "faces" / "table.js"


@pytest.fixture(scope="module")
def faces() -> dict[str, dict[str, Any]]:
    """shim/faces/table.js's FACES, as node reads it (the table is data: no imports)."""
    node = shutil.which("node")
    if node is None:
        pytest.skip("node reads shim/faces/table.js")
    script = f"const m = await import({json.dumps(TABLE.as_uri())}); console.log(JSON.stringify(m.FACES));"
    done = subprocess.run(
        [node, "--input-type=module", "-e", script], capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout)


def objects(faces: dict[str, dict[str, Any]]) -> list[tuple[str, dict[str, Any]]]:
    return [
        (f"{face}.{name}", spec) for face, table in faces.items() for name, spec in table.items()
    ]


def js_names(spec: dict[str, Any], typed_only: bool = False) -> set[str]:
    """The JS members a table entry makes (a handler row is its addOn/removeOn pair)."""
    names: set[str] = set()
    for row in spec["members"]:
        if row["kind"] == "handler":
            names |= {f"addOn{row['name']}", f"removeOn{row['name']}"}
        elif not (typed_only and row["kind"] == "refused"):
            names.add(row["name"])
    return names


# ---- the face tables against the registry ------------------------------------------------------
def test_rows_call_only_registered_members(faces: dict[str, dict[str, Any]]) -> None:
    for where, spec in objects(faces):
        for row in spec["members"]:
            for key in ("bridge", "set"):
                if key in row and row[key] is not None:
                    assert row[key] in REGISTRY, (
                        f"shim/faces/table.js {where}.{row['name']}: {key} {row[key]!r} is not a "
                        "@member (py_apm/model/members.py)"
                    )


def test_rows_say_what_their_kind_needs(faces: dict[str, dict[str, Any]]) -> None:
    shapes = {None, "session", "tab", "context", "String", "Boolean", "nothing"}
    for where, spec in objects(faces):
        names = [row["name"] for row in spec["members"]]
        assert len(names) == len(set(names)), f"{where}: a member is declared twice"
        for row in spec["members"]:
            at = f"shim/faces/table.js {where}.{row['name']}"
            if row["kind"] == "call":
                assert row.get("returns") in {"sync", "void", "promise", "action"}, at
                assert row.get("as") in shapes and row.get("documented") in shapes, at
                assert (row["returns"] == "action") == ("documented" in row), at
                args = row.get("args", [])
                assert args == "rest" or len(args) <= 1, at
            elif row["kind"] == "refused":
                assert row.get("why"), f"{at}: a refused member says why"


def test_typings_declare_what_the_tables_make(faces: dict[str, dict[str, Any]]) -> None:
    interfaces: Interfaces = read_interfaces()
    typed = [(where, spec) for where, spec in objects(faces) if "typing" in spec]
    assert len(typed) >= 10
    for where, spec in typed:
        made, typing = js_names(spec, typed_only=True), declared(interfaces, spec["typing"])
        assert made - typing == set(), (
            f"types/apm.d.ts {spec['typing']} lacks {sorted(made - typing)}"
        )
        assert typing - made == set(), (
            f"shim/faces/table.js {where} lacks {sorted(typing - made)}, typed in {spec['typing']}"
        )


def test_cif_table_makes_what_cif_d_ts_declares(faces: dict[str, dict[str, Any]]) -> None:
    """Microsoft.CIFramework's functions in types/cif.d.ts are the CIF table's rows but the
    refused ones (left out of the typings, as on the other faces)."""
    text = (TYPINGS / "cif.d.ts").read_text("utf-8")
    body = text[text.index("namespace CIFramework {") :]
    typed = set(re.findall(r"^\s*function\s+([A-Za-z_$][\w$]*)\s*\(", body, flags=re.M))
    made = js_names(faces["cif"]["framework"], typed_only=True)
    assert made == typed, (
        f"table only: {sorted(made - typed)}; cif.d.ts only: {sorted(typed - made)}"
    )
