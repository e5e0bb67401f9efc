"""Session templates and application tab templates: page types, built-ins, configuration."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from .errors import bad_config
from .values import describe, js_string

UNIQUE_NAME = re.compile(r"^[A-Za-z0-9]{2,8}_[A-Za-z0-9_]+$")


@dataclass(frozen=True)
class PageType:
    """A page type of application tab templates and its documented parameters."""

    key: str
    display: str
    required: tuple[str, ...]
    optional: tuple[str, ...]
    open_parameters: bool = False

    @property
    def parameters(self) -> tuple[str, ...]:
        return self.required + self.optional


PAGE_TYPES: dict[str, PageType] = {
    p.key: p
    for p in (
        PageType("dashboard", "Dashboard", ("dashboardId",), ()),
        PageType("entitylist", "Entity list", ("entityName",), ("viewId",)),
        PageType(
            "entityrecord",
            "Entity record",
            ("entityName",),
            ("entityId", "formId", "validateRecord", "data"),
        ),
        PageType("search", "Search", ("searchText",), ("searchType",)),
        PageType("thirdpartywebsite", "Third-party website", ("url",), ("data",)),
        PageType("webresource", "Web resource", ("webresourceName",), ("data",)),
        PageType("custom", "Custom page", ("name",), ("entityName", "recordId")),
        PageType("control", "Control", (), ("controlName", "data"), open_parameters=True),
    )
}

_PAGE_TYPE_ALIASES = {
    "custompage": "custom",
    "thirdparty": "thirdpartywebsite",
    "thirdpartywebsites": "thirdpartywebsite",
    "website": "thirdpartywebsite",
    "url": "thirdpartywebsite",
}


def page_type_key(name: str) -> str | None:
    """The canonical key of a page type written as key or display name ("Web resource")."""
    folded = re.sub(r"[\s\-_]", "", name).lower()
    folded = _PAGE_TYPE_ALIASES.get(folded, folded)
    return folded if folded in PAGE_TYPES else None


@dataclass(frozen=True)
class TabTemplate:
    """An application tab template."""

    unique_name: str
    title: str
    page_type: str
    parameters: Mapping[str, str] = field(default_factory=dict)
    name: str = ""
    builtin: bool = False
    #: tags `Microsoft.CIFramework.getTabs(name, tags)` finds tabs by
    tags: tuple[str, ...] = ()


#: Communication panel modes of a session template (CIF `getMode` numbers)
PANEL_MODES = {"minimized": 0, "docked": 1, "hidden": 2}


@dataclass(frozen=True)
class SessionTemplate:
    """A session template: Entity (anchor = the entity record) or Generic (anchor tab)."""

    unique_name: str
    title: str
    type: str
    entity: str | None = None
    anchor_tab: str | None = None
    additional_tabs: tuple[str, ...] = ()
    apply_title_to_anchor: bool = False
    name: str = ""
    builtin: bool = False
    #: the communication panel's mode while a channel provider's session of this template is
    #: focused ("docked", "minimized", "hidden"); None: docked
    panel_mode: str | None = None
    tags: tuple[str, ...] = ()


BUILTIN_FILE = Path(__file__).with_name("builtin_templates.json")


def _load_builtins() -> tuple[tuple[SessionTemplate, ...], tuple[TabTemplate, ...]]:
    """The out-of-box templates, from `builtin_templates.json` (same format as a configuration)."""
    data = json.loads(BUILTIN_FILE.read_text(encoding="utf-8"))
    tabs = tuple(
        replace(parse_tab_template(item, f"builtin tabTemplates[{i}]"), builtin=True)
        for i, item in enumerate(data["tabTemplates"])
    )
    sessions = tuple(
        replace(parse_session_template(item, f"builtin sessionTemplates[{i}]"), builtin=True)
        for i, item in enumerate(data["sessionTemplates"])
    )
    return sessions, tabs


_BUILTINS: TemplateSet | None = None
ENTITY_ANCHOR_TEMPLATE = "msdyn_entityrecord"


@dataclass(frozen=True)
class TemplateSet:
    """All templates a workspace knows: the built-ins plus the configured ones."""

    sessions: Mapping[str, SessionTemplate]
    tabs: Mapping[str, TabTemplate]

    @staticmethod
    def builtin() -> TemplateSet:
        global _BUILTINS
        if _BUILTINS is None:
            sessions, tabs = _load_builtins()
            _BUILTINS = TemplateSet(
                {t.unique_name: t for t in sessions}, {t.unique_name: t for t in tabs}
            )
        return _BUILTINS

    def with_config(
        self, session_items: Any | None = None, tab_items: Any | None = None
    ) -> TemplateSet:
        """A new set with configured templates replacing the previously configured ones of each
        kind given (built-ins stay). Raises ApmError(422) naming the template and the field."""
        tabs = dict(self.tabs)
        sessions = dict(self.sessions)
        if tab_items is not None:
            tabs = {k: v for k, v in tabs.items() if v.builtin}
            for index, item in _items(tab_items, "tabTemplates"):
                template = parse_tab_template(item, f"tabTemplates[{index}]")
                _add(tabs, template, "tabTemplates", index)
        if session_items is not None:
            sessions = {k: v for k, v in sessions.items() if v.builtin}
            for index, item in _items(session_items, "sessionTemplates"):
                session_template = parse_session_template(item, f"sessionTemplates[{index}]")
                _add(sessions, session_template, "sessionTemplates", index)
        result = TemplateSet(sessions, tabs)
        result.check_references()
        return result

    def check_references(self) -> None:
        """Every anchor and additional tab names a known tab template that can open on its own."""
        for s in self.sessions.values():
            where = f"session template '{s.unique_name}'"
            names = ([("anchorTab", s.anchor_tab)] if s.anchor_tab else []) + [
                (f"additionalTabs[{i}]", n) for i, n in enumerate(s.additional_tabs)
            ]
            for field_name, tab_name in names:
                tab = self.tabs.get(tab_name)
                if tab is None:
                    raise bad_config(f"{where}: {field_name} '{tab_name}' is not a tab template")
                if field_name.startswith("additional"):
                    missing = [
                        p for p in PAGE_TYPES[tab.page_type].required if p not in tab.parameters
                    ]
                    if missing:
                        raise bad_config(
                            f"{where}: {field_name} '{tab_name}' lacks required parameter "
                            f"'{missing[0]}' (additional tabs get no input at session start)"
                        )

    def session_names(self) -> list[str]:
        return list(self.sessions)

    def tab_names(self) -> list[str]:
        return list(self.tabs)


def _items(value: Any, what: str) -> Iterable[tuple[int, Any]]:
    if isinstance(value, Mapping):
        return enumerate(
            {"uniqueName": k, **v} if isinstance(v, Mapping) else v for k, v in value.items()
        )
    if isinstance(value, (list, tuple)):
        return enumerate(value)
    raise bad_config(f"{what} must be an array of templates, got {describe(value)}")


def _add(target: dict[str, Any], template: Any, what: str, index: int) -> None:
    existing = target.get(template.unique_name)
    if existing is not None:
        kind = "a built-in" if existing.builtin else "another"
        raise bad_config(
            f"{what}[{index}] '{template.unique_name}': uniqueName is already used by {kind} "
            "template (out-of-box templates cannot be customized)"
        )
    target[template.unique_name] = template


def _str_field(item: Mapping[str, Any], key: str, where: str, default: str | None = None) -> str:
    value = item.get(key, default)
    if value is None:
        raise bad_config(f"{where}: {key} is required")
    if not isinstance(value, str):
        raise bad_config(f"{where}: {key} must be a string, got {describe(value)}")
    return value


def _unique_name(item: Any, where: str) -> str:
    if not isinstance(item, Mapping):
        raise bad_config(f"{where} must be an object, got {describe(item)}")
    name = _str_field(item, "uniqueName", where)
    if not UNIQUE_NAME.match(name):
        raise bad_config(
            f"{where}: uniqueName '{name}' must be <prefix>_<name> with an alphanumeric prefix "
            "of 2 to 8 characters"
        )
    return name


def _known_keys(item: Mapping[str, Any], allowed: set[str], where: str) -> None:
    for key in item:
        if key not in allowed:
            raise bad_config(
                f"{where}: unknown field '{key}' (known: {', '.join(sorted(allowed))})"
            )


TAB_FIELDS = {"uniqueName", "name", "title", "pageType", "parameters", "description", "tags"}
SESSION_FIELDS = {
    "uniqueName",
    "name",
    "title",
    "type",
    "entity",
    "anchorTab",
    "additionalTabs",
    "applySessionTitleToAnchorTab",
    "description",
    "communicationPanelMode",
    "panelMode",
    "tags",
}


def _tags(item: Mapping[str, Any], where: str) -> tuple[str, ...]:
    """`tags`: a string or an array of strings."""
    raw = item.get("tags", [])
    if isinstance(raw, str):
        raw = [raw]
    if not isinstance(raw, (list, tuple)) or not all(isinstance(t, str) and t for t in raw):
        raise bad_config(f"{where}: tags must be an array of non-empty strings")
    return tuple(raw)


def _panel_mode(item: Mapping[str, Any], where: str) -> str | None:
    """`panelMode` (or `communicationPanelMode`): docked, minimized or hidden."""
    raw = item.get("panelMode", item.get("communicationPanelMode"))
    if raw is None:
        return None
    if not isinstance(raw, str) or raw.strip().lower() not in PANEL_MODES:
        raise bad_config(f"{where}: panelMode must be one of {', '.join(PANEL_MODES)}, got {raw!r}")
    return raw.strip().lower()


def parse_tab_template(item: Any, where: str) -> TabTemplate:
    """Validate one configured application tab template."""
    unique = _unique_name(item, where)
    where = f"{where} '{unique}'"
    _known_keys(item, TAB_FIELDS, where)
    page_name = _str_field(item, "pageType", where)
    key = page_type_key(page_name)
    if key is None:
        known = ", ".join(p.display for p in PAGE_TYPES.values())
        raise bad_config(f"{where}: pageType '{page_name}' is not one of: {known}")
    page = PAGE_TYPES[key]
    raw = item.get("parameters", {})
    if not isinstance(raw, Mapping):
        raise bad_config(f"{where}: parameters must be an object, got {describe(raw)}")
    parameters: dict[str, str] = {}
    for name, value in raw.items():
        if not page.open_parameters and name not in page.parameters:
            raise bad_config(
                f"{where}: parameter '{name}' is not a parameter of page type {page.display} "
                f"(known: {', '.join(page.parameters)})"
            )
        if isinstance(value, (Mapping, list)) or value is None or isinstance(value, str):
            parameters[name] = js_string(value)
        elif isinstance(value, (bool, int, float)):
            parameters[name] = js_string(value)
        else:
            raise bad_config(f"{where}: parameter '{name}' has an unusable {describe(value)}")
    if key == "thirdpartywebsite" and "url" in parameters:
        check_url(parameters["url"], f"{where}: parameter 'url'", bad_config)
    title = _str_field(item, "title", where, "")
    name = _str_field(item, "name", where, unique)
    return TabTemplate(unique, title, key, parameters, name, tags=_tags(item, where))


def parse_session_template(item: Any, where: str) -> SessionTemplate:
    """Validate one configured session template."""
    unique = _unique_name(item, where)
    where = f"{where} '{unique}'"
    _known_keys(item, SESSION_FIELDS, where)
    kind = _str_field(item, "type", where, "generic").lower()
    if kind not in ("entity", "generic"):
        raise bad_config(f"{where}: type must be 'Entity' or 'Generic', got '{item.get('type')}'")
    entity = item.get("entity")
    anchor = item.get("anchorTab")
    if kind == "entity":
        if not isinstance(entity, str) or not entity:
            raise bad_config(f"{where}: entity is required for an Entity session template")
        if anchor is not None:
            raise bad_config(
                f"{where}: anchorTab is only for Generic templates (an Entity template's anchor "
                "is the entity record)"
            )
    else:
        if entity is not None:
            raise bad_config(f"{where}: entity is only for Entity session templates")
        if not isinstance(anchor, str) or not anchor:
            raise bad_config(f"{where}: anchorTab is required for a Generic session template")
    extra = item.get("additionalTabs", [])
    if not isinstance(extra, (list, tuple)) or not all(isinstance(n, str) for n in extra):
        raise bad_config(f"{where}: additionalTabs must be an array of tab template names")
    if len(extra) > 9:
        raise bad_config(f"{where}: additionalTabs has {len(extra)} tabs; a session holds 10")
    apply_title = item.get("applySessionTitleToAnchorTab", False)
    if not isinstance(apply_title, bool):
        raise bad_config(f"{where}: applySessionTitleToAnchorTab must be true or false")
    return SessionTemplate(
        unique,
        _str_field(item, "title", where, ""),
        kind,
        entity=entity if kind == "entity" else None,
        anchor_tab=anchor if kind == "generic" else None,
        additional_tabs=tuple(extra),
        apply_title_to_anchor=apply_title,
        name=_str_field(item, "name", where, unique),
        panel_mode=_panel_mode(item, where),
        tags=_tags(item, where),
    )


LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")


def check_url(url: str, where: str, error: Any, resolved: bool = False) -> None:
    """Third-party website urls must be https (loopback http allowed for local testing).

    A template's url with slugs is checked once resolved (`resolved=True`), as the tab opens:
    what the slugs put in can change the scheme or the host."""
    if "{" in url and not resolved:
        return
    lowered = url.lower()
    try:
        parts = urlsplit(lowered)
        host = parts.hostname
    except ValueError:
        parts, host = None, None
    if parts is not None and host and lowered.startswith(f"{parts.scheme}://"):
        if parts.scheme == "https":
            return
        if parts.scheme == "http" and host in LOCAL_HOSTS and "@" not in parts.netloc:
            return
    raise error(f"{where} must start with https:// (got '{url[:200]}')")
