"""The workspace core: sessions and tabs by id, focus (MRU), closing, the outbox, the revision.

Every mixin of `Workspace` (one per JS object) works through these helpers; none of them is a
member itself.
"""

from __future__ import annotations

import secrets
from collections import deque
from typing import Any, NoReturn, TypeVar

from . import warnings as w
from .build import build_session, build_tab
from .calllog import CallLog, CallRecord, cut
from .errors import (
    LIMIT_REACHED,
    MAX_SESSIONS_MESSAGE,
    MAX_TABS_MESSAGE,
    ApmError,
    not_found,
)
from .events import (
    ON_SESSION_CLOSED,
    ON_SESSION_SWITCH,
    ON_TAB_SWITCH,
    SESSION_CREATED,
    TAB_CLOSED,
    TAB_CREATED,
    Event,
    topic_for,
)
from .inputs import parse_session_input, parse_tab_input, require_bool, require_string
from .options import Options
from .slugs import SlugScope
from .state import MAX_SESSIONS, MAX_TABS, SessionState, TabState, home_session
from .templates import SessionTemplate, TabTemplate
from .timeline import History

T = TypeVar("T")

HOME_NOT_CLOSABLE = "The Home session cannot be closed."
HOME_TITLE_FIXED = "The title of the Home session cannot be changed."
ANCHOR_NOT_CLOSABLE = "The anchor tab of a session cannot be closed."
OUTBOX_LIMIT = 1000


class TabIds:
    """Hands out the tab ids of a session being built; `next` is committed once it is built
    (a failed build uses no ids)."""

    def __init__(self, first: int) -> None:
        self.next = first

    def __call__(self) -> str:
        self.next += 1
        return f"tab-id-{self.next - 1}"


