"""Clicks in the workspace page (`PyApm.ui.*`): the session panel, the tab strip, the launcher.

A click goes through the same model as the API and is logged with origin "ui"; unlike the API, it
respects a hidden close button (`canClose = false`). The launcher is the real app's entry points
(a routed conversation, a case opened from a list, a record edited, the "Refresh the session
context" macro action) for development by hand.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from .calllog import CallRecord
from .core import WorkspaceCore
from .errors import invalid
from .inputs import as_object, require_string
from .members import member
from .options import normalize_id


class UiMembers(WorkspaceCore):
    """What a click in the page does."""

    @member("ui.focusSession", origin="ui")
    def ui_focus_session(self, record: CallRecord, session_id: Any) -> None:
        self._focus(self._session(session_id, record.method).session_id)

    @member("ui.closeSession", origin="ui")
    def ui_close_session(self, record: CallRecord, session_id: Any) -> bool:
        return self._close_session_checked(record, session_id, ui=True)

    @member("ui.focusTab", origin="ui")
    def ui_focus_tab(self, record: CallRecord, tab_id: Any) -> None:
        tab = self._tab(tab_id, record.method)
        self._focus(tab.session_id, tab.tab_id)

    @member("ui.closeTab", origin="ui")
    def ui_close_tab(self, record: CallRecord, tab_id: Any) -> bool:
        return self._close_tab_checked(self._tab(tab_id, record.method), record, ui=True)

    @member("ui.createSession", origin="ui")
    def ui_create_session(self, record: CallRecord, session_input: Any) -> str:
        return self._create_session(record, session_input)

    @member("ui.createTab", origin="ui")
    def ui_create_tab(self, record: CallRecord, tab_input: Any) -> str:
        return self._create_tab(record, self._focused_id, tab_input)

    @member("ui.openWebResource", origin="ui")
    def ui_open_web_resource(self, record: CallRecord, name: Any, data: Any = None) -> str:
        """Any page as a focused web-resource tab of the focused session (`py-apm serve --open
        page.html`, the `apm_open_webresource` fixture); no template, so no unknown-template
        warning."""
        page = require_string(name, record.method, "name").strip()
        if not page:
            raise invalid(record.method, "name must not be empty")
        app_context = {"webresourceName": page}
        if data is not None:
            app_context["data"] = require_string(data, record.method, "data")
        tab_input = {"templateName": page, "appContext": app_context, "isFocused": True}
        return self._create_tab(record, self._focused_id, tab_input, template_lookup=False)

    @member("ui.setRecord", origin="ui")
    def ui_set_record(
        self, record: CallRecord, entity: Any, record_id: Any, attributes: Any
    ) -> None:
        """Add or change a record of the record store (attributes merge). Open sessions see it
        after `ui.refreshContext` (behaviour rule 19b)."""
        name = require_string(entity, record.method, "entity").strip()
        key = normalize_id(require_string(record_id, record.method, "id"))
        if not name or not key:
            raise invalid(record.method, "entity and id must not be empty")
        values = as_object(attributes, record.method, "attributes")
        records = {e: dict(rows) for e, rows in self.options.records.items()}
        table = records.setdefault(name, {})
        table[key] = {**table.get(key, {}), **values}
        self.options = replace(self.options, records=records)
        self._touch()

    @member("ui.refreshContext", origin="ui")
    def ui_refresh_context(self, record: CallRecord, session_id: Any) -> None:
        """The "Refresh the session context" macro action, from the launcher."""
        self._reread_anchor(self._session(session_id, record.method))
