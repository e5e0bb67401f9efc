"""Validation of the documented call inputs: SessionInput, AppTabInput, context objects."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .errors import invalid
from .values import JS_NULL, JsMap, JsOpaque, describe, is_nullish, js_string


@dataclass(slots=True)  # not frozen: a frozen __init__ costs 3x, and this is made per call
class SessionInput:
    """A validated `createSession` argument."""

    template_name: str
    context: dict[str, str] = field(default_factory=dict)
    anchor_parameters: dict[str, str] = field(default_factory=dict)
    is_focused: bool = True


@dataclass(slots=True)  # not frozen: a frozen __init__ costs 3x, and this is made per call
class TabInput:
    """A validated `createTab` argument."""

    template_name: str
    app_context: dict[str, str] = field(default_factory=dict)
    is_focused: bool = True


def _json(text: str, method: str, error: str) -> Any:
    """`text` parsed as JSON; ApmError 400 with `error` when it is not JSON."""
    try:
        return json.loads(text)
    except ValueError:
        raise invalid(method, error) from None


def as_object(value: Any, method: str, name: str) -> dict[str, Any]:
    """A Map, a plain object or a JSON string holding an object, as a dict with string keys."""
    if isinstance(value, str):
        value = _json(value, method, f"{name} is a string but not JSON text of an object")
        if not isinstance(value, dict):
            raise invalid(method, f"{name} must be JSON text of an object, got {describe(value)}")
    if isinstance(value, JsMap):
        result: dict[str, Any] = {}
        for key, item in value.entries:
            if not isinstance(key, str):
                raise invalid(
                    method, f"{name} is a Map with a {describe(key)} key; keys must be strings"
                )
            result[key] = item
        return result
    if isinstance(value, Mapping):
        for key in value:
            if not isinstance(key, str):
                raise invalid(method, f"{name} has a {describe(key)} key; keys must be strings")
        return dict(value)
    raise invalid(
        method, f"{name} must be a Map, an object or a JSON string, got {describe(value)}"
    )


def context_value(value: Any, method: str, name: str) -> str:
    """A context or parameter value as text (numbers/booleans stringified, objects as JSON)."""
    if isinstance(value, JsOpaque):
        raise invalid(method, f"{name} cannot be a {value.kind}")
    if callable(value) and not isinstance(value, (Mapping, JsMap)):
        raise invalid(method, f"{name} cannot be a function")
    _check_nested(value, method, name, 0)
    return js_string(value)


def _check_nested(value: Any, method: str, name: str, depth: int) -> None:
    if depth > 64:
        raise invalid(method, f"{name} is nested too deeply")
    if isinstance(value, JsOpaque):
        raise invalid(method, f"{name} contains a {value.kind}")
    if isinstance(value, JsMap):
        value = dict((str(k), v) for k, v in value.entries)
    if isinstance(value, Mapping):
        for key, item in value.items():
            _check_nested(item, method, f"{name}.{key}", depth + 1)
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            _check_nested(item, method, f"{name}[{index}]", depth + 1)


def context_values(value: Any, method: str, name: str) -> dict[str, str]:
    """A whole context argument as `{key: text}`."""
    return {
        k: context_value(v, method, f"{name}.{k}")
        for k, v in as_object(value, method, name).items()
    }


def parse_parameters_str(text: Any, method: str, name: str) -> dict[str, str]:
    """`parametersStr`: JSON text of an array of `[name, value]` pairs."""
    if not isinstance(text, str):
        raise invalid(
            method, f"{name} must be a string of JSON [name, value] pairs, got {describe(text)}"
        )
    pairs = _json(text, method, f"{name} is not valid JSON: {text[:80]!r}")
    if not isinstance(pairs, list):
        raise invalid(method, f"{name} must be a JSON array of [name, value] pairs")
    result: dict[str, str] = {}
    for index, pair in enumerate(pairs):
        if not (isinstance(pair, list) and len(pair) == 2 and isinstance(pair[0], str)):
            raise invalid(
                method, f"{name}[{index}] must be a [name, value] pair with a string name"
            )
        result[pair[0]] = js_string(pair[1])
    return result


def _template_name(item: dict[str, Any], method: str, what: str) -> str:
    name = item.get("templateName")
    if is_nullish(name):
        raise invalid(method, f"{what}.templateName is required")
    if not isinstance(name, str):
        raise invalid(method, f"{what}.templateName must be a string, got {describe(name)}")
    if not name.strip():
        raise invalid(method, f"{what}.templateName must not be empty")
    return name


def _is_focused(item: dict[str, Any], method: str, what: str) -> bool:
    value = item.get("isFocused")
    if value is None:
        return True
    if not isinstance(value, bool):
        raise invalid(method, f"{what}.isFocused must be true or false, got {describe(value)}")
    return value


def _input(value: Any, method: str, what: str) -> tuple[dict[str, Any], str]:
    """A required input object (object, Map or JSON string) and its required templateName."""
    if is_nullish(value):
        raise invalid(method, f"{what} is required, got {describe(value)}")
    item = as_object(value, method, what)
    return item, _template_name(item, method, what)


def parse_session_input(value: Any, method: str = "createSession") -> SessionInput:
    """Validate a SessionInput (object, Map or JSON string)."""
    item, name = _input(value, method, "SessionInput")
    raw_context = item.get("sessionContext")
    context: dict[str, str] = {}
    anchor: dict[str, str] = {}
    if not is_nullish(raw_context):
        for key, raw in as_object(raw_context, method, "SessionInput.sessionContext").items():
            where = f"SessionInput.sessionContext.{key}"
            if key == "parametersStr":
                anchor = parse_parameters_str(raw, method, where)
            else:
                context[key] = context_value(raw, method, where)
    return SessionInput(name, context, anchor, _is_focused(item, method, "SessionInput"))


def parse_tab_input(value: Any, method: str = "createTab") -> TabInput:
    """Validate an AppTabInput (object, Map or JSON string)."""
    item, name = _input(value, method, "AppTabInput")
    raw_context = item.get("appContext")
    app_context: dict[str, str] = {}
    if not is_nullish(raw_context):
        app_context = context_values(raw_context, method, "AppTabInput.appContext")
    return TabInput(name, app_context, _is_focused(item, method, "AppTabInput"))


def require_string(value: Any, method: str, name: str) -> str:
    """A required string argument (an id, a slug, an event name)."""
    if not isinstance(value, str):
        raise invalid(method, f"{name} must be a string, got {describe(value)}")
    return value


def require_bool(value: Any, method: str, name: str) -> bool:
    """A boolean argument (a canClose value)."""
    if not isinstance(value, bool):
        raise invalid(method, f"{name} must be true or false, got {describe(value)}")
    return value


__all__ = [
    "JS_NULL",
    "SessionInput",
    "TabInput",
    "as_object",
    "context_values",
    "parse_parameters_str",
    "parse_session_input",
    "parse_tab_input",
    "require_bool",
    "require_string",
]
