"""The timeline behind `PyApm.timeline()` and the page's timeline panel.

It is the call log (calls, refusals, errors, warnings, the frame each call came from) merged with
what the calls caused: events (posted or not), focus changes and notices. Every row has the same
keys, so the panel, the JSON export and tests read it alike.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .events import EVENT_NAMES, ON_TAB_SWITCH, Event
from .warnings import REFUSED

#: The outbox events of `Microsoft.CIFramework` (`cif_core.py`): rows name their provider.
CIF_EVENTS = ("CIF_EVENT", "CIF_NOTIFICATION")

HISTORY_LIMIT = 10_000
KINDS = ("call", "ui", "error", "refusal", "warning", "event", "focus", "notice")


@dataclass
class History:
    """What calls caused, each tagged with the sequence number of the call that caused it."""

    entries: deque[tuple[int, str, Any]] = field(
        default_factory=lambda: deque(maxlen=HISTORY_LIMIT)
    )
    #: topics handed out by getEventPublisherTopic: only those are posted (see the shim)
    topics: set[str] = field(default_factory=set)
    #: rows of calls up to this sequence number are hidden (the panel's "Clear")
    start: int = 0

    def event(self, seq: int, event: Event) -> None:
        self.entries.append((seq, "event", (event, event.topic in self.topics)))

    def notice(self, seq: int, text: str) -> None:
        self.entries.append((seq, "notice", text))

    def clear(self, seq: int) -> None:
        self.start = seq
        self.entries.clear()


def _row(seq: int, kind: str, **values: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "seq": seq, "kind": kind, "member": None, "origin": None, "frame": None,
        "frameSession": None, "session": None, "args": None, "result": None, "error": None,
        "reason": None, "code": None, "message": None, "event": None, "topic": None,
        "data": None, "posted": None, "provider": None, "text": "",
    }  # fmt: skip
    row.update(values)
    return row


def _call_session(call: dict[str, Any], session_of_tab: Callable[[str], str | None]) -> Any:
    """The session a call acted on, as far as its arguments and result say."""
    method, args, result = call["method"], call["args"], call["result"]
    first = args[0] if args and isinstance(args[0], str) else None
    if method.startswith(("session.", "context.")) or method in (
        "getSession", "ui.focusSession", "ui.closeSession", "ui.refreshContext",
    ):  # fmt: skip
        return first
    if method in ("createSession", "ui.createSession", "getFocusedSession", "cif.createSession"):
        return result if isinstance(result, str) else None
    if method.startswith("cif."):
        return _cif_session(method, args, result, session_of_tab)
    if method in ("createTab", "ui.createTab", "ui.openWebResource") and isinstance(result, str):
        return session_of_tab(result)
    if method.startswith(("tab.", "ui.")) or method in ("closeTab", "focusTab", "refreshTab"):
        return session_of_tab(first) if first else None
    return None


def _cif_session(
    method: str, args: list[Any], result: Any, session_of_tab: Callable[[str], str | None]
) -> Any:
    """The session a `cif.*` call named (its arguments follow the provider's name)."""
    second = args[1] if len(args) > 1 and isinstance(args[1], str) else None
    if method in ("cif.getSession", "cif.requestFocusSession", "cif.notifyNewActivity",
                  "cif.notifyKpiBreach"):  # fmt: skip
        return second
    if method in ("cif.focusTab", "cif.refreshTab", "cif.setTabTitle", "cif.closeTab"):
        return session_of_tab(second) if second else None
    if method == "cif.createTab" and isinstance(result, str):
        return session_of_tab(result)
    return None


def _short(value: Any) -> str:
    from .values import js_json

    try:
        text = js_json(value)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= 120 else text[:117] + "..."


def call_rows(
    call: dict[str, Any], session_of_tab: Callable[[str], str | None]
) -> list[dict[str, Any]]:
    """The rows of one `calls()` entry: the call itself, then its warnings."""
    seq, method = call["seq"], call["method"]
    frame = call.get("frame")
    common = {
        "member": method,
        "origin": call["origin"],
        "frame": frame,
        "frameSession": session_of_tab(frame) if frame else None,
        "session": _call_session(call, session_of_tab),
        # the channel provider that made a `cif.*` call (its first argument)
        "provider": call["args"][0] if method.startswith("cif.") and call["args"] else None,
    }
    args = ", ".join(_short(a) for a in call["args"])
    if call["error"]:
        kind = "error"
        text = f"{method}({args}) threw {call['error']['errorCode']}: {call['error']['message']}"
    elif call["refused"]:
        kind, text = "refusal", f"{method}({args}) refused: {call['reason']}"
    else:
        kind = "ui" if call["origin"] == "ui" else "call"
        result = "" if call["result"] is None else f" → {_short(call['result'])}"
        text = f"{method}({args}){result}"
    rows = [
        _row(seq, kind, args=call["args"], result=call["result"], error=call["error"],
             reason=call["reason"], text=text, **common)
    ]  # fmt: skip
    for warning in call.get("warnings") or ():
        if warning["code"] == REFUSED:
            continue  # the refusal row says it
        rows.append(
            _row(seq, "warning", code=warning["code"], message=warning["message"],
                 text=f"{warning['code']} {warning['message']}", **common)
        )  # fmt: skip
    return rows


def history_rows(seq: int, kind: str, value: Any) -> list[dict[str, Any]]:
    """The rows of one history entry (an event gives an event row, and a focus row for a
    change of the visible tab)."""
    if kind == "notice":
        return [_row(seq, "notice", message=value, text=f"notice: {value}")]
    event, posted = value
    data = dict(event.data)
    session = data.get("sessionId") or data.get("newSessionId")
    if event.name not in EVENT_NAMES:
        # a lifecycle event: no publisher topic exists for it; only the handler faces hear it
        topic, posted = None, None
        state = "handlers only: Xrm.App.sessions / Microsoft.AppRuntime.Sessions"
    else:
        topic = event.topic
        state = "posted" if posted else "not posted: no one asked getEventPublisherTopic for it"
    provider = data.get("provider") if event.name in CIF_EVENTS else None
    if event.name == "CIF_EVENT":
        state = f"{data['name']} to {'every provider' if provider == '*' else provider}"
        session = None
    elif event.name == "CIF_NOTIFICATION":
        state = f"notifyEvent of {data['id']} resolves"
    rows = [
        _row(seq, "event", event=event.name, topic=topic, data=data, posted=posted,
             session=session, provider=provider, text=f"{event.name} {_short(data)} ({state})")
    ]  # fmt: skip
    if event.name == ON_TAB_SWITCH:
        text = (
            f"focus → {data['sessionId']} / {data['tabId']} "
            f"(was {data['previousSessionId']} / {data['previousTabId']})"
        )
        rows.append(_row(seq, "focus", session=session, data=data, text=text))
    return rows


def build(
    calls: list[dict[str, Any]],
    history: History,
    session_of_tab: Callable[[str], str | None],
    since: int = 0,
) -> list[dict[str, Any]]:
    """The rows of calls numbered above `since` (and the last clear), oldest first; a call's
    effects follow the call. A call's rows are complete once it returned, so a reader can ask
    for the new ones only."""
    since = max(since, history.start)
    parts: list[tuple[int, int, list[dict[str, Any]]]] = [
        (c["seq"], 0, call_rows(c, session_of_tab)) for c in calls if c["seq"] > since
    ]
    effects = []
    for seq, kind, value in reversed(history.entries):
        if seq <= since:
            break
        effects.append((seq, 1, history_rows(seq, kind, value)))
    parts += reversed(effects)
    parts.sort(key=lambda part: part[:2])  # stable: effects keep their order
    return [row for _, _, rows in parts for row in rows]
