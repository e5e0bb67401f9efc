"""The bounded log of documented calls behind `PyApm.calls()`.

A record keeps summaries, never the caller's objects: strings cut at `TEXT_CHARS`, at most
`SUMMARY_CHARS` characters for the arguments and as many for the result, `SUMMARY_DEPTH`
levels, messages cut at `MESSAGE_CHARS`. So a record holds at most about 3 KB of text whatever
was passed, and the log at most `callLogLimit` records.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from .values import JS_NULL, JsMap, JsOpaque, describe, js_number, to_plain

DEFAULT_LIMIT = 10_000
#: Longest string kept whole in a summary.
TEXT_CHARS = 200
#: Characters of summary for a call's arguments, and as many for its result.
SUMMARY_CHARS = 1_024
#: Levels of arrays/objects kept in a summary (deeper ones become "[array]" / "[object]").
SUMMARY_DEPTH = 8
#: Longest error message, warning or refusal reason kept.
MESSAGE_CHARS = 500
_SCALARS = frozenset({bool, int, float})


def cut(text: str, limit: int = MESSAGE_CHARS) -> str:
    """`text`, or its start and how long it was."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}... ({len(text):,} characters)"


def _is_small(value: Any) -> bool:
    cls = value.__class__
    return value is None or (cls is str and len(value) <= TEXT_CHARS) or cls in _SCALARS


def bounded_args(args: tuple[Any, ...]) -> tuple[Any, ...]:
    """`args` as the log keeps them: as they are when short scalars (the usual ids), else a
    summary."""
    for arg in args:
        if not _is_small(arg):
            budget = [SUMMARY_CHARS]
            return tuple(summarize(a, budget) for a in args)
    return args


def bounded(value: Any) -> Any:
    """A result as the log keeps it (see `bounded_args`); the workspace's own short lists of
    ids are kept as they are."""
    if _is_small(value):
        return value
    if value.__class__ is list and len(value) <= 20 and all(map(_is_small, value)):
        return value
    return summarize(value, [SUMMARY_CHARS])


def bounded_error(error: dict[str, Any]) -> dict[str, Any]:
    message = error.get("message")
    if isinstance(message, str) and len(message) > MESSAGE_CHARS:
        return {**error, "message": cut(message)}
    return error


def summarize(value: Any, budget: list[int], depth: int = 0) -> Any:
    """Plain JSON data standing for `value`, spending at most about `budget[0]` characters
    (shared by siblings). Never raises: a caller's object that throws while read is named."""
    try:
        return _summarize(value, budget, depth)
    except Exception:  # noqa: BLE001 - the caller's own object raised while read
        budget[0] -= 20
        return "[unreadable object]"


def _summarize(value: Any, budget: list[int], depth: int) -> Any:
    if value is None or value is JS_NULL:
        budget[0] -= 4
        return None
    if isinstance(value, bool):
        budget[0] -= 5
        return value
    if isinstance(value, (int, float)):
        budget[0] -= 8
        if isinstance(value, float) and not math.isfinite(value):
            return js_number(value)
        return value if isinstance(value, float) or value.bit_length() <= 64 else float(value)
    if isinstance(value, str):
        keep = max(0, min(TEXT_CHARS, budget[0]))
        budget[0] -= min(len(value), keep) + 2
        return value if len(value) <= keep else cut(value, keep)
    if isinstance(value, JsOpaque):
        budget[0] -= 10
        return f"[{value.kind}]"
    if isinstance(value, (Mapping, JsMap)):
        if depth >= SUMMARY_DEPTH:
            return "[object]"
        items = value.entries if isinstance(value, JsMap) else value.items()
        out: dict[str, Any] = {}
        for count, (key, item) in enumerate(items):
            if budget[0] <= 0:
                out["..."] = f"{_size(value) - count} more"
                break
            name = cut(key if isinstance(key, str) else str(to_plain(key)), TEXT_CHARS)
            budget[0] -= len(name) + 3
            out[name] = _summarize(item, budget, depth + 1)
        return out
    if isinstance(value, (list, tuple)):
        if depth >= SUMMARY_DEPTH:
            return "[array]"
        result: list[Any] = []
        for count, item in enumerate(value):
            if budget[0] <= 0:
                result.append(f"... {len(value) - count} more")
                break
            budget[0] -= 1
            result.append(_summarize(item, budget, depth + 1))
        return result
    budget[0] -= 20
    return f"[{describe(value)}]"


