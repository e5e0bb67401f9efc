"""Session objects: the members of what `getFocusedSession()` / `getSession(id)` hand out.

On the wire every member takes the session id first.
"""

from __future__ import annotations

import json
from typing import Any

from .calllog import CallRecord
from .core import HOME_NOT_CLOSABLE, HOME_TITLE_FIXED, WorkspaceCore
from .errors import invalid
from .inputs import context_values, require_string
from .members import member
from .slugs import resolve
from .state import MAX_TABS, SessionState, TabState
from .warnings import check_slugs


class SessionMembers(WorkspaceCore):
    """The members of a session object."""

    @member("session.isDefault", log="none")
    def session_is_default(self, session_id: Any) -> bool:
        return self._session(session_id, "session.isDefault").is_default

    @member("session.getTitle", label="session.title", log="none")
    def session_get_title(self, session_id: Any) -> str:
        session = self._sessions.get(session_id) if isinstance(session_id, str) else None
        return (session or self._session(session_id, "session.title")).title

    @member("session.setTitle", label="session.title")
    def session_set_title(self, record: CallRecord, session_id: Any, title: Any) -> None:
        session = self._session(session_id, record.method)
        text = require_string(title, record.method, "title")
        if session.is_default:
            self._refuse(record, HOME_TITLE_FIXED)
            return
        session.title = text
        self._touch()

    @member("session.getCanClose", label="session.canClose", log="none")
    def session_get_can_close(self, session_id: Any) -> bool:
        return self._session(session_id, "session.canClose").can_close

    @member("session.setCanClose", label="session.canClose")
    def session_set_can_close(self, record: CallRecord, session_id: Any, value: Any) -> None:
        session = self._session(session_id, record.method)
        fixed = HOME_NOT_CLOSABLE if session.is_default else None
        self._set_can_close(record, session, value, fixed)

    @member("session.close")
    def session_close(self, record: CallRecord, session_id: Any) -> bool:
        """Home is refused; `canClose = false` does not stop the API. True when it closed."""
        return self._close_session_checked(record, session_id, ui=False)

    @member("session.focus")
    def session_focus(self, record: CallRecord, session_id: Any) -> None:
        self._focus(self._session(session_id, record.method).session_id)

    @member("session.requestFocus")
    def session_request_focus(self, record: CallRecord, session_id: Any) -> None:
        """The notification indicator on a session not in focus."""
        session = self._session(session_id, record.method)
        if session.session_id != self._focused_id and not session.notification:
            session.notification = True
            self._touch()

    @member("session.getFocusedTab")
    def session_get_focused_tab(self, record: CallRecord, session_id: Any) -> str:
        return self._session(session_id, record.method).focused_tab_id

    @member("session.getTab")
    def session_get_tab(self, record: CallRecord, session_id: Any, tab_id: Any) -> str | None:
        """The id when the tab is in that session, else None."""
        session = self._session(session_id, record.method)
        require_string(tab_id, record.method, "tabId")
        return tab_id if tab_id in session.tabs else None

    @member("session.getAllTabs")
    def session_get_all_tabs(self, record: CallRecord, session_id: Any) -> list[str]:
        return list(self._session(session_id, record.method).tabs)

    @member("session.canCreateTab")
    def session_can_create_tab(self, record: CallRecord, session_id: Any) -> bool:
        return len(self._session(session_id, record.method).tabs) < MAX_TABS

    @member("session.updateContext")
    def session_update_context(
        self, record: CallRecord, session_id: Any, values: Any
    ) -> dict[str, Any]:
        """Merge values into the session context; returns the context data getContext gives
        (the runtime resolves updateContext with the context)."""
        session = self._session(session_id, record.method)
        if values is None:
            raise invalid(record.method, "input is required, got undefined")
        session.context.update(context_values(values, record.method, "input"))
        self._touch()
        return context_data(session)

    @member("session.resolveSlug")
    def session_resolve_slug(self, record: CallRecord, session_id: Any, slug: Any) -> str:
        """Text with every `{slug}` substituted ("" if unresolved)."""
        session = self._session(session_id, record.method)
        text = require_string(slug, record.method, "input")
        lookup = self._scope(session).lookup
        check_slugs(self._warner(record), record.method, text, lookup, "the input")
        return resolve(text, lookup)

    @member("session.getContext")
    def session_get_context(self, record: CallRecord, session_id: Any) -> dict[str, Any]:
        """Context values, template name, each tab's parameters."""
        return context_data(self._session(session_id, record.method))

    @member("session.deleteContext", label="context.delete")
    def session_delete_context(self, record: CallRecord, session_id: Any, key: Any) -> None:
        """`context.delete(key)` of getContext's object."""
        session = self._session(session_id, record.method)
        name = require_string(key, record.method, "key")
        if session.context.pop(name, None) is not None:
            self._touch()

    @member("session.createTab")
    def session_create_tab(self, record: CallRecord, session_id: Any, tab_input: Any) -> str:
        """Like createTab, in this session."""
        session = self._session(session_id, record.method)
        return self._create_tab(record, session.session_id, tab_input)

    @member("session.getAllTabsForTemplate")
    def session_get_all_tabs_for_template(
        self, record: CallRecord, session_id: Any, template_name: Any
    ) -> list[str]:
        """Ids of this session's tabs opened from that template."""
        session = self._session(session_id, record.method)
        name = require_string(template_name, record.method, "templateName").strip()
        return [t.tab_id for t in session.tabs.values() if t.template_name == name]


def context_data(session: SessionState) -> dict[str, Any]:
    """What `getContext` resolves from: context values, template name, each tab's parameters."""
    return {
        "sessionId": session.session_id,
        "templateName": session.template_name,
        "parameters": dict(session.context),
        "anchorTabId": session.anchor.tab_id,
        "tabs": {t.tab_id: tab_context(t) for t in session.tabs.values()},
    }


def tab_context(tab: TabState) -> dict[str, Any]:
    """A tab's parameters for `getTabContext`, `data` parsed when it is JSON of an object/array."""
    result: dict[str, Any] = dict(tab.parameters)
    data = result.get("data")
    if data:
        try:
            parsed = json.loads(data)
        except ValueError:
            parsed = None
        if isinstance(parsed, (dict, list)):
            result["data"] = parsed
    return result
