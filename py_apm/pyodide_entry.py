"""The functions `shim.js` calls inside Pyodide (browser only; imports `js` and `pyodide.ffi`).

One `Workspace` and its `Bridge` live here. Every call returns a JS primitive, a plain JS
Array/Object (never a proxy), or the error marker `{"$pyapmError": true, errorCode, message}`.
After a call that changed the workspace or produced output, the listener set by the shim gets
one payload `{revision, reset, events, notices, warnings}`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import js
from pyodide.ffi import JsProxy, jsnull, to_js

from .bridge import Bridge
from .errors import INTERNAL, ApmError
from .values import JS_NULL, JsMap, JsOpaque, decode_js_json
from .workspace import Workspace

ERROR_MARKER = "$pyapmError"
#: Calls after which the page is always told (the revision may not move on a reset).
_ALWAYS_NOTIFY = frozenset({"pyapm.reset", "pyapm.configure"})
_PRIMITIVES = frozenset({str, bool, int, float})

_workspace = Workspace()
_bridge = Bridge(_workspace)
_listener: Callable[[Any], Any] | None = None
_last_revision: int = _workspace.revision


def call(method: str, *args: Any) -> Any:
    """Run one bridge call whose arguments are JS primitives (`jsnull` becomes `JS_NULL`)."""
    for arg in args:
        if arg is jsnull:
            args = tuple(JS_NULL if a is jsnull else a for a in args)
            break
    return _run(method, args)


def call_encoded(method: str, args_json: str) -> Any:
    """Run one bridge call whose arguments came as the shim's marker-JSON array."""
    try:
        args = decode_js_json(args_json)
    except Exception as exc:  # noqa: BLE001 - the shim sent something broken: report, don't raise
        return _internal(method, exc)
    return _run(method, tuple(args))


def set_listener(fn: Callable[[Any], Any] | None) -> None:
    """Set (or clear with None) the JS function that receives change payloads."""
    global _listener
    _listener = None if fn is None or fn is jsnull else fn


def options() -> Any:
    """The workspace's effective options as a plain JS object (None if it has none)."""
    opts = getattr(_workspace, "options", None)
    describe = getattr(opts, "describe", None)
    return _to_js(describe()) if callable(describe) else None


def _run(method: str, args: tuple[Any, ...]) -> Any:
    try:
        result = _bridge.call(method, *args)
        if result is not None and result.__class__ not in _PRIMITIVES:
            result = _to_js(result)
    except ApmError as exc:
        result = _error(exc.code, exc.message)
    except Exception as exc:  # noqa: BLE001 - never let a traceback reach user code
        result = _internal(method, exc)
    ws = _workspace
    if ws.revision != _last_revision or ws.has_output() or method in _ALWAYS_NOTIFY:
        _notify(reset=method == "pyapm.reset")
    return result


def _notify(reset: bool = False) -> None:
    """Send one payload (revision, drained outbox) to the listener."""
    global _last_revision
    ws = _workspace
    revision = ws.revision
    _last_revision = revision
    outbox = ws.drain_outbox()
    if _listener is None:
        return
    payload = {
        "revision": revision,
        "reset": reset,
        "events": outbox.get("events") or [],
        "notices": outbox.get("notices") or [],
        "warnings": outbox.get("warnings") or [],
    }
    try:
        _listener(_to_js(payload))
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
    return js.JSON.parse(text)


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
