"""The functions `shim.js` calls inside Pyodide (browser only; imports `js` and `pyodide.ffi`).

One `Workspace` and its `Bridge` live here. Every call returns a JS primitive, a plain JS
Array/Object (never a proxy), or the error marker `{"$pyapmError": true, errorCode, message}`.
After a call that changed the workspace or produced output, the listener set by the shim gets
one payload `{revision, reset, events, notices, warnings}`, passed flat (`payload_items`).
"""

from __future__ import annotations

import gc
import json
from collections.abc import Callable
from typing import Any

import js
from pyodide.ffi import JsProxy, jsnull, to_js

from ..model.errors import INTERNAL, ApmError
from ..model.values import JS_NULL, JsMap, JsOpaque
from ..model.workspace import Workspace
from .wire import Bridge, decode_arguments, payload_items, run, unknown_member

ERROR_MARKER = "$pyapmError"
_PRIMITIVES = frozenset({str, bool, int, float})

_workspace = Workspace()
_bridge = Bridge(_workspace)
_by_key = _bridge.by_key
#: Codes of the calls after which the page is always told (the revision may not move on a reset).
_ALWAYS_NOTIFY = frozenset(_bridge.member(name).code for name in ("pyapm.reset", "pyapm.configure"))
_listener: Callable[..., Any] | None = None
_last_revision: int = _workspace.revision

# Everything imported so far (the stdlib, py_apm, the built-in templates) lives as long as the
# page: moved out of the collector's generations, so that the full collections that a run of
# calls triggers (a reset allocates a new Home session...) no longer walk it each time.
gc.freeze()


def call(key: str | int, *args: Any) -> Any:
    """Run one bridge member (a code or a name) whose arguments are JS primitives (`jsnull`
    becomes `JS_NULL`). The hot path: one dict lookup, then the workspace."""
    member = _by_key.get(key)  # the shim sends codes (ints) only: always hashable
    if member is None:
        return _unknown(key)
    for arg in args:
        if arg is jsnull:
            args = tuple(JS_NULL if a is jsnull else a for a in args)
            break
    try:
        # exact arity (the shim's common case) calls straight through; else `run` adapts
        if len(args) == member.arity:
            result = member.function(*args)
        else:
            result = run(member, args)
        if result is not None and result.__class__ not in _PRIMITIVES:
            result = _to_js(result)
    except ApmError as exc:
        result = _error(exc.code, exc.message)
    except Exception as exc:  # noqa: BLE001 - never let a traceback reach user code
        result = _internal(member.name, exc)
    ws = _workspace
    if ws.revision != _last_revision or ws.output_pending or member.code in _ALWAYS_NOTIFY:
        _notify(reset=member.name == "pyapm.reset")
    return result


def call_encoded(key: str | int, args_json: str) -> Any:
    """`call` with the arguments as the shim's marker-JSON array."""
    member = _by_key.get(key)
    if member is None:
        return _unknown(key)
    try:
        args = decode_arguments(member.name, args_json)
    except ApmError as exc:
        return _error(exc.code, exc.message)
    except Exception as exc:  # noqa: BLE001 - the shim sent something broken: report, don't raise
        return _internal(member.name, exc)
    return call(key, *args)


def methods() -> Any:
    """The member names as a JS Array; a member's code is its index."""
    return to_js(_bridge.methods, create_pyproxies=False)


def _unknown(key: Any) -> Any:
    error = unknown_member(key)
    return _error(error.code, error.message)


def set_listener(fn: Callable[..., Any] | None) -> None:
    """Set (or clear with None) the JS function that receives change payloads."""
    global _listener
    _listener = None if fn is None or fn is jsnull else fn


def options() -> Any:
    """What the shim reads after a reset: ``{returns}``, the return contract (None if the
    workspace has no options). Not the whole ``describe()``: its template names and record
    counts made every ``PyApm.reset()`` cost a conversion of them (~0.5 ms in the page)."""
    returns = getattr(getattr(_workspace, "options", None), "returns", None)
    return _to_js({"returns": returns}) if isinstance(returns, str) else None


def _notify(reset: bool = False) -> None:
    """Send one payload (revision, drained outbox) to the listener, flat: JS strings and
    numbers cross far cheaper than one JSON text (see `payload_items`)."""
    global _last_revision
    ws = _workspace
    revision = ws.revision
    _last_revision = revision
    events, notices, warnings = ws.take_output()
    if _listener is None:
        return
    try:
        _listener(revision, reset, *payload_items(events, notices, warnings))
    except Exception:  # noqa: BLE001, S110 - the shim's listener must not break a call
        pass


def _to_js(value: Any) -> Any:
    """A bridge result as a JS value: primitives as they are, containers as plain JS data.

    Lists of strings (ids) go through `to_js`; anything else through JSON, which keeps `None`
    as JS `null` (to_js would make it `undefined`) and is faster for large results.
    """
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    if value is JS_NULL:
        return jsnull
    if isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
        return to_js(list(value), create_pyproxies=False)
    if isinstance(value, JsProxy):
        return value
    text = json.dumps(
        value, separators=(",", ":"), ensure_ascii=False, allow_nan=False, default=_plain
    )
    return _json_parse()(text)


_JSON_PARSE: list[Any] = []


def _json_parse() -> Any:
    """JS ``JSON.parse``, looked up once (not at import: the memory snapshot is taken after the
    import and must not hold JS objects)."""
    if not _JSON_PARSE:
        _JSON_PARSE.append(js.JSON.parse)
    return _JSON_PARSE[0]


def _plain(value: Any) -> Any:
    """`json.dumps` fallback for the JS-like values of `py_apm.values`."""
    if value is JS_NULL or isinstance(value, JsOpaque):
        return None
    if isinstance(value, JsMap):
        return {str(k): v for k, v in value.entries}
    to_dict = getattr(value, "to_dict", None)
    if callable(to_dict):
        return to_dict()
    raise TypeError(f"{type(value).__name__} is not JSON data")


def _error(code: int, message: str) -> Any:
    return to_js(
        {ERROR_MARKER: True, "errorCode": code, "message": message},
        dict_converter=js.Object.fromEntries,
        create_pyproxies=False,
    )


def _internal(method: str, exc: BaseException) -> Any:
    text = str(exc).strip().splitlines()[0][:300] if str(exc).strip() else ""
    detail = f"{type(exc).__name__}: {text}" if text else type(exc).__name__
    return _error(INTERNAL, f"py-apm internal error in {method}: {detail}")
