"""Fields of configuration objects: a bad value is a `bad_config` error naming where it is."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .errors import bad_config
from .values import describe


def text_field(item: Mapping[str, Any], key: str, where: str, default: str | None = None) -> str:
    """`item[key]` as a string; `default` when absent (`None`: the field is required)."""
    value = item.get(key, default)
    if value is None:
        raise bad_config(f"{where}: {key} is required")
    if not isinstance(value, str):
        raise bad_config(f"{where}: {key} must be a string, got {describe(value)}")
    return value
