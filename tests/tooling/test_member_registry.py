"""Every `@member` reaches every place that names it: the shim (its face tables or a hand-written
member), the typings in types/, and the Python `client.py` mirror (the face tables themselves:
test_face_tables.py; docs/design.md's member table: tests/behaviour/test_members.py). A member
missing anywhere fails, with the file to edit in the message."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from py_apm import client
from py_apm.model.members import MemberSpec, members, python_name
from py_apm.model.workspace import Workspace

ROOT = Path(__file__).resolve().parents[2]
SHIM = ROOT / "shim"
TYPINGS = ROOT / "types"

assert Workspace  # the members are declared when the workspace's modules are imported
REGISTRY: dict[str, MemberSpec] = {spec.name: spec for spec in members()}


def _shim_sources() -> str:
    return "\n".join(p.read_text("utf-8") for p in sorted(SHIM.rglob("*.js")))


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_every_member_is_called_by_the_shim(name: str) -> None:
    assert f'"{name}"' in _shim_sources(), (
        f"@member {name!r} is never called from JS: add a row to shim/faces/table.js (or call it "
        "from a hand-written member of shim/)"
    )


# ---- the typings -----------------------------------------------------------------------------
Interfaces = dict[str, tuple[set[str], list[str]]]
_OPEN = re.compile(r"^\s*(?:declare\s+)?(namespace|interface)\s+([\w.]+)")
_MEMBER = re.compile(r"^\s*(?:readonly\s+)?([A-Za-z_$][\w$]*)\??\s*[(:<]")


def parse_interfaces(text: str) -> Interfaces:
    """Qualified interface name -> (its member names, the names it extends), from a .d.ts."""
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    found: Interfaces = {}
    scopes: list[tuple[str, str, int]] = []  # (kind, qualified name, depth inside it)
    pending: tuple[str, str] | None = None
    header = ""
    depth = paren = 0
    for line in (raw.split("//")[0] for raw in text.splitlines()):
        opened = _OPEN.match(line)
        if opened and paren == 0:
            outer = next((name for kind, name, _ in reversed(scopes) if kind == "namespace"), "")
            pending = (opened[1], f"{outer}.{opened[2]}".lstrip("."))
            header = ""
        elif scopes and scopes[-1][0] == "interface" and depth == scopes[-1][2] and paren == 0:
            member = _MEMBER.match(line)
            if member:
                found[scopes[-1][1]][0].add(member[1])
        if pending is not None:
            header += line
            if "{" in line:
                kind, name = pending
                pending = None
                if kind == "interface":
                    extends = header.partition(" extends ")[2].partition("{")[0]
                    bases = [
                        b.strip() for b in re.sub(r"<[^>]*>", "", extends).split(",") if b.strip()
                    ]
                    found[name] = (set(), bases)
                scopes.append((kind, name, depth + 1))
        depth += line.count("{") - line.count("}")
        paren += line.count("(") - line.count(")")
        while scopes and depth < scopes[-1][2]:
            scopes.pop()
    return found


def declared(interfaces: Interfaces, name: str) -> set[str]:
    """An interface's members with those of the interfaces it extends."""
    names, bases = interfaces[name]
    out = set(names)
    namespace = name.rpartition(".")[0]
    for base in bases:
        candidates = [base] + [
            f"{'.'.join(namespace.split('.')[:i])}.{base}".lstrip(".")
            for i in range(len(namespace.split(".")), 0, -1)
        ]
        known = next((c for c in candidates if c in interfaces), None)
        if known is not None:
            out |= declared(interfaces, known)
    return out


def read_interfaces() -> Interfaces:
    """Every interface of types/*.d.ts."""
    found: Interfaces = {}
    for path in sorted(TYPINGS.glob("*.d.ts")):
        # Interfaces merge across files, as in TypeScript (cif.d.ts adds to PyApm.UI).
        for name, (names, bases) in parse_interfaces(path.read_text("utf-8")).items():
            mine = found.setdefault(name, (set(), []))
            mine[0].update(names)
            mine[1].extend(b for b in bases if b not in mine[1])
    return found


@pytest.fixture(scope="module")
def interfaces() -> Interfaces:
    return read_interfaces()


