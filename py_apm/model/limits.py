"""Bounds on what a caller can send, checked before anything parses or walks it deeply.

JSON text is measured by a linear scan before `json.loads`: the C decoder recurses once per
nesting level, and inside a browser the native stack runs out long before Python's recursion
guard, which kills the runtime. Object arguments are walked without recursion. No real payload
comes near these numbers; a caller that passes them gets a 400 naming the limit.
"""

from __future__ import annotations

import json
import re
from array import array
from collections.abc import Mapping
from itertools import accumulate
from typing import Any

from .errors import invalid
from .values import JS_NULL, JsMap, JsOpaque, describe

#: Nesting levels of arrays, objects and Maps in one argument (a JSON text or an object).
MAX_DEPTH = 64
#: Characters of one argument: a JSON text argument, or an object argument as JSON.
MAX_TEXT = 1 << 20
#: Characters of a configuration (`PyApm.configure`, `--config`): record stores can be big.
MAX_CONFIG_TEXT = 8 << 20
#: Characters of one object key or Map key.
MAX_KEY = 1 << 16
#: Nesting levels of the shim's encoded argument list: the list itself, and a Map costs three
#: levels in the encoding (`{"$pyapm:map": [[key, value]]}`).
MAX_ENCODED_DEPTH = 3 * MAX_DEPTH + 2
#: Characters of the shim's encoded argument list (two object arguments at most, JSON-escaped).
MAX_ENCODED_TEXT = 4 * MAX_CONFIG_TEXT

_ESCAPE = re.compile(r"\\.", re.DOTALL)
_STRING = re.compile(r'"[^"]*"')
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_STEPS = bytes.maketrans(b"[{]}", b"\x01\x01\xff\xff")
#: Opaque JS values the shim reports in place of data it would not or could not read.
_OPAQUE_TEXT = {
    "thrown": ": reading it threw: {detail}",
    "cyclic": " refers to itself (a cyclic object)",
    "too-deep": f" is nested deeper than {MAX_DEPTH} levels",
    "too-large": " is larger than {limit:,} characters as JSON (the limit)",
}


def too_deep(text: str, limit: int = MAX_DEPTH) -> bool:
    """True when `text` as JSON nests deeper than `limit` (JSON text that is not valid may be
    counted deeper than the decoder would get). A few linear passes done by C code: escapes out,
    then strings, then everything but brackets; then a run of `limit + 1` openers, else the
    running sum of +1/-1 steps."""
    if text.count("[") + text.count("{") <= limit:
        return False
    if "\\" in text:
        text = _ESCAPE.sub("", text)
    brackets = _NOT_BRACKET.sub("", _STRING.sub("", text))
    if re.search(r"[\[{]{" + str(limit + 1) + "}", brackets):  # the usual hostile text
        return True
    steps = array("b", brackets.encode("ascii").translate(_STEPS))
    return max(accumulate(steps), default=0) > limit


def check_json_text(
    text: str, method: str, name: str, limit: int = MAX_TEXT, depth: int = MAX_DEPTH
) -> None:
    """Refuse JSON text longer than `limit` or nested deeper than `depth` (400)."""
    if len(text) > limit:
        raise invalid(
            method, f"{name} is {len(text):,} characters of JSON text; the limit is {limit:,}"
        )
    if too_deep(text, depth):
        raise invalid(method, f"{name} is JSON nested deeper than {depth} levels (the limit)")


def parse_json_text(
    text: str, method: str, name: str, limit: int = MAX_TEXT, refusal: str = ""
) -> Any:
    """`json.loads` of a caller's JSON text after the bounds check; 400 when it is not JSON
    (`refusal` replaces the default "is not valid JSON: <text>")."""
    check_json_text(text, method, name, limit)
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        detail = refusal or f"is not valid JSON: {shown(text)}"
        raise invalid(method, f"{name} {detail}") from None


def json_or_none(text: str) -> Any:
    """`text` parsed when it is JSON within the bounds, else None (a tab's `data`)."""
    if len(text) > MAX_TEXT or too_deep(text):
        return None
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        return None


def shown(text: str, width: int = 80) -> str:
    """Caller text quoted for an error message, cut to `width` characters."""
    if len(text) <= width:
        return repr(text)
    return f"{text[:width]!r}... ({len(text):,} characters)"


