"""Write the docs' generated tables from the code that declares them.

    .venv/bin/python scripts/gen_docs.py           # rewrite the generated blocks in docs/
    .venv/bin/python scripts/gen_docs.py --check   # exit 1 (naming the blocks) when one is stale

A generated block sits between `<!-- generated: NAME -->` and `<!-- end generated: NAME -->`;
everything outside the markers is hand-written. Tables:
- `members`: the bridge member registry (`py_apm.model.members.members()`): wire name, label,
  arguments and Python return type (from the method's signature), logging mode and the method's
  docstring's first paragraph.
- `warnings`: the warning codes and names (`py_apm.model.warnings.CODES`) with when each is given.
- `page-types`: the tab templates' page types and their parameters (`templates.PAGE_TYPES`).
- `builtins`: the built-in templates (`py_apm/model/builtin_templates.json`).
- `face-apm`, `face-runtime`, `face-xrm`: each face's members as `shim/faces/table.js` declares
  them (read with node), with what each returns and the bridge member it calls.
tests/tooling/test_docs.py fails when a block differs from what this script writes.
"""

from __future__ import annotations

import argparse
import functools
import inspect
import json
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"

#: When each warning is given (the code and name come from the model; a code missing here, or a
#: code here the model no longer has, stops the script).
WARNING_WHEN = {
    "APM-W001": "`appContext` (or `parametersStr`) keys the template's page type does not take "
    "and no slug of the template reads: the real workspace drops them",
    "APM-W002": "`getFocusedSession`, `createTab`, `closeTab`, `focusTab`, `refreshTab` called "
    "from the frame of a tab whose session is not focused (names the frame's session)",
    "APM-W003": "a session or tab id that was closed (404s, and `getSession`/`getTab` answering "
    "null)",
    "APM-W004": 'a slug in a template title/parameter or `resolveSlug` that resolved to ""',
    "APM-W005": "an unknown template opened leniently (`strictTemplates: false`)",
    "APM-W006": "a template name with surrounding spaces (trimmed)",
    "APM-W007": "a refused call (closing Home or an anchor tab, ...)",
    "APM-W008": 'an entity record the record store does not hold (titled "New Case", ...)',
    "APM-W009": "a `Microsoft.CIFramework` call the real library would answer otherwise or "
    "ignore silently ([cif.md](cif.md))",
}

#: How each logging mode reads in the table ("note": a short record, without arguments).
LOGGING = {"call": "yes", "note": "short", "none": "no"}


def _original(fn: Callable[..., Any], name: str) -> Callable[..., Any]:
    """The method `@member` wrapped (found through `__wrapped__` or the wrapper's closure)."""
    if hasattr(fn, "__wrapped__"):
        return inspect.unwrap(fn)
    for cell in getattr(fn, "__closure__", None) or ():
        inner = cell.cell_contents
        if callable(inner) and getattr(inner, "__name__", "") == name and inner is not fn:
            return _original(inner, name)
    return fn


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def _arguments(fn: Callable[..., Any], skipped: int) -> str:
    params = list(inspect.signature(fn).parameters.values())[skipped:]
    names = []
    for param in params:
        shown = _camel(param.name)
        names.append(f"{shown}?" if param.default is not inspect.Parameter.empty else shown)
    return ", ".join(names) or "–"


def _returns(fn: Callable[..., Any]) -> str:
    returned = inspect.signature(fn).return_annotation
    return "None" if returned is inspect.Signature.empty else str(returned).replace(" | ", " or ")


def _summary(fn: Callable[..., Any]) -> str:
    """The docstring's first sentence on one line (it may wrap over several lines)."""
    doc = inspect.getdoc(fn) or ""
    paragraph = " ".join(doc.split("\n\n", 1)[0].split())
    return paragraph.replace("|", "\\|")


