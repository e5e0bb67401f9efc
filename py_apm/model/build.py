"""Building sessions and tabs from inputs, templates and records.

Pure functions: they read the options and return new state, or raise before anything changed;
the caller commits what they return.
"""

from __future__ import annotations

from collections.abc import Callable

from . import warnings as w
from .errors import invalid
from .inputs import SessionInput
from .options import Options
from .pages import webresource_url
from .slugs import SlugScope, resolve
from .state import SessionState, TabState
from .templates import (
    ENTITY_ANCHOR_TEMPLATE,
    PAGE_TYPES,
    SessionTemplate,
    TabTemplate,
    check_url,
)


def build_tab(
    method: str,
    tab_id: str,
    session_id: str,
    template: TabTemplate | None,
    template_name: str,
    scope: SlugScope,
    given: dict[str, str],
    options: Options,
    warn: w.Warn | None = None,
    where: str = "appContext",
) -> TabState:
    """A tab from a template (or none), its parameters resolved; `warn` gets what the real app
    would silently do differently (unused keys, empty slugs, a record not in the store)."""
    page_type = template.page_type if template else infer_page_type(given)
    tab_scope = SlugScope(
        scope.context, scope.anchor_parameters, scope.anchor_record, {**scope.extra, **given}
    )
    parameters = {
        k: resolve(v, tab_scope.lookup)
        for k, v in (template.parameters if template else {}).items()
    }
    parameters.update(given)
    page = PAGE_TYPES[page_type]
    for name in page.required:
        if not parameters.get(name, "").strip():
            raise invalid(
                method,
                f"tab template '{template_name.strip()}' ({page.display}) needs parameter "
                f"'{name}'; give it in the template or in appContext",
            )
    url = None
    if page_type == "thirdpartywebsite":
        url = parameters["url"] + parameters.get("data", "")
        where = f"tab template '{template_name.strip()}' url"
        check_url(url, where, lambda d: invalid(method, d), resolved=True)
    elif page_type == "webresource":
        url = webresource_url(parameters)
    title = resolve(template.title, tab_scope.lookup) if template else template_name.strip()
    if warn is not None:
        w.check_tab(warn, method, template, page_type, given, tab_scope.lookup, where)
    if not title:
        title = default_tab_title(page_type, parameters, options)
        entity_id = parameters.get("entityId", "").strip()
        if warn is not None and page_type == "entityrecord" and entity_id:
            entity = parameters["entityName"]
            if options.find_record(entity, entity_id) is None:
                w.check_missing_record(warn, method, entity, entity_id, title)
    return TabState(
        tab_id,
        session_id,
        title,
        page_type,
        template.unique_name if template else template_name.strip(),
        parameters,
        url,
    )


def build_session(
    method: str,
    session_id: str,
    new_tab_id: Callable[[], str],
    given: SessionInput,
    template: SessionTemplate | None,
    options: Options,
    warn: w.Warn | None = None,
) -> SessionState:
    """A session with its anchor tab and the template's additional tabs (`new_tab_id` hands out
    the tab ids in order)."""
    tabs_table = options.templates.tabs
    additional: tuple[str, ...]
    if template is None:
        anchor_template, anchor_name, additional = None, given.template_name, ()
    elif template.type == "entity":
        anchor_template = tabs_table[ENTITY_ANCHOR_TEMPLATE]
        anchor_name = ENTITY_ANCHOR_TEMPLATE
        additional = template.additional_tabs
    else:
        anchor_template = tabs_table[template.anchor_tab or ""]
        anchor_name = anchor_template.unique_name
        additional = template.additional_tabs
    anchor_given = dict(given.anchor_parameters)
    if template is not None and template.type == "entity":
        anchor_given.setdefault("entityName", template.entity or "")
    anchor = build_tab(
        method,
        new_tab_id(),
        session_id,
        anchor_template,
        anchor_name,
        SlugScope(given.context),
        anchor_given,
        options,
        warn,
        "sessionContext parametersStr",
    )
    anchor.can_close = False
    anchor.is_anchor = True
    record_row = options.find_record(
        anchor.parameters.get("entityName", ""), anchor.parameters.get("entityId", "")
    )
    session = SessionState(
        session_id,
        "",
        template.unique_name if template else given.template_name.strip(),
        {anchor.tab_id: anchor},
        context=dict(given.context),
        anchor_record=dict(record_row or {}),
        tab_mru=[anchor.tab_id],
    )
    scope = SlugScope(session.context, anchor.parameters, session.anchor_record, {})
    if template is None:
        session.title = given.template_name.strip()
    else:
        if warn is not None:
            where = f"session template '{template.unique_name}' title"
            w.check_slugs(warn, method, template.title, scope.lookup, where)
        session.title = resolve(template.title, scope.lookup) or anchor.title or template.name
        if template.apply_title_to_anchor:
            anchor.title = session.title
    for name in additional:
        tab = build_tab(
            method, new_tab_id(), session_id, tabs_table[name], name, scope, {}, options, warn
        )
        tab.can_close = False
        session.tabs[tab.tab_id] = tab
    return session


def default_tab_title(page_type: str, parameters: dict[str, str], options: Options) -> str:
    """The title of a tab whose template gives none (or resolves to "")."""
    if page_type == "entityrecord":
        entity = parameters.get("entityName", "")
        record = options.find_record(entity, parameters.get("entityId", "")) or {}
        for attribute in ("title", "name", "fullname", "subject", "ticketnumber"):
            if record.get(attribute):
                return str(record[attribute])
        # Not in the record store: the real app would show the record's name; "New Case" reads
        # as the form's title (warning APM-W008 says which record to add).
        return f"New {w.entity_display(entity)}"
    defaults = {
        "dashboard": "Dashboard",
        "entitylist": parameters.get("entityName", ""),
        "search": "Search",
        "thirdpartywebsite": parameters.get("url", ""),
        "webresource": parameters.get("webresourceName", ""),
        "custom": parameters.get("name", ""),
        "control": parameters.get("controlName", "") or "Control",
    }
    return defaults.get(page_type, "") or PAGE_TYPES[page_type].display


def infer_page_type(parameters: dict[str, str]) -> str:
    """The page type of a tab from an unknown template, from the parameters it was given."""
    if parameters.get("webresourceName"):
        return "webresource"
    if parameters.get("url"):
        return "thirdpartywebsite"
    if parameters.get("entityName"):
        return "entityrecord"
    return "control"
