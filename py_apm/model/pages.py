"""`Xrm.App.sessions` inputs: `{pageInput, options}` for a session or a tab, validated."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from .errors import invalid
from .inputs import as_object, context_value
from .values import describe, is_nullish

#: Page types a `pageInput` may name (the Xrm `PageType` values py-apm renders as tabs) and the
#: parameter each one needs.
PAGE_INPUT_REQUIRED: dict[str, tuple[str, ...]] = {
    "entityrecord": ("entityName",),
    "entitylist": ("entityName",),
    "dashboard": (),
    "search": (),
    "webresource": ("webresourceName",),
    "control": ("controlName",),
    "custom": ("name",),
}


@dataclass(slots=True)
class PageRequest:
    """A validated `{pageInput, options}`: the page as tab parameters plus the options."""

    page_type: str
    parameters: dict[str, str] = field(default_factory=dict)
    title: str | None = None
    can_close: bool | None = None
    is_focused: bool = True
    focus_requested: bool = False


def _option(options: dict[str, Any], key: str, kind: type, method: str, what: str) -> Any:
    value = options.get(key)
    if is_nullish(value):
        return None
    if not isinstance(value, kind) or (kind is not bool and isinstance(value, bool)):
        expected = "true or false" if kind is bool else "a string"
        raise invalid(method, f"{what}.options.{key} must be {expected}, got {describe(value)}")
    return value


def parse_page_request(value: Any, method: str, what: str) -> PageRequest:
    """`{pageInput: {pageType, ...}, options?: {title, canBeClosed, isFocused, ...}}`."""
    if is_nullish(value):
        raise invalid(method, f"{what} is required, got {describe(value)}")
    item = as_object(value, method, what)
    raw_page = item.get("pageInput")
    if is_nullish(raw_page):
        raise invalid(method, f"{what}.pageInput is required, got {describe(raw_page)}")
    page = as_object(raw_page, method, f"{what}.pageInput")
    page_type = page.get("pageType")
    if not isinstance(page_type, str):
        raise invalid(
            method, f"{what}.pageInput.pageType must be a string, got {describe(page_type)}"
        )
    if page_type == "inlinedialog":
        raise invalid(method, f"{what}.pageInput.pageType 'inlinedialog' opens a dialog, not a tab")
    if page_type not in PAGE_INPUT_REQUIRED:
        known = ", ".join(PAGE_INPUT_REQUIRED)
        raise invalid(method, f"{what}.pageInput.pageType '{page_type}' is not one of: {known}")
    parameters = {
        key: context_value(raw, method, f"{what}.pageInput.{key}")
        for key, raw in page.items()
        if key != "pageType" and not is_nullish(raw)
    }
    for name in PAGE_INPUT_REQUIRED[page_type]:
        if not parameters.get(name, "").strip():
            raise invalid(method, f"{what}.pageInput.{name} is required for pageType '{page_type}'")
    raw_options = item.get("options")
    options = {} if is_nullish(raw_options) else as_object(raw_options, method, f"{what}.options")
    focused = _option(options, "isFocused", bool, method, what)
    _option(options, "iconPath", str, method, what)  # checked; py-apm shows no icons
    return PageRequest(
        page_type,
        parameters,
        _option(options, "title", str, method, what),
        _option(options, "canBeClosed", bool, method, what),
        True if focused is None else focused,
        bool(_option(options, "isFocusRequested", bool, method, what)),
    )


@functools.lru_cache(maxsize=256)
def _quote_path(name: str) -> str:
    """A web resource name as a URL path (names repeat: cached)."""
    return quote(name, safe="/")


def webresource_url(parameters: dict[str, str]) -> str:
    """`webresources/<name>?data=<urlencoded data>`, as Dynamics passes `data` to a web resource."""
    url = "webresources/" + _quote_path(parameters["webresourceName"].strip())
    if parameters.get("data"):
        url += "?data=" + quote(parameters["data"], safe="")
    return url


def page_url(page_type: str, parameters: dict[str, str]) -> str | None:
    """What a tab of this page shows in an iframe: a web resource's URL, as templates give it."""
    return webresource_url(parameters) if page_type == "webresource" else None


def page_input(page_type: str, parameters: dict[str, str]) -> dict[str, str]:
    """A tab's page as an Xrm `PageInput` (`currentPageInput`, context-change events)."""
    return {"pageType": page_type, **parameters}
