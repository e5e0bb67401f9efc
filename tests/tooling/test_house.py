"""The shape of the package: no import cycle, small modules, the model imports nothing outside it."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "py_apm"
MAX_LINES = 450


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def imports_of(name: str) -> set[str]:
    """Modules of `py_apm` that `name` imports anywhere (functions included), except under
    `if TYPE_CHECKING:`, which never runs."""
    path = MODULES[name]
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                found.add(sub if sub in MODULES else base)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(ast.parse(path.read_text(encoding="utf-8")))
    return {m for m in found if m in MODULES and m != name}


GRAPH = {name: imports_of(name) for name in MODULES}


def cycles() -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def connect(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in GRAPH[v]:
            if w not in index:
                connect(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in GRAPH:
        if v not in index:
            connect(v)
    return found


def test_the_checker_sees_imports() -> None:
    assert "py_apm.model.version" in GRAPH["py_apm"]
    assert "py_apm.model.members" in GRAPH["py_apm.bridge.wire"]
    assert "py_apm.host.snapshot_build" in GRAPH["py_apm.host.bench"]  # inside a function


def test_no_import_cycle() -> None:
    assert cycles() == []


@pytest.mark.parametrize("name", sorted(MODULES))
def test_module_is_small(name: str) -> None:
    lines = len(MODULES[name].read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{name} has {lines} lines"


@pytest.mark.parametrize("inner", ["py_apm.model", "py_apm.bridge"])
def test_what_runs_in_pyodide_imports_no_host_module(inner: str) -> None:
    allowed = ("py_apm.model",) if inner == "py_apm.model" else ("py_apm.model", "py_apm.bridge")
    for name, imported in GRAPH.items():
        if name.startswith(inner):
            outside = [m for m in imported if not m.startswith(allowed)]
            assert outside == [], f"{name} imports {outside}"


# ---- The shim's ES modules (shim/): the same rules ---------------------------------------------
SHIM = PACKAGE.parent / "shim"
JS_MODULES = {p.relative_to(SHIM).as_posix(): p for p in sorted(SHIM.rglob("*.js"))}
JS_IMPORT = re.compile(
    r"""^(?:import|export)\b[^;]*?\bfrom\s+["'](\.{1,2}/[^"']+)["']""", re.M | re.S
)


def js_imports(name: str) -> set[str]:
    """The shim modules `name` imports (relative specifiers only; the shim has no others)."""
    text = JS_MODULES[name].read_text(encoding="utf-8")
    base = JS_MODULES[name].parent
    found = {
        (base / spec).resolve().relative_to(SHIM).as_posix() for spec in JS_IMPORT.findall(text)
    }
    missing = found - JS_MODULES.keys()
    assert not missing, f"shim/{name} imports missing modules {sorted(missing)}"
    return found


def test_the_js_checker_sees_imports() -> None:
    assert {"wire.js", "faces/apm.js"} <= js_imports("index.js")
    assert "wire.js" in js_imports("faces/common.js")


def test_no_js_import_cycle() -> None:
    graph = {name: js_imports(name) for name in JS_MODULES}
    done: set[str] = set()

    def walk(name: str, trail: tuple[str, ...]) -> None:
        assert name not in trail, f"import cycle: {' -> '.join((*trail, name))}"
        if name in done:
            return
        for imported in sorted(graph[name]):
            walk(imported, (*trail, name))
        done.add(name)

    for name in graph:
        walk(name, ())


@pytest.mark.parametrize("name", sorted(JS_MODULES))
def test_js_module_is_small(name: str) -> None:
    lines = len(JS_MODULES[name].read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"shim/{name} has {lines} lines"