def members_table() -> str:
    from py_apm.model.members import members
    from py_apm.model.workspace import Workspace

    rows = [
        "| member | label in `calls()` | arguments | returns (Python) | logged | what |",
        "|---|---|---|---|---|---|",
    ]
    for spec in members():
        fn = _original(getattr(Workspace, spec.python_name), spec.python_name)
        skipped = 2 if spec.log == "call" else 1
        label = spec.label if spec.label != spec.name else ""
        rows.append(
            f"| `{spec.name}` | {f'`{label}`' if label else '='} | "
            f"{_arguments(fn, skipped)} | `{_returns(fn)}` | {LOGGING[spec.log]} | {_summary(fn)} |"
        )
    return "\n".join(rows)


def warnings_table() -> str:
    from py_apm.model.warnings import CODES

    missing = sorted(set(CODES) - set(WARNING_WHEN))
    extra = sorted(set(WARNING_WHEN) - set(CODES))
    if missing or extra:
        raise SystemExit(
            f"scripts/gen_docs.py: WARNING_WHEN lacks {missing} / has unknown codes {extra}"
        )
    rows = ["| code | name | when |", "|---|---|---|"]
    rows += [f"| {code} | {name} | {WARNING_WHEN[code]} |" for code, name in CODES.items()]
    return "\n".join(rows)


def page_types_table() -> str:
    from py_apm.model.templates import PAGE_TYPES

    rows = ["| `pageType` | required parameters | optional parameters |", "|---|---|---|"]
    for page in PAGE_TYPES.values():
        required = ", ".join(f"`{name}`" for name in page.required) or "–"
        optional = ", ".join(f"`{name}`" for name in page.optional)
        if page.open_parameters:
            optional += " (and any other)"
        rows.append(f"| {page.display} | {required} | {optional or '–'} |")
    return "\n".join(rows)


def builtins_table() -> str:
    from py_apm.model.templates import BUILTIN_FILE

    builtins = json.loads(BUILTIN_FILE.read_text("utf-8"))
    rows = ["| template | kind | title | what it opens |", "|---|---|---|---|"]
    for item in builtins["sessionTemplates"]:
        if "entity" in item:
            opens = f"entity `{item['entity']}`"
        else:
            opens = f"anchor `{item['anchorTab']}`"
        rows.append(
            f"| `{item['uniqueName']}` | session ({item['type']}) | `{item['title']}` | {opens} |"
        )
    for item in builtins["tabTemplates"]:
        parameters = ", ".join(f"`{k}`: `{v}`" for k, v in item.get("parameters", {}).items())
        opens = item["pageType"] + (f" ({parameters})" if parameters else "")
        title = f"`{item['title']}`" if item["title"] else "(the record's)"
        rows.append(f"| `{item['uniqueName']}` | tab | {title} | {opens} |")
    return "\n".join(rows)


#: A result's shape (a face table's `as`) in words.
SHAPES = {
    "session": "session object",
    "tab": "tab object",
    "context": "context object",
    "String": "string",
    "Boolean": "boolean",
    "nothing": "`undefined`",
}
#: A bridge member's Python return type in JS words (when a row gives no `as`).
PYTHON_TO_JS = {
    "str": "string",
    "bool": "boolean",
    "list[str]": "array of ids",
    "str or None": "string or `null`",
    "dict[str, Any]": "object",
    "None": "`undefined`",
}


@functools.cache  # one node process per run, not one per face
def _faces() -> dict[str, Any]:
    """`FACES` of shim/faces/table.js, read with node (the table is data only)."""
    table = ROOT / "shim" / "faces" / "table.js"
    script = "const m = await import(process.argv[1]); console.log(JSON.stringify(m.FACES));"
    done = subprocess.run(
        ["node", "--input-type=module", "-e", script, table.as_uri()],
        capture_output=True,
        text=True,
        check=True,
    )
    return dict(json.loads(done.stdout))


def _python_returns() -> dict[str, str]:
    from py_apm.model.members import members
    from py_apm.model.workspace import Workspace

    return {
        spec.name: _returns(_original(getattr(Workspace, spec.python_name), spec.python_name))
        for spec in members()
    }


def _result(row: dict[str, Any], shape: str | None, python: dict[str, str]) -> str:
    if shape is not None:
        words = SHAPES[shape]
        if shape in ("session", "tab") and python[row["bridge"]] == "str or None":
            words += " or `null`"
        return words
    return PYTHON_TO_JS.get(python[row["bridge"]], python[row["bridge"]])


