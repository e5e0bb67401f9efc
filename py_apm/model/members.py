"""`@member(...)`: each bridge member declared once, on the workspace method that runs it.

A member has a wire name (what the shim calls: `createSession`, `session.setTitle`), a label (what
`PyApm.calls()` and error messages say: `session.title`), a logging mode and an arity (read from
the method's signature). The bridge's member table, codes and arities are derived from `members()`.

Naming rule: the Python method is the wire name in snake_case, prefixed by its object
(`getSession` of `Microsoft.Apm` -> `apm_get_session`, `session.getTab` -> `session_get_tab`,
`pyapm.reset` -> `pyapm_reset`). Property accessors are `get<Name>`/`set<Name>` on the wire and
share the property's label. `member` refuses a method whose name breaks the rule.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Concatenate, Literal, ParamSpec, TypeVar, overload

from . import warnings as w
from .calllog import CallRecord, bounded, bounded_error, cut, noted_read
from .errors import INTERNAL, NOT_FOUND, ApmError

F = TypeVar("F", bound=Callable[..., Any])
S = TypeVar("S")
P = ParamSpec("P")
R = TypeVar("R")

#: How a member is logged in `PyApm.calls()`:
#: "call" - a full record (errors, refusals, warnings); the method takes the record after `self`;
#: "note" - a cheap record of a read without arguments that cannot fail or warn;
#: "none" - not logged (property reads, test control); the method is registered unwrapped.
LogMode = Literal["call", "note", "none"]

#: Member groups in code order; a member's code is its index in `members()`.
OBJECTS = ("apm", "session", "tab", "cif", "ui", "pyapm")


@dataclass(frozen=True, slots=True)
class MemberSpec:
    """One member as declared: wire name, label, logging mode, arity and the Python name."""

    name: str
    label: str
    log: LogMode
    arity: int
    python_name: str
    object: str


#: wire name -> spec, in declaration order
_DECLARED: dict[str, MemberSpec] = {}


def python_name(wire_name: str) -> str:
    """The method name a wire name maps to (`session.getTab` -> `session_get_tab`)."""
    obj, _, js = wire_name.rpartition(".")
    snake = re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", js).lower()
    return f"{obj or 'apm'}_{snake}"


@overload
def member(
    name: str, *, label: str | None = None, log: Literal["call"] = "call", origin: str = "api"
) -> Callable[[Callable[Concatenate[S, CallRecord, P], R]], Callable[Concatenate[S, P], R]]: ...


@overload
def member(
    name: str, *, label: str | None = None, log: Literal["note", "none"], origin: str = "api"
) -> Callable[[F], F]: ...


def member(
    name: str, *, label: str | None = None, log: LogMode = "call", origin: str = "api"
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Declare the decorated workspace method as the bridge member `name`.

    A logged member (`log="call"`) is declared on a method that takes the call record after
    `self`; the wrapper callers see drops it, and so does its type.
    """

    def declare(fn: Callable[..., Any]) -> Callable[..., Any]:
        expected = python_name(name)
        if fn.__name__ != expected:
            raise TypeError(f"member {name!r} must be declared on a method named {expected!r}")
        # positional parameters after self (and the call record when logged)
        skipped = 2 if log == "call" else 1
        spec = MemberSpec(
            name,
            label or name,
            log,
            fn.__code__.co_argcount - skipped,
            expected,
            expected.partition("_")[0],
        )
        if log == "note" and spec.arity:
            raise TypeError(f"member {name!r}: a noted member takes no arguments")
        _DECLARED[name] = spec
        if log == "none":
            return fn
        if log == "call":
            wrapper = _logged(fn, spec.label, origin)
        else:
            wrapper = noted_read(fn, spec.label, w.check_frame, w.frame_warns)
        wrapper.__name__ = fn.__name__
        wrapper.__qualname__ = fn.__qualname__
        wrapper.__doc__ = fn.__doc__
        return wrapper

    return declare


def _logged(fn: Callable[..., Any], label: str, origin: str) -> Callable[..., Any]:
    def logged(self: Any, *args: Any) -> Any:
        record = self._log.start(label, args, origin)
        if record.frame is not None:
            w.check_frame(self, record)
        try:
            result = fn(self, record, *args)
        except ApmError as error:
            record.error = bounded_error(error.to_dict())
            if error.code == NOT_FOUND and self._closed:
                w.check_closed_ids(self, record, args)
            raise
        except Exception as error:  # a bug: logged, then reported by the bridge
            message = cut(f"{type(error).__name__}: {error}")
            record.error = {"errorCode": INTERNAL, "message": message}
            raise
        record.result = bounded(result)
        if result is None and self._closed and label in ("getSession", "session.getTab"):
            w.check_closed_ids(self, record, args[-1:])  # null for an id that was closed
        return result

    return logged


def members() -> tuple[MemberSpec, ...]:
    """Every declared member in code order: by object (`OBJECTS`), then declaration order."""
    order = {obj: i for i, obj in enumerate(OBJECTS)}
    return tuple(sorted(_DECLARED.values(), key=lambda spec: order[spec.object]))