def opaque_problem(value: JsOpaque, limit: int = MAX_TEXT) -> str | None:
    """What an opaque marker for unread data says, or None for an ordinary opaque value."""
    template = _OPAQUE_TEXT.get(value.kind)
    return template.format(detail=value.detail, limit=limit) if template else None


def _number_size(value: int | float, method: str, where: Any) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        if value.bit_length() > 1024:  # JS numbers are doubles: this one cannot come from JS
            raise invalid(method, f"{_path(where)} is an integer too large for a JS number")
    return 8  # as the shim counts a number


def check_value(value: Any, method: str, name: str, limit: int = MAX_TEXT) -> None:
    """Refuse a caller's value (400) that is deeper than `MAX_DEPTH` or cyclic, larger than
    `limit` characters as JSON, has a key longer than `MAX_KEY`, holds something that is not JS
    data (a datetime, a set, a class instance...) or an opaque marker for data the shim could
    not read. Walks without recursion; a Mapping whose reading raises is reported, not raised.

    `where` is a chain `(parent_where, key, parent)` from which paths are made only for an error.
    """
    size = 0
    stack: list[tuple[Any, int, Any]] = [(value, 0, name)]
    while stack:
        item, depth, where = stack.pop()
        if isinstance(item, str):
            size += len(item) + 2
        elif item is None or item is JS_NULL or isinstance(item, bool):
            size += 5 if isinstance(item, bool) else 4
        elif isinstance(item, (int, float)):
            size += _number_size(item, method, where)
        elif isinstance(item, JsOpaque):
            problem = opaque_problem(item, limit)
            if problem:
                raise invalid(method, f"{_path(where)}{problem}")
            size += 8
        elif isinstance(item, (Mapping, JsMap, list, tuple)):
            if depth >= MAX_DEPTH:
                raise _too_deep(method, item, where)
            size += 2
            for key, child in _children(item, method, where):
                if isinstance(key, str):
                    size += len(key) + 4
                    if size > limit:
                        break  # reported below, as the shim reports a too-large argument
                    if len(key) > MAX_KEY:
                        raise invalid(
                            method,
                            f"{_path(where)} has a key of {len(key):,} characters; "
                            f"the limit is {MAX_KEY:,}",
                        )
                else:
                    size += 1
                stack.append((child, depth + 1, (where, key, item)))
        else:
            raise invalid(
                method,
                f"{_path(where)} is a {describe(item)}; values must be strings, numbers, "
                "booleans, null, arrays, objects or Maps",
            )
        if size > limit:
            raise invalid(method, f"{name} is larger than {limit:,} characters as JSON (the limit)")


def _too_deep(method: str, item: Any, where: Any) -> Exception:
    """The error for a container at the depth limit: a cycle when the chain of containers
    leading to it repeats one (reported where it first repeats, as the shim does)."""
    chain: list[tuple[Any, Any]] = [(where, item)]
    while isinstance(where, tuple):
        chain.append((where[0], where[2]))
        where = where[0]
    seen: set[int] = set()
    for link, container in reversed(chain):
        if id(container) in seen:
            return invalid(method, f"{_path(link)} refers to itself (a cyclic object)")
        seen.add(id(container))
    return invalid(method, f"{_path(chain[0][0])} is nested deeper than {MAX_DEPTH} levels")


def _children(item: Any, method: str, where: Any) -> list[tuple[Any, Any]]:
    try:
        if isinstance(item, JsMap):
            return [(_map_key(k), v) for k, v in item.entries]
        if isinstance(item, Mapping):
            return list(item.items())
        return list(enumerate(item))
    except Exception as exc:  # noqa: BLE001 - the caller's own object raised while read
        raise invalid(method, f"{_path(where)}: reading it threw: {_first_line(exc)}") from None


def _map_key(key: Any) -> Any:
    return key if isinstance(key, str) else None


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0][:200]}" if text else type(exc).__name__


def _path(where: Any) -> str:
    """A `(parent_where, key, parent)` chain made during the walk, as `name.key[0]` text; a
    long one keeps its first and last steps."""
    parts: list[str] = []
    while isinstance(where, tuple):
        where, key, _parent = where
        if isinstance(key, int) and not isinstance(key, bool):
            parts.append(f"[{key}]")
        else:
            text = key if isinstance(key, str) else describe(key)
            parts.append("." + (text if len(text) <= 40 else text[:40] + "..."))
    parts.reverse()
    if len(parts) > 8:
        parts = [*parts[:4], f"...({len(parts) - 6} more)", *parts[-2:]]
    return str(where) + "".join(parts)