def _does(row: dict[str, Any], python: dict[str, str]) -> str:
    kind = row["kind"]
    if kind == "id":
        return "its id (string)"
    if kind == "property":
        return "property, settable" if row.get("set") else "property"
    if kind == "constant":
        return f'always `"{row["value"]}"`'
    if kind == "handler":
        return "registers a handler; returns its id"
    if kind == "refused":
        how = "rejects" if row.get("async") else "throws"
        return f"{how} 501: {row['why']}"
    if kind == "hand":
        return "built by hand in its face module (see the tables above)"
    value = _result(row, row.get("as"), python)
    returns = row["returns"]
    if returns == "sync":
        return value
    if returns == "void":
        return "`undefined`"
    if returns == "promise":
        return f"Promise of {value}"
    documented = _result(row, row.get("documented"), python)
    return f'Promise of {value} (`returns: "documented"`: {documented})'


def _bridge_arguments() -> dict[str, list[str]]:
    from py_apm.model.members import members
    from py_apm.model.workspace import Workspace

    found = {}
    for spec in members():
        fn = _original(getattr(Workspace, spec.python_name), spec.python_name)
        shown = _arguments(fn, 2 if spec.log == "call" else 1)
        found[spec.name] = [] if shown == "–" else shown.split(", ")
    return found


def _call_arguments(row: dict[str, Any], bound: bool, bridge: dict[str, list[str]]) -> str:
    """A call row's parameters: its own list, or ("rest") its bridge member's after the id."""
    args = row.get("args", [])
    if args == "rest":
        args = bridge[row["bridge"]][1:] if bound else bridge[row["bridge"]]
    return ", ".join(args)


def _face_table(name: str) -> str:
    python = _python_returns()
    params = _bridge_arguments()
    rows = ["| member | returns | bridge member |", "|---|---|---|"]
    for obj in _faces()[name].values():
        bound = any(row["kind"] == "id" for row in obj["members"])
        for row in obj["members"]:
            shown = f"{obj['label']}{row['name']}"
            if row["kind"] == "handler":
                shown = f"{obj['label']}addOn{row['name']}`, `removeOn{row['name']}"
            elif row["kind"] == "call":
                shown += f"({_call_arguments(row, bound, params)})"
            elif row["kind"] == "refused":
                shown += "()"
            bridge = f"`{row['bridge']}`" if row.get("bridge") else "–"
            rows.append(f"| `{shown}` | {_does(row, python)} | {bridge} |")
    return "\n".join(rows)


TABLES: dict[str, Callable[[], str]] = {
    "members": members_table,
    "warnings": warnings_table,
    "page-types": page_types_table,
    "builtins": builtins_table,
    "face-apm": lambda: _face_table("apm"),
    "face-runtime": lambda: _face_table("runtime"),
    "face-xrm": lambda: _face_table("xrm"),
}

_BLOCK = re.compile(
    r"(<!-- generated: (?P<name>[a-z-]+) -->\n)(?P<body>.*?)(<!-- end generated: (?P=name) -->)",
    re.S,
)


def render(text: str) -> str:
    """`text` with every generated block rewritten."""
    return _BLOCK.sub(lambda m: f"{m[1]}{TABLES[m['name']]()}\n{m[4]}", text)


def pages() -> list[Path]:
    """The docs pages that hold a generated block."""
    return sorted(p for p in DOCS.rglob("*.md") if _BLOCK.search(p.read_text("utf-8")))


def stale() -> list[str]:
    """The pages whose generated blocks differ from what `render` writes."""
    return [
        str(p.relative_to(ROOT))
        for p in pages()
        if render(p.read_text("utf-8")) != p.read_text("utf-8")
    ]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="scripts/gen_docs.py", description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="only say which pages are stale")
    args = parser.parse_args(argv)
    if args.check:
        old = stale()
        for path in old:
            print(f"{path}: generated tables are stale; run scripts/gen_docs.py", file=sys.stderr)
        return 1 if old else 0
    for path in pages():
        text = path.read_text("utf-8")
        new = render(text)
        if new != text:
            path.write_text(new, "utf-8")
            print(f"wrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main(sys.argv[1:]))
