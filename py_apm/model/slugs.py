"""The one slug resolver: `{name}` and `{anchor.<attribute>}` replaced by text, nothing else.

Resolution is data only: a slug name is looked up in plain dictionaries, never evaluated.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .values import js_string

SLUG_PATTERN = re.compile(r"\{([A-Za-z0-9_$][A-Za-z0-9_.$@\-]*)\}")

CUSTOMER_NAME_ATTRIBUTE = "_customerid_value@OData.Community.Display.V1.FormattedValue"


@dataclass
class SlugScope:
    """What slugs of one session (and optionally one tab) can see."""

    context: Mapping[str, str] = field(default_factory=dict)
    anchor_parameters: Mapping[str, str] = field(default_factory=dict)
    anchor_record: Mapping[str, Any] = field(default_factory=dict)
    extra: Mapping[str, str] = field(default_factory=dict)

    def lookup(self, name: str) -> str | None:
        """The value of slug `name` (without braces), or None when it does not resolve."""
        if name.startswith("anchor."):
            return self._anchor(name[len("anchor.") :])
        if name in self.extra:
            return self.extra[name]
        if name in self.context:
            return self.context[name]
        return self._derived(name)

    def _anchor(self, attribute: str) -> str | None:
        if attribute in ("entityName", "entityId") and attribute in self.anchor_parameters:
            return self.anchor_parameters[attribute]
        if attribute in self.anchor_record:
            return js_string(self.anchor_record[attribute])
        entity = self.anchor_parameters.get("entityName", "")
        if entity and attribute == f"{entity}id" and "entityId" in self.anchor_parameters:
            return self.anchor_parameters["entityId"].strip()
        return None

    def _derived(self, name: str) -> str | None:
        """Documented keys that come from a linked case when the context does not set them."""
        is_case = self.anchor_parameters.get("entityName") == "incident"
        if name == "caseId" and is_case:
            return self.anchor_parameters.get("entityId", "").strip() or None
        if name == "caseTitle" and is_case and "title" in self.anchor_record:
            return js_string(self.anchor_record["title"])
        if name == "customerName" and CUSTOMER_NAME_ATTRIBUTE in self.anchor_record:
            return js_string(self.anchor_record[CUSTOMER_NAME_ATTRIBUTE])
        return None


def resolve(text: str, lookup: Callable[[str], str | None]) -> str:
    """Replace every `{slug}` in `text`; an unresolved slug becomes the empty string."""
    if "{" not in text:
        return text
    return SLUG_PATTERN.sub(lambda m: lookup(m.group(1)) or "", text)