def _size(value: Any) -> int:
    return len(value.entries) if isinstance(value, JsMap) else len(value)


@dataclass(slots=True)
class CallRecord:
    """One call: what was asked, what came back, and whether the workspace refused it."""

    seq: int
    method: str
    args: tuple[Any, ...]
    origin: str = "api"
    result: Any = None
    error: dict[str, Any] | None = None
    refused: bool = False
    reason: str | None = None
    warning: str | None = None
    #: every warning as {code, message} (`warning` keeps the last message, for older readers)
    warnings: list[dict[str, str]] | None = None
    #: the tab whose frame made the call (tagged by the shim), else None
    frame: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "method": self.method,
            "origin": self.origin,
            "args": [to_plain(a) for a in self.args],
            "result": to_plain(self.result),
            "error": self.error,
            "refused": self.refused,
            "reason": self.reason,
            "warning": self.warning,
            "warnings": list(self.warnings or ()),
            "frame": self.frame,
        }


#: A call that cannot fail, kept cheaply: (seq, method, args, result), and the calling frame's
#: tab when a frame made it; see `CallLog.note` and `noted_read`.
ReadRecord = tuple[Any, ...]


def _read_dict(record: ReadRecord) -> dict[str, Any]:
    seq, method, args, result = record[:4]
    frame = record[4] if len(record) > 4 else None
    return CallRecord(seq, method, args, result=result, frame=frame).to_dict()


class CallLog:
    """Keeps the newest `limit` call records."""

    def __init__(self, limit: int = DEFAULT_LIMIT) -> None:
        self._records: deque[CallRecord | ReadRecord] = deque(maxlen=limit)
        self._seq = 0
        #: the tab id of the frame making the current calls (`PyApm` sets it around a frame's
        #: call), else None
        self.caller: str | None = None

    @property
    def seq(self) -> int:
        """The sequence number of the newest call."""
        return self._seq

    def start(self, method: str, args: tuple[Any, ...], origin: str = "api") -> CallRecord:
        """Open a record for a call that is about to run."""
        self._seq += 1
        record = CallRecord(self._seq, method, bounded_args(args), origin)
        if self.caller is not None:
            record.frame = self.caller
        self._records.append(record)
        return record

    def note(self, method: str, args: tuple[Any, ...], result: Any) -> None:
        """Record a call that cannot fail or warn (a getter): a tuple, expanded by `to_list`."""
        self._seq += 1
        self._records.append((self._seq, method, bounded_args(args), bounded(result)))

    def set_limit(self, limit: int) -> None:
        """Keep at most `limit` records from now on (newest kept; numbering goes on)."""
        if limit != self._records.maxlen:
            self._records = deque(self._records, maxlen=limit)

    def to_list(self, since: int = 0) -> list[dict[str, Any]]:
        """The records, oldest first; only those numbered above `since` when it is given (read
        from the newest end, so asking for the last few is cheap)."""
        if since <= 0:
            records: Any = self._records
        else:
            records = []
            for r in reversed(self._records):
                if (r.seq if isinstance(r, CallRecord) else r[0]) <= since:
                    break
                records.append(r)
            records.reverse()
        return [r.to_dict() if isinstance(r, CallRecord) else _read_dict(r) for r in records]


def noted_read(
    read: Callable[[Any], Any],
    label: str,
    checked: Callable[[Any, CallRecord], None],
    warns: Callable[[Any, str, str], bool],
) -> Callable[[Any], Any]:
    """`read` (a workspace method without arguments that cannot fail) wrapped to note each call
    in the workspace's log as `CallLog.note` does, inlined: these are the hottest calls. A call
    from a tab's frame (the log's `caller` set) keeps that tab; when `warns` says it gets a
    warning, a full record instead, handed to `checked`."""

    def noted(ws: Any) -> Any:
        result = read(ws)
        log: CallLog = ws._log
        caller = log.caller
        if caller is None:
            log._seq += 1
            log._records.append((log._seq, label, (), bounded(result)))
        elif warns(ws, label, caller):
            record = log.start(label, ())
            record.result = bounded(result)
            checked(ws, record)
        else:
            log._seq += 1
            log._records.append((log._seq, label, (), bounded(result), caller))
        return result

    return noted