def test_the_typings_parser_sees_members_and_bases(interfaces: Interfaces) -> None:
    assert {"getFocusedSession", "getEventPublisherTopic"} <= interfaces["Microsoft.Apm.Api"][0]
    assert interfaces["Xrm.App.Session"][1] == ["Microsoft.AppRuntime.SessionBase"]
    assert {"iconPath", "requestFocus", "anchorTab"} <= declared(interfaces, "Xrm.App.Session")
    assert "skipCreateAdditionalTabs" not in interfaces["Microsoft.AppRuntime.Sessions"][0]
    assert "clear" not in interfaces["Xrm.App.Tab"][0]  # inside an inline object type


#: PyApm members (pyapm.* and ui.*) the user typings leave out, and why.
UNTYPED = {
    "pyapm.version": "a property (`PyApm.version`), typed as such",
    "pyapm.setCaller": "the shim's own frame tagging, not a PyApm member",
    "pyapm.timeline": "the workspace page's timeline panel (web/)",
    "pyapm.clearTimeline": "the workspace page's timeline panel (web/)",
    "pyapm.catalog": "the workspace page's launcher (web/)",
    "ui.createSession": "the workspace page's launcher (web/)",
    "ui.createTab": "the workspace page's launcher (web/)",
    "ui.openWebResource": "the workspace page's `?open=` (web/)",
    "ui.setRecord": "the workspace page's record editor (web/)",
    "ui.refreshContext": "the workspace page's refresh button (web/)",
}


@pytest.mark.parametrize("spec", [s for s in members() if s.object in ("pyapm", "ui")], ids=str)
def test_pyapm_typings_declare_the_control_members(
    spec: MemberSpec, interfaces: Interfaces
) -> None:
    if spec.name in UNTYPED:
        return
    js = spec.name.partition(".")[2]
    typing = "PyApm.UI" if spec.object == "ui" else "PyApm.Api"
    assert js in declared(interfaces, typing), (
        f"@member {spec.name!r}: add `{js}(...)` to {typing} in types/pyapm.d.ts"
    )


# ---- the Python mirror (py_apm/client.py) -----------------------------------------------------
MIRRORS: dict[str, type] = {
    "apm": client.BrowserWorkspace,
    "session": client.BrowserSession,
    "tab": client.BrowserTab,
    "pyapm": client.BrowserWorkspace,
    "cif": client.BrowserWorkspace,
}
#: Members mirrored on another object than their own: (class, attribute).
ELSEWHERE: dict[str, tuple[type, str]] = {
    "session.deleteContext": (client.BrowserContext, "delete"),
    "session.createPageTab": (client.BrowserWorkspace, "create_page_tab"),
}
#: Members with no mirror, and why.
NOT_MIRRORED = {
    "pyapm.version": "a property the boot reads once (PyApm.version), not a workspace call",
    "pyapm.timeline": "read from the page by the plugin (--apm-timeline)",
    "pyapm.clearTimeline": "the workspace page's timeline panel (web/)",
    "pyapm.catalog": "the workspace page's launcher",
    "pyapm.setCaller": "the shim's own frame tagging",
}


def mirror_names(name: str) -> set[str]:
    """The client attribute names a member may have: `session.getTab` -> get_tab, a property
    accessor by its property (`session.getTitle` -> title), or the full Python name
    (`cif.createSession` -> cif_create_session: the CIF members keep their prefix, since their
    names would meet Microsoft.Apm's)."""
    snake = python_name(name.rpartition(".")[2]).partition("_")[2]
    return {snake, re.sub(r"^(get|set)_", "", snake), python_name(name)}


@pytest.mark.parametrize("spec", [s for s in members() if s.object != "ui"], ids=str)
def test_client_mirrors_every_member(spec: MemberSpec) -> None:
    if spec.name in NOT_MIRRORED:
        return
    if spec.name in ELSEWHERE:
        owner, attribute = ELSEWHERE[spec.name]
        assert hasattr(owner, attribute), f"py_apm/client.py {owner.__name__} lacks {attribute}"
        return
    owner = MIRRORS[spec.object]
    assert any(hasattr(owner, n) for n in mirror_names(spec.name)), (
        f"@member {spec.name!r}: py_apm/client.py {owner.__name__} lacks "
        f"{' or '.join(sorted(mirror_names(spec.name)))}"
    )


def test_the_exception_lists_name_real_members() -> None:
    assert set(UNTYPED) | set(ELSEWHERE) | set(NOT_MIRRORED) <= set(REGISTRY)
