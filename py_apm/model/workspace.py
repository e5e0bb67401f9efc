"""The workspace model: sessions, tabs, focus (MRU), limits, refusals, context, events, call log.

Every documented `Microsoft.Apm` member maps to one method here, taking and returning plain
values and ids. `views.py` wraps them in Pythonic Session/Tab objects; `bridge.py` exposes them to
the browser shim by their JS names.
"""

from __future__ import annotations

import functools
import secrets
from collections import deque
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import quote

from .calllog import CallLog, CallRecord, bounded, bounded_error, cut
from .errors import (
    INTERNAL,
    LIMIT_REACHED,
    MAX_SESSIONS_MESSAGE,
    MAX_TABS_MESSAGE,
    ApmError,
    invalid,
    not_found,
)
from .events import (
    EVENT_NAMES,
    ON_SESSION_CLOSED,
    ON_SESSION_SWITCH,
    ON_TAB_SWITCH,
    Event,
    topic_for,
)
from .inputs import (
    as_object,
    context_values,
    parse_session_input,
    parse_tab_input,
    require_bool,
    require_string,
)
from .limits import MAX_CONFIG_TEXT, json_or_none
from .options import Options, apply_options
from .slugs import SlugScope, resolve
from .state import (
    MAX_SESSIONS,
    MAX_TABS,
    SessionState,
    TabState,
    home_session,
)
from .templates import (
    ENTITY_ANCHOR_TEMPLATE,
    PAGE_TYPES,
    SessionTemplate,
    TabTemplate,
    check_url,
)
from .version import __version__

T = TypeVar("T")


@functools.lru_cache(maxsize=256)
def _quote_path(name: str) -> str:
    """A web resource name as a URL path (names repeat: cached)."""
    return quote(name, safe="/")


HOME_NOT_CLOSABLE = "The Home session cannot be closed."
HOME_TITLE_FIXED = "The title of the Home session cannot be changed."
ANCHOR_NOT_CLOSABLE = "The anchor tab of a session cannot be closed."
OUTBOX_LIMIT = 1000


