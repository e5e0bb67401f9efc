"""The bounded log of documented calls behind `PyApm.calls()`."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .values import to_plain

DEFAULT_LIMIT = 10_000


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


#: A call that cannot fail, kept cheaply: (seq, method, args, result); see `CallLog.note`.
ReadRecord = tuple[int, str, tuple[Any, ...], Any]


def _read_dict(record: ReadRecord) -> dict[str, Any]:
    seq, method, args, result = record
    return CallRecord(seq, method, args, result=result).to_dict()


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
        record = CallRecord(self._seq, method, args, origin)
        if self.caller is not None:
            record.frame = self.caller
        self._records.append(record)
        return record

    def note(self, method: str, args: tuple[Any, ...], result: Any) -> None:
        """Record a call that cannot fail or warn (a getter): a tuple, expanded by `to_list`."""
        self._seq += 1
        self._records.append((self._seq, method, args, result))

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
    read: Callable[[Any], Any], label: str, checked: Callable[[Any, CallRecord], None]
) -> Callable[[Any], Any]:
    """`read` (a workspace method without arguments that cannot fail) wrapped to note each call
    in the workspace's log as `CallLog.note` does, inlined: these are the hottest calls. A call
    from a tab's frame (the log's `caller` set) gets a full record instead, handed to `checked`."""

    def noted(ws: Any) -> Any:
        result = read(ws)
        log: CallLog = ws._log
        if log.caller is not None:
            record = log.start(label, ())
            record.result = result
            checked(ws, record)
            return result
        log._seq += 1
        log._records.append((log._seq, label, (), result))
        return result

    return noted