class WorkspaceCore:
    """State keeping shared by the member mixins."""

    def __init__(self, workspace_id: str | None = None) -> None:
        self.workspace_id = workspace_id or secrets.token_hex(4)
        self.options = Options()
        self.revision = 0
        #: True while events, notices or warnings wait in the outbox (a cheap check per call)
        self.output_pending = False
        self._events: deque[Event] = deque(maxlen=OUTBOX_LIMIT)
        self._notices: deque[str] = deque(maxlen=OUTBOX_LIMIT)
        self._warnings: deque[str] = deque(maxlen=OUTBOX_LIMIT)
        self._log = CallLog(self.options.call_log_limit)
        self._history = History()
        self._clear()

    # ------------------------------------------------------------------ state keeping
    def _clear(self) -> None:
        home = home_session()
        self._sessions: dict[str, SessionState] = {home.session_id: home}
        self._tabs: dict[str, TabState] = dict(home.tabs)
        self._focused_id = home.session_id
        self._session_mru = [home.session_id]
        self._next_session = 1
        self._next_tab = 1
        #: closed session/tab id -> (what it was, its session), for APM-W003 and the timeline
        self._closed: dict[str, tuple[str, str]] = {}
        self._history.clear(0)

    def _touch(self) -> None:
        self.revision += 1

    # ------------------------------------------------------------------ the outbox
    def _emit(self, name: str, data: dict[str, Any]) -> None:
        event = Event(name, topic_for(self.workspace_id, name), data)
        self._events.append(event)
        self._history.event(self._log.seq, event)
        self.output_pending = True

    def _warn(self, record: CallRecord, text: str, code: str) -> None:
        """A warning with its code (`warnings.py`) on the call's record and the console."""
        text = cut(text)  # it may quote the caller's text (a template name...)
        record.warning = text
        if record.warnings is None:
            record.warnings = []
        record.warnings.append({"code": code, "message": text})
        self._warnings.append(f"{code} {text}")
        self.output_pending = True

    def _refuse(self, record: CallRecord, reason: str) -> None:
        record.refused = True
        record.reason = cut(reason)
        self._warn(record, f"{record.method}: refused: {reason}", w.REFUSED)

    def _notice(self, text: str) -> None:
        self._notices.append(text)
        self._history.notice(self._log.seq, text)
        self.output_pending = True

    def take_output(self) -> tuple[list[Event], list[str], list[str]]:
        """Events, notices and warnings waiting to be drained, oldest first; clears them."""
        out = (list(self._events), list(self._notices), list(self._warnings))
        self._events.clear()
        self._notices.clear()
        self._warnings.clear()
        self.output_pending = False
        return out

    def drain_outbox(self) -> dict[str, list[Any]]:
        """Events (as dicts), notices and warnings waiting to be drained; clears them."""
        events, notices, warnings = self.take_output()
        return {"events": [e.to_dict() for e in events], "notices": notices, "warnings": warnings}

    # ------------------------------------------------------------------ lookups
    def _session(self, session_id: Any, method: str) -> SessionState:
        session = self._sessions.get(session_id) if isinstance(session_id, str) else None
        return session or _not_open(session_id, method, "session")

    def _tab(self, tab_id: Any, method: str) -> TabState:
        tab = self._tabs.get(tab_id) if isinstance(tab_id, str) else None
        return tab or _not_open(tab_id, method, "tab")

    def _focused_tab_of_session(self, tab_id: Any, method: str) -> TabState:
        """A tab of the focused session (closeTab/focusTab/refreshTab act there only)."""
        require_string(tab_id, method, "tabId")
        focused = self._sessions[self._focused_id]
        tab = focused.tabs.get(tab_id)
        if tab is None:
            other = self._tabs.get(tab_id)
            where = f" (it is in '{other.session_id}')" if other else ""
            raise not_found(
                method,
                f"tab '{tab_id}' is not a tab of the focused session '{focused.session_id}'{where}",
            )
        return tab

    def _scope(self, session: SessionState) -> SlugScope:
        return SlugScope(session.context, session.anchor.parameters, session.anchor_record, {})

    def _lookup_template(
        self, table: dict[str, T] | Any, name: str, kind: str, record: CallRecord
    ) -> T | None:
        """A template by name (surrounding spaces forgiven with a warning); None when unknown and
        templates are not strict."""
        method = record.method
        template = table.get(name) or table.get(name.strip())
        if template is not None and name != name.strip():
            self._warn(
                record,
                f"{method}: templateName '{name}' has surrounding spaces; used '{name.strip()}'",
                w.TEMPLATE_SPACES,
            )
        if template is None:
            if self.options.strict_templates:
                raise ApmError(422, f"{method}: unknown {kind} template '{name}'")
            self._warn(
                record,
                f"{method}: unknown {kind} template '{name}'; opened a generic {kind} "
                "titled with the template name",
                w.UNKNOWN_TEMPLATE,
            )
        return template

    def _warner(self, record: CallRecord) -> w.Warn:
        return lambda text, code: self._warn(record, text, code)

    # ------------------------------------------------------------------ closed ids
    def _remember_closed(self, identifier: str, what: str, session_id: str) -> None:
        if len(self._closed) >= w.CLOSED_LIMIT:
            del self._closed[next(iter(self._closed))]
        self._closed[identifier] = (what, session_id)

    def closed_description(self, identifier: str) -> str | None:
        """What a closed id was ("closed tab ('Search') of 'session-id-1'"), else None."""
        if identifier in self._sessions or identifier in self._tabs:
            return None
        if identifier in self._closed:
            return self._closed[identifier][0]
        if w.was_issued(identifier, self._next_session, self._next_tab):
            return "closed " + identifier.split("-")[0]
        return None

    def session_of_tab(self, tab_id: str) -> str | None:
        """The session an open (or closed) tab is (was) in."""
        tab = self._tabs.get(tab_id)
        if tab is not None:
            return tab.session_id
        closed = self._closed.get(tab_id)
        return closed[1] if closed else None

    # ------------------------------------------------------------------ create
    def _check_limit(self, room: bool, message: str) -> None:
        """The documented limit error (and its notice in the page) when there is no room."""
        if not room:
            self._notice(message)
            raise ApmError(LIMIT_REACHED, message)

    def _create_session(self, record: CallRecord, session_input: Any) -> str:
        """A session from a SessionInput (createSession, ui.createSession); its id."""
        method = record.method
        given = parse_session_input(session_input, method)
        self._check_limit(len(self._sessions) < MAX_SESSIONS, MAX_SESSIONS_MESSAGE)
        template: SessionTemplate | None = self._lookup_template(
            self.options.templates.sessions, given.template_name, "session", record
        )
        session_id = f"session-id-{self._next_session}"
        new_tab_id = TabIds(self._next_tab)
        session = build_session(
            method, session_id, new_tab_id, given, template, self.options, self._warner(record)
        )
        # everything built: commit
        self._next_session += 1
        self._next_tab = new_tab_id.next
        self._sessions[session_id] = session
        self._tabs.update(session.tabs)
        self._emit(SESSION_CREATED, {"sessionId": session_id})
        if given.is_focused:
            self._focus(session_id)
        self._touch()
        return session_id

    def _create_tab(
        self, record: CallRecord, session_id: str, raw: Any, template_lookup: bool = True
    ) -> str:
        """A tab from an AppTabInput in that session (createTab, session.createTab); its id.
        Without `template_lookup` the tab has no template (ui.openWebResource)."""
        method = record.method
        given = parse_tab_input(raw, method)
        session = self._sessions[session_id]
        self._check_limit(len(session.tabs) < MAX_TABS, MAX_TABS_MESSAGE)
        template: TabTemplate | None = None
        if template_lookup:
            template = self._lookup_template(
                self.options.templates.tabs, given.template_name, "tab", record
            )
        tab_id = f"tab-id-{self._next_tab}"
        tab = build_tab(
            method,
            tab_id,
            session_id,
            template,
            given.template_name,
            self._scope(session),
            given.app_context,
            self.options,
            self._warner(record),
        )
        # built: commit
        self._next_tab += 1
        session.tabs[tab_id] = tab
        self._tabs[tab_id] = tab
        self._emit(TAB_CREATED, {"sessionId": session_id, "tabId": tab_id})
        if given.is_focused:
            self._focus(session_id, tab_id)
        self._touch()
        return tab_id

    # ------------------------------------------------------------------ focus, close, refresh
    def _focus(
        self, session_id: str, tab_id: str | None = None, previous: tuple[str, str] | None = None
    ) -> None:
        """Focus a session (and optionally one of its tabs), publishing the switch events."""
        if previous is None:
            current = self._sessions[self._focused_id]
            previous = (current.session_id, current.focused_tab_id)
        session = self._sessions[session_id]
        if tab_id is not None:
            session.focus_tab(tab_id)
        if session_id != previous[0]:
            self._focused_id = session_id
            if session_id in self._session_mru:
                self._session_mru.remove(session_id)
            self._session_mru.append(session_id)
            session.notification = False
            self._emit(
                ON_SESSION_SWITCH, {"previousSessionId": previous[0], "newSessionId": session_id}
            )
        if (session_id, session.focused_tab_id) != previous:
            self._emit(
                ON_TAB_SWITCH,
                {
                    "previousSessionId": previous[0],
                    "previousTabId": previous[1],
                    "sessionId": session_id,
                    "tabId": session.focused_tab_id,
                },
            )
        self._touch()

    def _close_session(self, session: SessionState) -> None:
        was_focused = session.session_id == self._focused_id
        previous = (session.session_id, session.focused_tab_id)
        del self._sessions[session.session_id]
        what = f"tab of the closed session '{session.session_id}'"  # one text for all its tabs
        for tab_id in session.tabs:
            self._tabs.pop(tab_id, None)
            self._remember_closed(tab_id, what, session.session_id)
        what = f"closed session ('{session.title}')"
        self._remember_closed(session.session_id, what, session.session_id)
        if session.session_id in self._session_mru:
            self._session_mru.remove(session.session_id)
        self._emit(ON_SESSION_CLOSED, {"sessionId": session.session_id})
        if was_focused:
            self._focus(self._session_mru[-1], previous=previous)
        self._touch()

    def _close_session_checked(self, record: CallRecord, session_id: Any, ui: bool) -> bool:
        """Close a session unless it is Home (or, for a click, its close button is hidden);
        `canClose = false` does not stop the API. True when it closed, False when refused."""
        session = self._session(session_id, record.method)
        fixed = HOME_NOT_CLOSABLE if session.is_default else None
        if self._may_close(record, fixed, ui and not session.can_close, "session"):
            self._close_session(session)
            return True
        return False

    def _close_tab(self, tab: TabState) -> None:
        session = self._sessions[tab.session_id]
        was_visible = (
            session.session_id == self._focused_id and session.focused_tab_id == tab.tab_id
        )
        session.remove_tab(tab.tab_id)
        del self._tabs[tab.tab_id]
        self._emit(TAB_CLOSED, {"sessionId": session.session_id, "tabId": tab.tab_id})
        what = f"closed tab ('{tab.title}') of '{session.session_id}'"
        self._remember_closed(tab.tab_id, what, session.session_id)
        if was_visible:
            self._focus(session.session_id, previous=(session.session_id, tab.tab_id))
        self._touch()

    def _close_tab_checked(self, tab: TabState, record: CallRecord, ui: bool = False) -> bool:
        """Close a tab unless it is an anchor (or, for a click, its close button is hidden).
        True when it closed, False when refused."""
        fixed = ANCHOR_NOT_CLOSABLE if tab.is_anchor else None
        if self._may_close(record, fixed, ui and not tab.can_close, "tab"):
            self._close_tab(tab)
            return True
        return False

    def _may_close(self, record: CallRecord, fixed: str | None, hidden: bool, what: str) -> bool:
        """False, the call refused with the reason, when the session/tab never closes (`fixed`)
        or its close button is hidden (`hidden`: for a click)."""
        if fixed is not None:
            self._refuse(record, fixed)
            return False
        if hidden:
            self._refuse(record, f"the {what}'s close button is hidden (canClose is false)")
            return False
        return True

    def _reread_anchor(self, session: SessionState) -> None:
        """Re-read a session's `{anchor.*}` values from the record store."""
        anchor = session.anchor.parameters
        session.anchor_record = dict(
            self.options.find_record(anchor.get("entityName", ""), anchor.get("entityId", "")) or {}
        )
        self._touch()

    def _set_can_close(
        self, record: CallRecord, target: SessionState | TabState, value: Any, fixed: str | None
    ) -> None:
        """`canClose = value` on a session or tab; refused (with reason `fixed`) when it asks a
        never-closable one (Home, an anchor tab) to become closable."""
        flag = require_bool(value, record.method, "canClose")
        if fixed is not None and flag:
            self._refuse(record, fixed)
            return
        target.can_close = flag
        self._touch()

    def _refresh(self, tab: TabState) -> None:
        tab.refresh_count += 1
        self._touch()


def _not_open(key: Any, method: str, kind: str) -> NoReturn:
    """Raise the error for an id that names no open session/tab (400 when it is no string)."""
    require_string(key, method, f"{kind}Id")
    raise not_found(method, f"{kind} '{key}' is not open")