class Workspace:
    """An emulated Customer Service workspace (the state behind `Microsoft.Apm`)."""

    def __init__(self, options: Any = None, *, workspace_id: str | None = None) -> None:
        self.workspace_id = workspace_id or secrets.token_hex(4)
        self.options = Options()
        self.revision = 0
        #: True while events, notices or warnings wait in the outbox (a cheap check per call)
        self.output_pending = False
        self._events: deque[Event] = deque(maxlen=OUTBOX_LIMIT)
        self._notices: deque[str] = deque(maxlen=OUTBOX_LIMIT)
        self._warnings: deque[str] = deque(maxlen=OUTBOX_LIMIT)
        self._log = CallLog(self.options.call_log_limit)
        self._clear()
        if options is not None:
            self.configure(options)

    # ------------------------------------------------------------------ state keeping
    def _clear(self) -> None:
        home = home_session()
        self._sessions: dict[str, SessionState] = {home.session_id: home}
        self._tabs: dict[str, TabState] = dict(home.tabs)
        self._focused_id = home.session_id
        self._session_mru = [home.session_id]
        self._next_session = 1
        self._next_tab = 1

    def _touch(self) -> None:
        self.revision += 1

    def _emit(self, name: str, data: dict[str, Any]) -> None:
        self._events.append(Event(name, topic_for(self.workspace_id, name), data))
        self.output_pending = True

    def _warn(self, record: CallRecord, text: str) -> None:
        record.warning = cut(text)
        self._warnings.append(text)
        self.output_pending = True

    def _refuse(self, record: CallRecord, reason: str) -> None:
        record.refused = True
        record.reason = cut(reason)
        self._warn(record, f"{record.method}: refused: {reason}")

    def _notice(self, text: str) -> None:
        self._notices.append(text)
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

    def _logged(
        self,
        method: str,
        args: tuple[Any, ...],
        body: Callable[[CallRecord], T],
        origin: str = "api",
    ) -> T:
        record = self._log.start(method, args, origin)
        try:
            result = body(record)
        except ApmError as error:
            record.error = bounded_error(error.to_dict())
            raise
        except Exception as error:  # a bug: logged, then reported by the bridge
            record.error = {
                "errorCode": INTERNAL,
                "message": cut(f"{type(error).__name__}: {error}"),
            }
            raise
        record.result = bounded(result)
        return result

    def _session(self, session_id: Any, method: str) -> SessionState:
        session = self._sessions.get(session_id) if isinstance(session_id, str) else None
        if session is None:
            require_string(session_id, method, "sessionId")
            raise not_found(method, f"session '{session_id}' is not open")
        return session

    def _tab(self, tab_id: Any, method: str) -> TabState:
        tab = self._tabs.get(tab_id) if isinstance(tab_id, str) else None
        if tab is None:
            require_string(tab_id, method, "tabId")
            raise not_found(method, f"tab '{tab_id}' is not open")
        return tab

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

    # ------------------------------------------------------------------ focus and events
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
        for tab_id in session.tabs:
            self._tabs.pop(tab_id, None)
        if session.session_id in self._session_mru:
            self._session_mru.remove(session.session_id)
        self._emit(ON_SESSION_CLOSED, {"sessionId": session.session_id})
        if was_focused:
            self._focus(self._session_mru[-1], previous=previous)
        self._touch()

    def _close_tab(self, tab: TabState) -> None:
        session = self._sessions[tab.session_id]
        was_visible = (
            session.session_id == self._focused_id and session.focused_tab_id == tab.tab_id
        )
        session.remove_tab(tab.tab_id)
        del self._tabs[tab.tab_id]
        if was_visible:
            self._focus(session.session_id, previous=(session.session_id, tab.tab_id))
        self._touch()

    # ------------------------------------------------------------------ templates and slugs
    def _scope(self, session: SessionState, extra: dict[str, str] | None = None) -> SlugScope:
        return SlugScope(
            session.context, session.anchor.parameters, session.anchor_record, extra or {}
        )

    def _lookup_template(
        self, table: dict[str, T] | Any, name: str, kind: str, method: str, record: CallRecord
    ) -> T | None:
        template = table.get(name) or table.get(name.strip())
        if template is not None and name != name.strip():
            self._warn(
                record,
                f"{method}: templateName '{name}' has surrounding spaces; used '{name.strip()}'",
            )
        if template is None:
            if self.options.strict_templates:
                raise ApmError(422, f"{method}: unknown {kind} template '{name}'")
            self._warn(
                record,
                f"{method}: unknown {kind} template '{name}'; opened a generic {kind} "
                "titled with the template name",
            )
        return template

    def _build_tab(
        self,
        method: str,
        tab_id: str,
        session_id: str,
        template: TabTemplate | None,
        template_name: str,
        scope: SlugScope,
        given: dict[str, str],
    ) -> TabState:
        """A tab from a template (or none), its parameters resolved; raises before any change."""
        page_type = template.page_type if template else _infer_page_type(given)
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
            url = "webresources/" + _quote_path(parameters["webresourceName"].strip())
            if parameters.get("data"):
                url += "?data=" + quote(parameters["data"], safe="")
        title = resolve(template.title, tab_scope.lookup) if template else template_name.strip()
        if not title:
            title = self._default_tab_title(page_type, parameters)
        return TabState(
            tab_id,
            session_id,
            title,
            page_type,
            template.unique_name if template else template_name.strip(),
            parameters,
            url,
        )

    def _default_tab_title(self, page_type: str, parameters: dict[str, str]) -> str:
        if page_type == "entityrecord":
            entity = parameters.get("entityName", "")
            record = self.options.find_record(entity, parameters.get("entityId", "")) or {}
            for attribute in ("title", "name", "fullname", "subject", "ticketnumber"):
                if record.get(attribute):
                    return str(record[attribute])
            return f"New {entity}" if not parameters.get("entityId", "").strip() else entity
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

    # ------------------------------------------------------------------ Microsoft.Apm
    def focused_session_id(self) -> str:
        """`getFocusedSession` (the id of the focused session)."""
        focused = self._focused_id
        self._log.note("getFocusedSession", (), focused)
        return focused

    def get_all_sessions(self) -> list[str]:
        """`getAllSessions`: Home first, then creation order."""
        ids = list(self._sessions)
        self._log.note("getAllSessions", (), ids)
        return ids

    def session_id_of(self, session_id: Any) -> str | None:
        """`getSession(sessionId)`: the id when open, else None (JS null)."""

        def body(record: CallRecord) -> str | None:
            require_string(session_id, "getSession", "sessionId")
            return session_id if session_id in self._sessions else None

        return self._logged("getSession", (session_id,), body)

    def can_create_session(self) -> bool:
        """`canCreateSession`: fewer than 10 sessions including Home."""
        can = len(self._sessions) < MAX_SESSIONS
        self._log.note("canCreateSession", (), can)
        return can

    def create_session(self, session_input: Any) -> str:
        """`createSession(SessionInput)`: the new session's id."""
        return self._logged(
            "createSession", (session_input,), lambda r: self._create_session(session_input, r)
        )

    def _create_session(self, raw: Any, record: CallRecord) -> str:
        method = "createSession"
        given = parse_session_input(raw, method)
        if len(self._sessions) >= MAX_SESSIONS:
            self._notice(MAX_SESSIONS_MESSAGE)
            raise ApmError(LIMIT_REACHED, MAX_SESSIONS_MESSAGE)
        template: SessionTemplate | None = self._lookup_template(
            self.options.templates.sessions, given.template_name, "session", method, record
        )
        session_id = f"session-id-{self._next_session}"
        next_tab = self._next_tab

        def new_tab_id() -> str:
            nonlocal next_tab
            next_tab += 1
            return f"tab-id-{next_tab - 1}"

        tabs_table = self.options.templates.tabs
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
        context_scope = SlugScope(given.context)
        anchor = self._build_tab(
            method,
            new_tab_id(),
            session_id,
            anchor_template,
            anchor_name,
            context_scope,
            anchor_given,
        )
        anchor.can_close = False
        anchor.is_anchor = True
        record_row = self.options.find_record(
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
        scope = self._scope(session)
        if template is None:
            session.title = given.template_name.strip()
        else:
            session.title = resolve(template.title, scope.lookup) or anchor.title or template.name
            if template.apply_title_to_anchor:
                anchor.title = session.title
        for name in additional:
            tab = self._build_tab(
                method, new_tab_id(), session_id, tabs_table[name], name, scope, {}
            )
            tab.can_close = False
            session.tabs[tab.tab_id] = tab
        # everything built: commit
        self._next_session += 1
        self._next_tab = next_tab
        self._sessions[session_id] = session
        self._tabs.update(session.tabs)
        if given.is_focused:
            self._focus(session_id)
        self._touch()
        return session_id

    def create_tab(self, tab_input: Any) -> str:
        """`createTab(AppTabInput)`: a tab in the focused session."""
        return self._logged(
            "createTab",
            (tab_input,),
            lambda r: self._create_tab(self._focused_id, tab_input, "createTab", r),
        )

    def _create_tab(self, session_id: str, raw: Any, method: str, record: CallRecord) -> str:
        given = parse_tab_input(raw, method)
        session = self._sessions[session_id]
        if len(session.tabs) >= MAX_TABS:
            self._notice(MAX_TABS_MESSAGE)
            raise ApmError(LIMIT_REACHED, MAX_TABS_MESSAGE)
        template: TabTemplate | None = self._lookup_template(
            self.options.templates.tabs, given.template_name, "tab", method, record
        )
        tab_id = f"tab-id-{self._next_tab}"
        tab = self._build_tab(
            method,
            tab_id,
            session_id,
            template,
            given.template_name,
            self._scope(session),
            given.app_context,
        )
        self._next_tab += 1
        session.tabs[tab_id] = tab
        self._tabs[tab_id] = tab
        if given.is_focused:
            self._focus(session_id, tab_id)
        self._touch()
        return tab_id

    def close_tab(self, tab_id: Any) -> None:
        """`closeTab(tabId)`: close a tab of the focused session (anchor tabs are refused)."""
        self._logged(
            "closeTab",
            (tab_id,),
            lambda r: self._close_tab_checked(self._focused_tab_of_session(tab_id, "closeTab"), r),
        )

    def _close_tab_checked(self, tab: TabState, record: CallRecord, ui: bool = False) -> None:
        if tab.is_anchor:
            self._refuse(record, ANCHOR_NOT_CLOSABLE)
            return
        if ui and not tab.can_close:
            self._refuse(record, "the tab's close button is hidden (canClose is false)")
            return
        self._close_tab(tab)

    def focus_tab(self, tab_id: Any) -> None:
        """`focusTab(tabId)`: focus a tab of the focused session."""

        def body(record: CallRecord) -> None:
            tab = self._focused_tab_of_session(tab_id, "focusTab")
            self._focus(tab.session_id, tab.tab_id)

        self._logged("focusTab", (tab_id,), body)

    def refresh_tab(self, tab_id: Any) -> None:
        """`refreshTab(tabId)`: reload a tab of the focused session."""
        self._logged(
            "refreshTab",
            (tab_id,),
            lambda r: self._refresh(self._focused_tab_of_session(tab_id, "refreshTab")),
        )

    def _refresh(self, tab: TabState) -> None:
        tab.refresh_count += 1
        self._touch()

    def get_event_publisher_topic(self, event_name: Any) -> str:
        """`getEventPublisherTopic(eventName)`: the BroadcastChannel name of an event."""

        def body(record: CallRecord) -> str:
            name = require_string(event_name, "getEventPublisherTopic", "eventName")
            if name not in EVENT_NAMES:
                raise invalid(
                    "getEventPublisherTopic",
                    f"unknown event name '{name}' (known: {', '.join(EVENT_NAMES)})",
                )
            return topic_for(self.workspace_id, name)

        return self._logged("getEventPublisherTopic", (event_name,), body)

    # ------------------------------------------------------------------ session members
    def session_is_default(self, session_id: Any) -> bool:
        return self._session(session_id, "session.isDefault").is_default

    def session_title(self, session_id: Any) -> str:
        session = self._sessions.get(session_id) if isinstance(session_id, str) else None
        return (session or self._session(session_id, "session.title")).title

    def set_session_title(self, session_id: Any, title: Any) -> None:
        def body(record: CallRecord) -> None:
            session = self._session(session_id, "session.title")
            text = require_string(title, "session.title", "title")
            if session.is_default:
                self._refuse(record, HOME_TITLE_FIXED)
                return
            session.title = text
            self._touch()

        self._logged("session.title", (session_id, title), body)

    def session_can_close(self, session_id: Any) -> bool:
        return self._session(session_id, "session.canClose").can_close

    def set_session_can_close(self, session_id: Any, value: Any) -> None:
        def body(record: CallRecord) -> None:
            session = self._session(session_id, "session.canClose")
            flag = require_bool(value, "session.canClose", "canClose")
            if session.is_default and flag:
                self._refuse(record, HOME_NOT_CLOSABLE)
                return
            session.can_close = flag
            self._touch()

        self._logged("session.canClose", (session_id, value), body)

    def close_session(self, session_id: Any, origin: str = "api") -> None:
        """`session.close`: Home is refused; `canClose = false` does not stop the API."""
        method = "ui.closeSession" if origin == "ui" else "session.close"

        def body(record: CallRecord) -> None:
            session = self._session(session_id, method)
            if session.is_default:
                self._refuse(record, HOME_NOT_CLOSABLE)
            elif origin == "ui" and not session.can_close:
                self._refuse(record, "the session's close button is hidden (canClose is false)")
            else:
                self._close_session(session)

        self._logged(method, (session_id,), body, origin)

    def focus_session(self, session_id: Any, origin: str = "api") -> None:
        """`session.focus`."""
        method = "ui.focusSession" if origin == "ui" else "session.focus"
        self._logged(
            method,
            (session_id,),
            lambda r: self._focus(self._session(session_id, method).session_id),
            origin,
        )

    def request_focus(self, session_id: Any) -> None:
        """`session.requestFocus`: the notification indicator on a session not in focus."""

        def body(record: CallRecord) -> None:
            session = self._session(session_id, "session.requestFocus")
            if session.session_id != self._focused_id and not session.notification:
                session.notification = True
                self._touch()

        self._logged("session.requestFocus", (session_id,), body)

    def session_focused_tab(self, session_id: Any) -> str:
        return self._logged(
            "session.getFocusedTab",
            (session_id,),
            lambda r: self._session(session_id, "session.getFocusedTab").focused_tab_id,
        )

    def session_tab_id(self, session_id: Any, tab_id: Any) -> str | None:
        """`session.getTab(tabId)`: the id when the tab is in that session, else None."""

        def body(record: CallRecord) -> str | None:
            session = self._session(session_id, "session.getTab")
            require_string(tab_id, "session.getTab", "tabId")
            return tab_id if tab_id in session.tabs else None

        return self._logged("session.getTab", (session_id, tab_id), body)

    def session_all_tabs(self, session_id: Any) -> list[str]:
        return self._logged(
            "session.getAllTabs",
            (session_id,),
            lambda r: list(self._session(session_id, "session.getAllTabs").tabs),
        )

    def session_can_create_tab(self, session_id: Any) -> bool:
        return self._logged(
            "session.canCreateTab",
            (session_id,),
            lambda r: len(self._session(session_id, "session.canCreateTab").tabs) < MAX_TABS,
        )

    def update_context(self, session_id: Any, values: Any) -> None:
        """`session.updateContext(input)`: merge values into the session context."""

        def body(record: CallRecord) -> None:
            session = self._session(session_id, "session.updateContext")
            if values is None:
                raise invalid("session.updateContext", "input is required, got undefined")
            update = context_values(values, "session.updateContext", "input")
            session.context.update(update)
            self._touch()

        self._logged("session.updateContext", (session_id, values), body)

    def delete_context(self, session_id: Any, key: Any) -> None:
        """`context.delete(key)` of getContext's object."""

        def body(record: CallRecord) -> None:
            session = self._session(session_id, "context.delete")
            name = require_string(key, "context.delete", "key")
            if session.context.pop(name, None) is not None:
                self._touch()

        self._logged("context.delete", (session_id, key), body)

    def resolve_slug(self, session_id: Any, slug: Any) -> str:
        """`session.resolveSlug(input)`: text with every `{slug}` substituted ("" if unresolved)."""

        def body(record: CallRecord) -> str:
            session = self._session(session_id, "session.resolveSlug")
            text = require_string(slug, "session.resolveSlug", "input")
            return resolve(text, self._scope(session).lookup)

        return self._logged("session.resolveSlug", (session_id, slug), body)

    def session_context(self, session_id: Any) -> dict[str, Any]:
        """`session.getContext()` data: context values, template name, each tab's parameters."""

        def body(record: CallRecord) -> dict[str, Any]:
            session = self._session(session_id, "session.getContext")
            return {
                "sessionId": session.session_id,
                "templateName": session.template_name,
                "parameters": dict(session.context),
                "anchorTabId": session.anchor.tab_id,
                "tabs": {t.tab_id: tab_context(t) for t in session.tabs.values()},
            }

        return self._logged("session.getContext", (session_id,), body)

    def session_create_tab(self, session_id: Any, tab_input: Any) -> str:
        """`session.createTab(input)`: like createTab, in this session."""

        def body(record: CallRecord) -> str:
            session = self._session(session_id, "session.createTab")
            return self._create_tab(session.session_id, tab_input, "session.createTab", record)

        return self._logged("session.createTab", (session_id, tab_input), body)

    def session_tabs_for_template(self, session_id: Any, template_name: Any) -> list[str]:
        """`session.getAllTabsForTemplate(name)`: ids of this session's tabs from that template."""

        def body(record: CallRecord) -> list[str]:
            session = self._session(session_id, "session.getAllTabsForTemplate")
            name = require_string(
                template_name, "session.getAllTabsForTemplate", "templateName"
            ).strip()
            return [t.tab_id for t in session.tabs.values() if t.template_name == name]

        return self._logged("session.getAllTabsForTemplate", (session_id, template_name), body)

    # ------------------------------------------------------------------ tab members
    def tab_title(self, tab_id: Any) -> str:
        tab = self._tabs.get(tab_id) if isinstance(tab_id, str) else None
        return (tab or self._tab(tab_id, "tab.title")).title

    def set_tab_title(self, tab_id: Any, title: Any) -> None:
        def body(record: CallRecord) -> None:
            tab = self._tab(tab_id, "tab.title")
            tab.title = require_string(title, "tab.title", "title")
            self._touch()

        self._logged("tab.title", (tab_id, title), body)

    def tab_can_close(self, tab_id: Any) -> bool:
        return self._tab(tab_id, "tab.canClose").can_close

    def set_tab_can_close(self, tab_id: Any, value: Any) -> None:
        def body(record: CallRecord) -> None:
            tab = self._tab(tab_id, "tab.canClose")
            flag = require_bool(value, "tab.canClose", "canClose")
            if tab.is_anchor and flag:
                self._refuse(record, ANCHOR_NOT_CLOSABLE)
                return
            tab.can_close = flag
            self._touch()

        self._logged("tab.canClose", (tab_id, value), body)

    def close_tab_object(self, tab_id: Any, origin: str = "api") -> None:
        """`tab.close`: close this tab wherever it is (anchor tabs are refused)."""
        method = "ui.closeTab" if origin == "ui" else "tab.close"
        self._logged(
            method,
            (tab_id,),
            lambda r: self._close_tab_checked(self._tab(tab_id, method), r, origin == "ui"),
            origin,
        )

    def focus_tab_object(self, tab_id: Any, origin: str = "api") -> None:
        """`tab.focus`: focus this tab (and its session when that is in the background)."""
        method = "ui.focusTab" if origin == "ui" else "tab.focus"

        def body(record: CallRecord) -> None:
            tab = self._tab(tab_id, method)
            self._focus(tab.session_id, tab.tab_id)

        self._logged(method, (tab_id,), body, origin)

    def refresh_tab_object(self, tab_id: Any) -> None:
        """`tab.refresh`."""
        self._logged(
            "tab.refresh", (tab_id,), lambda r: self._refresh(self._tab(tab_id, "tab.refresh"))
        )

    # ------------------------------------------------------------------ test control (PyApm)
    def reset(self, options: Any = None) -> None:
        """A fresh workspace (Home only, ids from 0) keeping the configured options; `options`
        are applied on top, as `configure` does."""
        new_options = apply_options(self.options, options)
        self.options = new_options
        self._clear()
        self._log = CallLog(new_options.call_log_limit)
        self.take_output()
        self._touch()

    def configure(self, options: Any) -> dict[str, Any]:
        """Apply options (validated as a whole); returns the effective options."""
        if isinstance(options, str):
            options = as_object(options, "configure", "options", MAX_CONFIG_TEXT)
        new_options = apply_options(self.options, options)
        self._log.set_limit(new_options.call_log_limit)
        self.options = new_options
        self._touch()
        return new_options.describe()

    def refresh_context(self, session_id: Any) -> None:
        """Re-read a session's `{anchor.*}` values from the record store (the macro action
        "Refresh the session context")."""
        session = self._session(session_id, "refreshContext")
        anchor = session.anchor.parameters
        session.anchor_record = dict(
            self.options.find_record(anchor.get("entityName", ""), anchor.get("entityId", "")) or {}
        )
        self._touch()

    def state(self) -> dict[str, Any]:
        """The whole workspace as plain JSON data."""
        return {
            "revision": self.revision,
            "focusedSessionId": self._focused_id,
            "sessions": [s.to_dict() for s in self._sessions.values()],
        }

    def calls(self) -> list[dict[str, Any]]:
        """The call log, oldest first."""
        return self._log.to_list()

    @property
    def version(self) -> str:
        return __version__

    # ------------------------------------------------------------------ Pythonic views
    def get_focused_session(self) -> Any:
        from .views import Session

        return Session(self, self.focused_session_id())

    def get_session(self, session_id: Any) -> Any:
        from .views import Session

        found = self.session_id_of(session_id)
        return Session(self, found) if found is not None else None


def tab_context(tab: TabState) -> dict[str, Any]:
    """A tab's parameters for `getTabContext`, `data` parsed when it is JSON of an object/array."""
    result: dict[str, Any] = dict(tab.parameters)
    data = result.get("data")
    if data:
        parsed = json_or_none(data)
        if isinstance(parsed, (dict, list)):
            result["data"] = parsed
    return result


def _infer_page_type(parameters: dict[str, str]) -> str:
    """The page type of a tab from an unknown template, from the parameters it was given."""
    if parameters.get("webresourceName"):
        return "webresource"
    if parameters.get("url"):
        return "thirdpartywebsite"
    if parameters.get("entityName"):
        return "entityrecord"
    return "control"
