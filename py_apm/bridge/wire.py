"""The Python end of the wire: members by name or code, JS argument semantics, change payloads.

Pure Python (tested natively); `entry.py` is the Pyodide glue around it. The member table is the
`@member` registry (`py_apm.model.members`) bound to one workspace.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..model.errors import ApmError, invalid
from ..model.members import members
from ..model.values import decode_js_json
from ..model.workspace import Workspace


def unknown_member(key: Any) -> ApmError:
    """The error for a member name or code the bridge does not have."""
    return invalid("py-apm bridge", f"unknown member {key!r}")


def js_arguments(args: tuple[Any, ...], arity: int) -> tuple[Any, ...]:
    """`args` as a JS function with `arity` parameters sees them: missing ones are undefined
    (None), extra ones are ignored."""
    return (args + (None,) * arity)[:arity]


def run(member: Member, args: tuple[Any, ...]) -> Any:
    """The one dispatch (`Bridge.call` and the Pyodide entry): run a member as JS calls a
    function, missing arguments undefined (None) and extra ones ignored."""
    if len(args) != member.arity:
        args = js_arguments(args, member.arity)
    return member.function(*args)


@dataclass(frozen=True, slots=True)
class Member:
    """One bridge member: its name (e.g. ``session.getTitle``), its code, what it runs and how
    many arguments it reads."""

    name: str
    code: int
    function: Callable[..., Any]
    arity: int


class Bridge:
    """Dispatches `call(method, *args)` to the workspace; raises ApmError on refusal.

    A member is named by its name or by its code (its index in `methods`); the shim uses codes,
    which cross from JS to Python cheaper than strings.
    """

    def __init__(self, workspace: Workspace | None = None) -> None:
        self.workspace = workspace or Workspace()
        self.members: tuple[Member, ...] = tuple(
            Member(spec.name, code, getattr(self.workspace, spec.python_name), spec.arity)
            for code, spec in enumerate(members())
        )
        #: name or code -> Member
        self.by_key: dict[str | int, Member] = {m.name: m for m in self.members}
        self.by_key.update((m.code, m) for m in self.members)

    @property
    def methods(self) -> list[str]:
        """Member names, in code order."""
        return [m.name for m in self.members]

    def member(self, key: Any) -> Member:
        """The member named (or numbered) `key`; ApmError 400 when there is none."""
        try:
            found = self.by_key.get(key)
        except TypeError:  # unhashable
            found = None
        if found is None:
            raise unknown_member(key)
        return found

    def call(self, method: str | int, *args: Any) -> Any:
        """Run one member with JS argument semantics (missing → undefined, extra ignored)."""
        return run(self.member(method), args)

    def call_encoded(self, method: str | int, args_json: str) -> Any:
        """`call` with the arguments in the shim's JSON encoding (Maps, opaque values marked)."""
        return self.call(method, *decode_js_json(args_json))


def payload_items(events: list[Any], notices: list[str], warnings: list[str]) -> list[Any]:
    """The outbox as a flat list of primitives the shim decodes (`decodePayload` in shim.js):
    ``"e", name, topic, n, key1, value1, ... keyN, valueN`` per event (values are strings or
    None), ``"n", text`` per notice and ``"w", text`` per warning."""
    items: list[Any] = []
    for event in events:
        data = event.data
        items += ("e", event.name, event.topic, len(data))
        for key, value in data.items():
            items += (key, value if value is None or isinstance(value, str) else str(value))
    for text in notices:
        items += ("n", text)
    for text in warnings:
        items += ("w", text)
    return items
