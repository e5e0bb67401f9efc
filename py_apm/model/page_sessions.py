"""Sessions and tabs opened from an Xrm `pageInput` (`Xrm.App.sessions.createSession`,
`session.tabs.createTab`) rather than from a template: a mixin of `Workspace`."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from .errors import LIMIT_REACHED, MAX_SESSIONS_MESSAGE, MAX_TABS_MESSAGE, ApmError
from .events import SESSION_CREATED, TAB_CREATED
from .pages import PageRequest, page_url, parse_page_request
from .state import MAX_SESSIONS, MAX_TABS, SessionState, TabState

if TYPE_CHECKING:
    from .calllog import CallRecord
    from .workspace import Workspace

CREATE_SESSION = "sessions.createSession"
CREATE_TAB = "tabs.createTab"


class PageSessions:
    """`create_page_session` / `create_page_tab` over the workspace's own state and helpers."""

    def create_page_session(self: Workspace, session_input: Any) -> str:
        """`Xrm.App.sessions.createSession({pageInput, options})`: an entity record opens in the
        entity session template configured for its entity (the way the workspace picks one),
        any other page becomes the anchor tab of a session titled `options.title` or after it."""

        def body(record: CallRecord) -> str:
            request = parse_page_request(session_input, CREATE_SESSION, "SessionInput")
            template = _entity_template(self, request)
            if template is not None:
                session_id = self._create_session(_template_input(template, request), record)
                session = self._sessions[session_id]
                if request.title is not None and request.title != session.title:
                    session.title = request.title
            else:
                session_id = _open_page_session(self, request)
                session = self._sessions[session_id]
            if request.can_close is not None:
                session.can_close = request.can_close
            if request.focus_requested and session_id != self._focused_id:
                session.notification = True
            self._touch()
            return session_id

        return self._logged(CREATE_SESSION, (session_input,), body)

    def create_page_tab(self: Workspace, session_id: Any, tab_input: Any) -> str:
        """`session.tabs.createTab({pageInput, options})`: a tab of that page in this session."""

        def body(record: CallRecord) -> str:
            session = self._session(session_id, CREATE_TAB)
            request = parse_page_request(tab_input, CREATE_TAB, "TabInput")
            if len(session.tabs) >= MAX_TABS:
                self._notice(MAX_TABS_MESSAGE)
                raise ApmError(LIMIT_REACHED, MAX_TABS_MESSAGE)
            tab = _page_tab(self, request, f"tab-id-{self._next_tab}", session.session_id)
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

        return self._logged(CREATE_TAB, (session_id, tab_input), body)


def _entity_template(ws: Workspace, request: PageRequest) -> Any:
    """The entity session template for an entity record page (configured ones first)."""
    if request.page_type != "entityrecord":
        return None
    entity = request.parameters["entityName"].strip()
    matches = [
        t
        for t in ws.options.templates.sessions.values()
        if t.type == "entity" and t.entity == entity
    ]
    matches.sort(key=lambda t: t.builtin)
    return matches[0] if matches else None


def _template_input(template: Any, request: PageRequest) -> dict[str, Any]:
    pairs = [[key, value] for key, value in request.parameters.items()]
    return {
        "templateName": template.unique_name,
        "sessionContext": {"parametersStr": json.dumps(pairs)},
        "isFocused": request.is_focused,
    }


def _page_tab(ws: Workspace, request: PageRequest, tab_id: str, session_id: str) -> TabState:
    parameters = dict(request.parameters)
    return TabState(
        tab_id,
        session_id,
        ws._default_tab_title(request.page_type, parameters),
        request.page_type,
        None,
        parameters,
        page_url(request.page_type, parameters),
    )


def _open_page_session(ws: Workspace, request: PageRequest) -> str:
    if len(ws._sessions) >= MAX_SESSIONS:
        ws._notice(MAX_SESSIONS_MESSAGE)
        raise ApmError(LIMIT_REACHED, MAX_SESSIONS_MESSAGE)
    session_id = f"session-id-{ws._next_session}"
    anchor = _page_tab(ws, request, f"tab-id-{ws._next_tab}", session_id)
    anchor.can_close = False
    anchor.is_anchor = True
    record = ws.options.find_record(
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
    ws._next_session += 1
    ws._next_tab += 1
    ws._sessions[session_id] = session
    ws._tabs[anchor.tab_id] = anchor
    ws._emit(SESSION_CREATED, {"sessionId": session_id})
    if request.is_focused:
        ws._focus(session_id)
    ws._touch()
    return session_id
