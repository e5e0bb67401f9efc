"""The one entry point the browser shim calls: a JS member name plus plain arguments."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..model.errors import ApmError, invalid
from ..model.limits import MAX_ENCODED_DEPTH, MAX_ENCODED_TEXT, check_json_text
from ..model.values import JS_NULL, decode_js_json
from ..model.workspace import Workspace


def _table(ws: Workspace) -> dict[str, Callable[..., Any]]:
    return {
        "getFocusedSession": ws.focused_session_id,
        "getAllSessions": ws.get_all_sessions,
        "getSession": ws.session_id_of,
        "createSession": ws.create_session,
        "canCreateSession": ws.can_create_session,
        "createTab": ws.create_tab,
        "closeTab": ws.close_tab,
        "focusTab": ws.focus_tab,
        "refreshTab": ws.refresh_tab,
        "getEventPublisherTopic": ws.get_event_publisher_topic,
        "session.isDefault": ws.session_is_default,
        "session.getTitle": ws.session_title,
        "session.setTitle": ws.set_session_title,
        "session.getCanClose": ws.session_can_close,
        "session.setCanClose": ws.set_session_can_close,
        "session.close": ws.close_session,
        "session.focus": ws.focus_session,
        "session.requestFocus": ws.request_focus,
        "session.getFocusedTab": ws.session_focused_tab,
        "session.getTab": ws.session_tab_id,
        "session.getAllTabs": ws.session_all_tabs,
        "session.canCreateTab": ws.session_can_create_tab,
        "session.updateContext": ws.update_context,
        "session.resolveSlug": ws.resolve_slug,
        "session.getContext": ws.session_context,
        "session.deleteContext": ws.delete_context,
        "session.createTab": ws.session_create_tab,
        "session.getAllTabsForTemplate": ws.session_tabs_for_template,
        "tab.getTitle": ws.tab_title,
        "tab.setTitle": ws.set_tab_title,
        "tab.getCanClose": ws.tab_can_close,
        "tab.setCanClose": ws.set_tab_can_close,
        "tab.close": ws.close_tab_object,
        "tab.focus": ws.focus_tab_object,
        "tab.refresh": ws.refresh_tab_object,
        "ui.focusSession": lambda sid: ws.focus_session(sid, origin="ui"),
        "ui.closeSession": lambda sid: ws.close_session(sid, origin="ui"),
        "ui.focusTab": lambda tid: ws.focus_tab_object(tid, origin="ui"),
        "ui.closeTab": lambda tid: ws.close_tab_object(tid, origin="ui"),
        "pyapm.reset": lambda options=None: ws.reset(None if options is JS_NULL else options),
        "pyapm.configure": ws.configure,
        "pyapm.state": ws.state,
        "pyapm.calls": ws.calls,
        "pyapm.refreshContext": ws.refresh_context,
        "pyapm.version": lambda: ws.version,
    }


# How many arguments each member reads (JS ignores extra ones and passes undefined for missing).
ARITY = {
    "getSession": 1, "createSession": 1, "createTab": 1, "closeTab": 1, "focusTab": 1,
    "refreshTab": 1, "getEventPublisherTopic": 1, "session.setTitle": 2,
    "session.setCanClose": 2, "session.getTab": 2, "session.updateContext": 2,
    "session.resolveSlug": 2, "session.deleteContext": 2, "session.createTab": 2,
    "session.getAllTabsForTemplate": 2, "tab.setTitle": 2, "tab.setCanClose": 2,
    "pyapm.reset": 1, "pyapm.configure": 1, "pyapm.refreshContext": 1,
}  # fmt: skip
ONE_ID = ("session.", "tab.", "ui.")


def unknown_member(key: Any) -> ApmError:
    """The error for a member name or code the bridge does not have."""
    return invalid("py-apm bridge", f"unknown member {key!r}")


def decode_arguments(method: str, args_json: Any) -> list[Any]:
    """The shim's encoded argument list, bounded before it is parsed; 400 when malformed."""
    if not isinstance(args_json, str):
        raise invalid(method, f"encoded arguments must be a string, got {type(args_json).__name__}")
    check_json_text(args_json, method, "the argument list", MAX_ENCODED_TEXT, MAX_ENCODED_DEPTH)
    try:
        return decode_js_json(args_json)
    except ValueError as exc:
        raise invalid(method, f"malformed encoded arguments ({str(exc)[:120]})") from None


def js_arguments(args: tuple[Any, ...], arity: int) -> tuple[Any, ...]:
    """`args` as a JS function with `arity` parameters sees them: missing ones are undefined
    (None), extra ones are ignored."""
    return (args + (None,) * arity)[:arity]


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
            Member(name, code, function, ARITY.get(name, 1 if name.startswith(ONE_ID) else 0))
            for code, (name, function) in enumerate(_table(self.workspace).items())
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
        member = self.member(method)
        if len(args) != member.arity:
            args = js_arguments(args, member.arity)
        return member.function(*args)

    def call_encoded(self, method: str | int, args_json: str) -> Any:
        """`call` with the arguments in the shim's JSON encoding (Maps, opaque values marked)."""
        return self.call(method, *decode_arguments(self.member(method).name, args_json))


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
