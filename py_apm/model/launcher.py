"""The page's launcher: the real app's entry points (open a session or a tab, edit a record,
refresh a session's context), run through the same model and logged with `origin: "ui"`."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from .errors import invalid
from .inputs import as_object, require_string
from .options import normalize_id
from .templates import PAGE_TYPES
from .values import js_string

if TYPE_CHECKING:
    from .workspace import Workspace


def create_session(ws: Workspace, session_input: Any) -> str:
    """`ui.createSession(SessionInput)`: what an entry point (a routed conversation, a case
    opened from a list) does."""
    return ws._logged(
        "ui.createSession", (session_input,), lambda r: ws._create_session(session_input, r), "ui"
    )


def create_tab(ws: Workspace, tab_input: Any) -> str:
    """`ui.createTab(AppTabInput)`: a tab in the focused session."""
    return ws._logged(
        "ui.createTab",
        (tab_input,),
        lambda r: ws._create_tab(ws._focused_id, tab_input, "createTab", r),
        "ui",
    )


def open_webresource(ws: Workspace, name: Any, data: Any = None) -> str:
    """`ui.openWebResource(name, data?)`: any page as a focused web-resource tab of the focused
    session (`py-apm serve --open page.html`, the `apm_open_webresource` fixture)."""
    method = "ui.openWebResource"

    def body(record: Any) -> str:
        page = require_string(name, method, "name").strip()
        if not page:
            raise invalid(method, "name must not be empty")
        app_context = {"webresourceName": page}
        if data is not None:
            app_context["data"] = require_string(data, method, "data")
        tab_input = {"templateName": page, "appContext": app_context, "isFocused": True}
        return ws._create_tab(ws._focused_id, tab_input, method, record, template=False)

    return ws._logged(method, (name, data), body, "ui")


def set_record(ws: Workspace, entity: Any, record_id: Any, attributes: Any) -> None:
    """`ui.setRecord(entity, id, attributes)`: add or change a record of the record store
    (attributes merge). Open sessions see it after `ui.refreshContext` (rule 19b)."""
    method = "ui.setRecord"

    def body(record: Any) -> None:
        name = require_string(entity, method, "entity").strip()
        key = normalize_id(require_string(record_id, method, "id"))
        if not name or not key:
            raise invalid(method, "entity and id must not be empty")
        values = as_object(attributes, method, "attributes")
        records = {e: dict(rows) for e, rows in ws.options.records.items()}
        table = records.setdefault(name, {})
        table[key] = {**table.get(key, {}), **values}
        ws.options = replace(ws.options, records=records)
        ws._touch()

    ws._logged(method, (entity, record_id, attributes), body, "ui")


def refresh_context(ws: Workspace, session_id: Any) -> None:
    """`ui.refreshContext(sessionId)`: the "Refresh the session context" macro action."""
    ws._logged("ui.refreshContext", (session_id,), lambda r: ws.refresh_context(session_id), "ui")


def catalog(ws: Workspace) -> dict[str, Any]:
    """What the launcher offers: templates (with what they take) and the record store."""
    templates = ws.options.templates
    return {
        "sessionTemplates": [
            {
                "uniqueName": t.unique_name,
                "name": t.name or t.unique_name,
                "type": t.type,
                "entity": t.entity,
                "title": t.title,
            }
            for t in templates.sessions.values()
        ],
        "tabTemplates": [
            {
                "uniqueName": t.unique_name,
                "name": t.name or t.unique_name,
                "pageType": t.page_type,
                "pageTypeName": PAGE_TYPES[t.page_type].display,
                "parameters": dict(t.parameters),
                "takes": list(PAGE_TYPES[t.page_type].parameters),
            }
            for t in templates.tabs.values()
        ],
        "records": {
            entity: {rid: {k: js_string(v) for k, v in row.items()} for rid, row in rows.items()}
            for entity, rows in ws.options.records.items()
        },
    }
