"""JavaScript-like values in Python: null vs undefined, Maps, opaque JS things, String()."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

MAP_MARKER = "$pyapm:map"
JS_MARKER = "$pyapm:js"
THROWN_MARKER = "$pyapm:thrown"
#: Every key the shim sends starting with this prefix is either a marker (alone in its object)
#: or a caller's own key escaped by one more prefix, so a caller cannot forge a marker.
MARKER_PREFIX = "$pyapm:"


class _JsNull:
    """JS `null` as distinct from `undefined` (which is Python `None`)."""

    _instance: _JsNull | None = None

    def __new__(cls) -> _JsNull:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "JS_NULL"

    def __bool__(self) -> bool:
        return False


JS_NULL = _JsNull()


@dataclass(frozen=True)
class JsOpaque:
    """A JS value that has no data form (a function, a Symbol, a BigInt, NaN), or data the shim
    did not read: `thrown` (reading it threw; `detail` says what), `cyclic`, `too-deep`,
    `too-large`."""

    kind: str
    detail: str = ""


@dataclass(frozen=True)
class JsMap:
    """A JS `Map` with its entries as they were (keys not necessarily strings)."""

    entries: tuple[tuple[Any, Any], ...]


def is_nullish(value: Any) -> bool:
    """True for JS `undefined` (None) and `null`."""
    return value is None or value is JS_NULL


def describe(value: Any) -> str:
    """The JS-ish type name of a value, for error messages."""
    if value is None:
        return "undefined"
    if value is JS_NULL:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, JsOpaque):
        if value.kind == "thrown":
            return f"object (reading it threw: {value.detail})"
        return value.kind
    if isinstance(value, (JsMap, Mapping)):
        return "Map" if isinstance(value, JsMap) else "object"
    if isinstance(value, (list, tuple)):
        return "array"
    if callable(value):
        return "function"
    return type(value).__name__


def js_number(value: float) -> str:
    """Format a number as JS `String(n)` does."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    if value.is_integer() and abs(value) < 1e21:
        return str(int(value))
    text = repr(value)
    if "e" in text:
        mantissa, exponent = text.split("e")
        sign = "-" if exponent.startswith("-") else "+"
        text = f"{mantissa}e{sign}{exponent.lstrip('+-').lstrip('0') or '0'}"
    return text


def to_plain(value: Any) -> Any:
    """Turn decoded JS values into plain JSON data (Maps become objects, opaque things text)."""
    if value is JS_NULL:
        return None
    if isinstance(value, JsOpaque):
        return f"[{value.kind}]"
    if isinstance(value, JsMap):
        return {str(k): to_plain(v) for k, v in value.entries}
    if isinstance(value, Mapping):
        return {str(k): to_plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_plain(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return js_number(value)
    return value


def js_json(value: Any) -> str:
    """`JSON.stringify` of plain data: compact, integral floats without `.0`."""
    return json.dumps(_jsonable(value), separators=(",", ":"), ensure_ascii=False)


def _jsonable(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e21:
        return int(value)
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, (JsMap, Mapping)):
        items = value.entries if isinstance(value, JsMap) else value.items()
        return {str(k): _jsonable(v) for k, v in items}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if value is JS_NULL:
        return None
    if isinstance(value, JsOpaque):
        return None
    return value


def js_string(value: Any) -> str:
    """The text a context value or record attribute becomes (numbers and booleans as JS prints
    them, objects as JSON text, null/undefined as empty)."""
    if isinstance(value, str):
        return value
    if is_nullish(value):
        return ""
    if isinstance(value, (bool, int, float)):
        return js_number(value)
    if isinstance(value, JsOpaque):
        return ""
    return js_json(value)


class EncodingError(ValueError):
    """The shim's argument encoding is malformed (a marker with the wrong shape)."""


def _decode_marker(obj: dict[str, Any]) -> Any:
    if len(obj) == 1:
        key, value = next(iter(obj.items()))
        if key == MAP_MARKER:
            return JsMap(tuple(_map_entry(e) for e in _list(value)))
        if key == JS_MARKER:
            return JsOpaque(_text(value))
        if key == THROWN_MARKER:
            return JsOpaque("thrown", _text(value)[:300])
    if any(k.startswith(MARKER_PREFIX) for k in obj):
        return {_unescape(k): v for k, v in obj.items()}
    return obj


def _unescape(key: str) -> str:
    if not key.startswith(MARKER_PREFIX):
        return key
    if not key.startswith(MARKER_PREFIX, len(MARKER_PREFIX)):
        raise EncodingError(f"unescaped marker key {key[:40]!r}")
    return key[len(MARKER_PREFIX) :]


def _list(value: Any) -> list[Any]:
    if not isinstance(value, list):
        raise EncodingError("a Map marker must hold a list of entries")
    return value


def _map_entry(entry: Any) -> tuple[Any, Any]:
    if not (isinstance(entry, list) and len(entry) == 2):
        raise EncodingError("a Map entry must be a [key, value] pair")
    return entry[0], entry[1]


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise EncodingError("an opaque-value marker must hold a string")
    return value


def decode_js_json(text: str) -> list[Any]:
    """Decode the shim's JSON-encoded argument list (with Map and opaque-value markers).

    Raises `EncodingError` for text that is not such a list; the caller bounds the text first
    (`limits.check_json_text`)."""
    # The hook costs a Python call per object: only pay it when the shim marked something.
    try:
        if MARKER_PREFIX in text:
            args = json.loads(text, object_hook=_decode_marker)
        else:
            args = json.loads(text)
    except RecursionError:
        raise EncodingError("encoded arguments are nested too deeply") from None
    if not isinstance(args, list):
        raise EncodingError("encoded arguments must be a JSON array")
    return args
