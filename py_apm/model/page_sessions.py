"""Sessions and tabs opened from an Xrm `pageInput` (`Xrm.App.sessions.createSession`,
`session.tabs.createTab`) rather than from a template: a mixin of `Workspace`."""

from __future__ import annotations

import json
from typing import Any

from .apm import ApmMembers
from .build import default_tab_title
from .calllog import CallRecord
from .errors import LIMIT_REACHED, MAX_SESSIONS_MESSAGE, MAX_TABS_MESSAGE, ApmError
from .events import SESSION_CREATED, TAB_CREATED
from .members import member
from .pages import PageRequest, page_url, parse_page_request
from .session import SessionMembers
from .state import MAX_SESSIONS, MAX_TABS, SessionState, TabState
from .templates import SessionTemplate


class PageSessionMembers(ApmMembers, SessionMembers):
    """`Xrm.App.sessions.createSession` and `session.tabs.createTab` over the same state."""

    @member("createPageSession", label="sessions.createSession")
    def apm_create_page_session(self, record: CallRecord, session_input: Any) -> str:
        """An entity record opens in the entity session template configured for its entity (the
        way the workspace picks one); any other page becomes the anchor tab of a session titled
        `options.title` or after the page."""
        request = parse_page_request(session_input, record.method, "SessionInput")
        template = self._entity_template(request)
        if template is not None:
            session_id = self._create_session(record, _template_input(template, request))
            session = self._sessions[session_id]
            if request.title is not None:
                session.title = request.title
        else:
            session_id = self._open_page_session(request)
            session = self._sessions[session_id]
        if request.can_close is not None:
            session.can_close = request.can_close
        if request.focus_requested and session_id != self._focused_id:
            session.notification = True
        self._touch()
        return session_id

    @member("session.createPageTab", label="tabs.createTab")
    def session_create_page_tab(self, record: CallRecord, session_id: Any, tab_input: Any) -> str:
        """A tab of that page in this session."""
        session = self._session(session_id, record.method)
        request = parse_page_request(tab_input, record.method, "TabInput")
        if len(session.tabs) >= MAX_TABS:
            self._notice(MAX_TABS_MESSAGE)
            raise ApmError(LIMIT_REACHED, MAX_TABS_MESSAGE)
        tab = self._page_tab(request, f"tab-id-{self._next_tab}", session.session_id)
        if request.title is not None:
            tab.title = request.title
        if request.can_close is not None:
            tab.can_close = request.can_close
        self._next_tab += 1
        session.tabs[tab.tab_id] = tab
        self._tabs[tab.tab_id] = tab
        self._emit(TAB_CREATED, {"sessionId": session.session_id, "tabId": tab.tab_id})
        if request.is_focused:
            self._focus(session.session_id, tab.tab_id)
        self._touch()
        return tab.tab_id

    # The native Python API.
    create_page_session = apm_create_page_session
    create_page_tab = session_create_page_tab

    def _entity_template(self, request: PageRequest) -> SessionTemplate | None:
        """The entity session template for an entity record page (configured ones first)."""
        if request.page_type != "entityrecord":
            return None
        entity = request.parameters["entityName"].strip()
        matches = [
            t
            for t in self.options.templates.sessions.values()
            if t.type == "entity" and t.entity == entity
        ]
        matches.sort(key=lambda t: t.builtin)
        return matches[0] if matches else None

    def _page_tab(self, request: PageRequest, tab_id: str, session_id: str) -> TabState:
        parameters = dict(request.parameters)
        return TabState(
            tab_id,
            session_id,
            default_tab_title(request.page_type, parameters, self.options),
            request.page_type,
            None,
            parameters,
            page_url(request.page_type, parameters),
        )

    def _open_page_session(self, request: PageRequest) -> str:
        if len(self._sessions) >= MAX_SESSIONS:
            self._notice(MAX_SESSIONS_MESSAGE)
            raise ApmError(LIMIT_REACHED, MAX_SESSIONS_MESSAGE)
        session_id = f"session-id-{self._next_session}"
        anchor = self._page_tab(request, f"tab-id-{self._next_tab}", session_id)
        anchor.can_close = False
        anchor.is_anchor = True
        record = self.options.find_record(
            anchor.parameters.get("entityName", ""), anchor.parameters.get("entityId", "")
        )
        session = SessionState(
            session_id,
            request.title if request.title is not None else anchor.title,
            None,
            {anchor.tab_id: anchor},
            anchor_record=dict(record or {}),
            tab_mru=[anchor.tab_id],
        )
        # built: commit
        self._next_session += 1
        self._next_tab += 1
        self._sessions[session_id] = session
        self._tabs[anchor.tab_id] = anchor
        self._emit(SESSION_CREATED, {"sessionId": session_id})
        if request.is_focused:
            self._focus(session_id)
        self._touch()
        return session_id


def _template_input(template: SessionTemplate, request: PageRequest) -> dict[str, Any]:
    pairs = [[key, value] for key, value in request.parameters.items()]
    return {
        "templateName": template.unique_name,
        "sessionContext": {"parametersStr": json.dumps(pairs)},
        "isFocused": request.is_focused,
    }
