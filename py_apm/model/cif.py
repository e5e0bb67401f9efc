"""`Microsoft.CIFramework` sessions, tabs and session indicators.

Each member takes the calling provider first; texts of errors are the library's (the shim adds
`msdyn_name`). Ownership: `cif_core.py`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .build import build_session, build_tab
from .calllog import CallRecord
from .cif_core import (
    FORBIDDEN,
    CifCore,
    cif_error,
    required,
)
from .errors import INVALID_ARGUMENT, MAX_SESSIONS_MESSAGE, NOT_FOUND, invalid
from .events import SESSION_CREATED
from .inputs import SessionInput, as_object, context_value
from .members import member
from .slugs import SlugScope, resolve
from .state import MAX_SESSIONS
from .templates import PANEL_MODES, SessionTemplate, TabTemplate
from .values import JsMap, describe, is_nullish, js_string, to_plain

SESSION_INPUT_KEYS = (
    "templateName",
    "templateParameters",
    "context",
    "customerName",
    "templateTag",
)


def _by_name(table: Mapping[str, Any], name: str) -> Any:
    """A template by unique name, else by display name (the host's fallback)."""
    found = table.get(name) or table.get(name.strip())
    if found is None:
        found = next((t for t in table.values() if t.name == name.strip()), None)
    return found


def _is_object(value: Any) -> bool:
    return isinstance(value, (Mapping, JsMap))


class CifSessionMembers(CifCore):
    """The session, tab and indicator members of `Microsoft.CIFramework`."""

    # ------------------------------------------------------------------ sessions
    @member("cif.canCreateSession")
    def cif_can_create_session(self, record: CallRecord, provider: Any) -> bool:
        """Fewer than 10 sessions, Home included."""
        self._cif_provider(provider, record.method)
        return len(self._sessions) < MAX_SESSIONS

    @member("cif.createSession")
    def cif_create_session(
        self, record: CallRecord, provider: Any, session_input: Any, correlation_id: Any = None
    ) -> str:
        """A Generic template's session, owned by the caller, always focused; its id."""
        method = "createSession"
        owner = self._cif_provider(provider, method)
        required(session_input, "Some of required parameters are null")
        item = as_object(session_input, method, "input")
        name = item.get("templateName")
        if not isinstance(name, str) or not name.strip():
            raise invalid(
                method, f"input.templateName must be a non-empty string, got {describe(name)}"
            )
        template: SessionTemplate | None = _by_name(self.options.templates.sessions, name)
        if template is None:
            raise cif_error(
                NOT_FOUND, f"Could not resolve unique name for session template: {name[:200]}"
            )
        if template.type != "generic":
            raise cif_error(
                INVALID_ARGUMENT,
                f"createSession supports session templates of type Generic only: {name[:200]}",
            )
        raw = item.get("templateParameters")
        params = {} if is_nullish(raw) else as_object(raw, method, "input.templateParameters")
        context: dict[str, str] = {}
        per_tab: dict[str, dict[str, str]] = {}
        for key, value in params.items():
            where = f"input.templateParameters.{key}"
            if _is_object(value) and key in self.options.templates.tabs:
                per_tab[key] = {
                    k: context_value(v, method, f"{where}.{k}")
                    for k, v in as_object(value, method, where).items()
                }
            else:
                context[key] = context_value(value, method, where)
        customer = item.get("customerName")
        if isinstance(customer, str):
            context.setdefault("customerName", customer)
        for key in item:
            if key not in SESSION_INPUT_KEYS:
                self._cif_warn(
                    record,
                    f"createSession: input.{key[:60]} is not read (only templateParameters are "
                    "the session's slug values)",
                )
        self._check_limit(len(self._sessions) < MAX_SESSIONS, MAX_SESSIONS_MESSAGE)
        session_id = f"session-id-{self._next_session}"
        next_tab = self._next_tab

        def new_tab_id() -> str:
            nonlocal next_tab
            next_tab += 1
            return f"tab-id-{next_tab - 1}"

        anchor_params = per_tab.get(template.anchor_tab or "", {})
        given = SessionInput(template.unique_name, context, anchor_params, True)
        warn = self._warner(record)
        session = build_session(method, session_id, new_tab_id, given, template, self.options, warn)
        scope = SlugScope(session.context, session.anchor.parameters, session.anchor_record, {})
        for tab in list(session.tabs.values())[1:]:
            name_of_tab = tab.template_name or ""
            if name_of_tab in per_tab:
                rebuilt = build_tab(
                    method, tab.tab_id, session_id, self.options.templates.tabs[name_of_tab],
                    name_of_tab, scope, per_tab[name_of_tab], self.options, warn,
                )  # fmt: skip
                rebuilt.can_close = False
                session.tabs[tab.tab_id] = rebuilt
        # everything built: commit
        cif = self._cif
        self._next_session += 1
        self._next_tab = next_tab
        self._sessions[session_id] = session
        self._tabs.update(session.tabs)
        cif.owners[session_id] = owner
        for tab_id in session.tabs:
            cif.tab_owners[tab_id] = owner
        if "context" in item and not is_nullish(item["context"]):
            cif.contexts[session_id] = to_plain(item["context"])
        cif.conversations[session_id] = correlation_id if isinstance(correlation_id, str) else None
        cif.session_modes[session_id] = PANEL_MODES[template.panel_mode or "docked"]
        self._emit(SESSION_CREATED, {"sessionId": session_id})
        cif.creating = True
        try:
            self._focus(session_id)
        finally:
            cif.creating = False
        self._touch()
        return session_id

    @member("cif.getSession")
    def cif_get_session(self, record: CallRecord, provider: Any, session_id: Any) -> dict[str, Any]:
        """`{sessionId, focused, context?, conversationId}` of one of the caller's sessions (the
        shim hands out a Map with these entries)."""
        owner = self._cif_provider(provider, "getSession")
        text = "The sessionId parameter is null. Provide a value to the parameter"
        session = self._cif_own_session(owner, session_id, text)
        sid = session.session_id
        result: dict[str, Any] = {"sessionId": sid, "focused": sid == self._focused_id}
        if sid in self._cif.contexts:
            result["context"] = self._cif.contexts[sid]
        result["conversationId"] = self._cif.conversations.get(sid)
        return result

    @member("cif.getFocusedSession")
    def cif_get_focused_session(self, record: CallRecord, provider: Any) -> str | None:
        """The focused session's id when it is Home or the caller's, else None."""
        owner = self._cif_provider(provider, "getFocusedSession")
        return self._focused_id if self._cif_focus_allowed(owner) else None

    @member("cif.getAllSessions")
    def cif_get_all_sessions(self, record: CallRecord, provider: Any) -> list[str]:
        """The caller's open sessions in creation order (Home never)."""
        owner = self._cif_provider(provider, "getAllSessions")
        return [sid for sid in self._sessions if self._cif.owners.get(sid) == owner]

    @member("cif.requestFocusSession")
    def cif_request_focus_session(
        self, record: CallRecord, provider: Any, session_id: Any, messages_count: Any = None
    ) -> None:
        """The attention marker on one of the caller's sessions (focus does not move)."""
        owner = self._cif_provider(provider, "requestFocusSession")
        session = self._cif_own_session(owner, session_id, "SessionID is null or undefined")
        if session.session_id != self._focused_id:
            session.notification = True
            self._cif.activity.pop(session.session_id, None)
            self._touch()

    @member("cif.setSessionTitle")
    def cif_set_session_title(self, record: CallRecord, provider: Any, title_input: Any) -> str:
        """The session template's title resolved with `input`'s keys, then the context."""
        method = "setSessionTitle"
        owner = self._cif_provider(provider, method)
        required(title_input, "The input Parameter is blank. Provide a value to the parameter")
        values = as_object(title_input, method, "input")
        target = values.get("sessionId")
        if is_nullish(target):
            if not self._cif_focus_allowed(owner):
                raise cif_error(
                    FORBIDDEN,
                    "Focused session is neither the default session nor it belongs to the provider",
                )
            target = self._focused_id
        session = self._cif_own_session(
            owner, target, "The input Parameter is blank. Provide a value to the parameter"
        )
        template = self.options.templates.sessions.get(session.template_name or "")
        given = {
            k: js_string(v) for k, v in values.items() if k != "sessionId" and not _is_object(v)
        }
        scope = SlugScope(
            {**session.context, **given}, session.anchor.parameters, session.anchor_record, {}
        )
        title = (
            resolve(template.title, scope.lookup) if template and template.title else session.title
        )
        session.title = title
        self._touch()
        return title

    @member("cif.updateContext")
    def cif_update_context(
        self,
        record: CallRecord,
        provider: Any,
        values: Any,
        session_id: Any = None,
        is_delete: Any = None,
    ) -> dict[str, str]:
        """Set (or with `isDelete`, delete the listed keys of) a session's template parameters;
        the parameters after the change."""
        method = "updateContext"
        owner = self._cif_provider(provider, method)
        required(values, "The input parameter is null. Provide a value to the parameter")
        if is_delete is True and isinstance(values, (list, tuple)):
            keys = [k for k in values if isinstance(k, str)]
            items: dict[str, str] = {}
        else:
            given = as_object(values, method, "input")
            keys = list(given)
            items = {k: context_value(v, method, f"input.{k}") for k, v in given.items()}
        target = self._focused_id if is_nullish(session_id) else session_id
        session = self._sessions.get(target) if isinstance(target, str) else None
        if session is None or self._cif.owners.get(session.session_id) != owner:
            raise cif_error(NOT_FOUND, "Please provide valid session id")
        if is_delete is True:
            for key in keys:
                session.context.pop(key, None)
        else:
            session.context.update(items)
        self._touch()
        return dict(session.context)

    # ------------------------------------------------------------------ tabs
    @member("cif.createTab")
    def cif_create_tab(self, record: CallRecord, provider: Any, tab_input: Any) -> str:
        """A tab of an application tab template in the focused session (Home or the caller's);
        unfocused unless `isFocused`."""
        method = "createTab"
        owner = self._cif_provider(provider, method)
        required(tab_input, "Some of the required parameters are Null")
        session = self._cif_require_focus(owner)
        item = as_object(tab_input, method, "input")
        name = item.get("templateName")
        if not isinstance(name, str) or not name.strip():
            raise invalid(
                method, f"input.templateName must be a non-empty string, got {describe(name)}"
            )
        template: TabTemplate | None = _by_name(self.options.templates.tabs, name)
        if template is None:
            raise cif_error(
                NOT_FOUND,
                f"Could not resolve unique name for application tab template: {name[:200]}",
            )
        raw = item.get("templateParameters", item.get("appContext"))
        params = {} if is_nullish(raw) else as_object(raw, method, "input.templateParameters")
        app_context: dict[str, str] = {}
        for key, value in params.items():
            if not _is_object(value):
                app_context[key] = context_value(value, method, f"input.templateParameters.{key}")
        nested = params.get(template.unique_name)
        if _is_object(nested):
            where = f"input.templateParameters.{template.unique_name}"
            for key, value in as_object(nested, method, where).items():
                app_context[key] = context_value(value, method, f"{where}.{key}")
        focused = item.get("isFocused")
        if is_nullish(focused):
            focused = False
        if not isinstance(focused, bool):
            raise invalid(method, f"input.isFocused must be true or false, got {describe(focused)}")
        tab_input_data = {
            "templateName": template.unique_name,
            "appContext": app_context,
            "isFocused": focused,
        }
        tab_id = self._create_tab(record, session.session_id, tab_input_data)
        self._cif.tab_owners[tab_id] = owner
        return tab_id

    @member("cif.getTabs")
    def cif_get_tabs(
        self, record: CallRecord, provider: Any, name: Any = None, tags: Any = None
    ) -> list[str]:
        """Tabs of the focused session: all, by template (unique or display name), else by tags."""
        owner = self._cif_provider(provider, "getTabs")
        session = self._cif_require_focus(owner)
        tabs_table = self.options.templates.tabs
        tabs = list(session.tabs.values())
        templates = {t.tab_id: tabs_table.get(t.template_name or "") for t in tabs}
        if is_nullish(name) and is_nullish(tags):
            return [t.tab_id for t in tabs]
        if isinstance(name, str) and name:
            found = [
                t.tab_id for t in tabs
                if t.template_name == name
                or getattr(templates[t.tab_id], "name", None) == name
            ]  # fmt: skip
            if found or is_nullish(tags):
                return found
        wanted = [tags] if isinstance(tags, str) else tags
        if not isinstance(wanted, (list, tuple)) or not all(isinstance(t, str) for t in wanted):
            raise invalid(
                "getTabs", f"tags must be a string or an array of strings, got {describe(tags)}"
            )
        return [
            t.tab_id for t in tabs
            if set(getattr(templates[t.tab_id], "tags", ())) & set(wanted)
        ]  # fmt: skip

    @member("cif.getFocusedTab")
    def cif_get_focused_tab(self, record: CallRecord, provider: Any) -> str | None:
        """The focused tab of the focused session when that is Home or the caller's, else None."""
        owner = self._cif_provider(provider, "getFocusedTab")
        if not self._cif_focus_allowed(owner):
            return None
        return self._sessions[self._focused_id].focused_tab_id

    @member("cif.focusTab")
    def cif_focus_tab(self, record: CallRecord, provider: Any, tab_id: Any) -> None:
        """Focus a tab of the focused session (Home or the caller's)."""
        owner = self._cif_provider(provider, "focusTab")
        tid = self._cif_tab_of_focused(owner, tab_id, "tabId is null or undefined")
        self._focus(self._focused_id, tid)

    @member("cif.refreshTab")
    def cif_refresh_tab(self, record: CallRecord, provider: Any, tab_id: Any) -> None:
        """Reload a tab of the focused session (Home or the caller's)."""
        owner = self._cif_provider(provider, "refreshTab")
        text = "The tabId Parameter is blank. Provide a value to the parameter"
        self._refresh(self._tabs[self._cif_tab_of_focused(owner, tab_id, text)])

    @member("cif.setTabTitle")
    def cif_set_tab_title(
        self, record: CallRecord, provider: Any, tab_id: Any, title_input: Any
    ) -> str:
        """`input.title` resolved with `input`'s keys; the title."""
        method = "setTabTitle"
        owner = self._cif_provider(provider, method)
        text = "The tabId Parameter is blank. Provide a value to the parameter"
        tid = self._cif_tab_of_focused(owner, tab_id, text)
        required(title_input, "The input Parameter cannot be NULL")
        values = as_object(title_input, method, "input")
        title = values.get("title")
        if not isinstance(title, str):
            raise invalid(method, f"input.title must be a string, got {describe(title)}")
        given = {k: js_string(v) for k, v in values.items() if not _is_object(v)}
        resolved = resolve(title, given.get)
        self._tabs[tid].title = resolved
        self._touch()
        return resolved

    @member("cif.closeTab")
    def cif_close_tab(self, record: CallRecord, provider: Any, tab_id: Any) -> bool:
        """True when it closed, False when refused (an anchor tab)."""
        owner = self._cif_provider(provider, "closeTab")
        text = "The tabId Parameter is blank. Provide a value to the parameter"
        tid = self._cif_tab_of_focused(owner, tab_id, text)
        return self._close_tab_checked(self._tabs[tid], record)

    # ------------------------------------------------------------------ indicators
    @member("cif.notifyNewActivity")
    def cif_notify_new_activity(
        self,
        record: CallRecord,
        provider: Any,
        session_id: Any,
        count: Any = None,
        should_reset: Any = None,
    ) -> None:
        """A badge (count > 0) or a dot (0) on one of the caller's sessions not in focus."""
        method = "notifyNewActivity"
        owner = self._cif_provider(provider, method)
        session = self._cif_own_session(owner, session_id, "SessionID is null or undefined")
        sid = session.session_id
        if should_reset is True:
            if self._cif.activity.pop(sid, None) is not None:
                self._touch()
            return
        if (
            isinstance(count, bool)
            or not isinstance(count, (int, float))
            or count != count
            or count < 0
        ):
            raise invalid(
                method, f"messagesCount must be a number of 0 or more, got {describe(count)}"
            )
        if sid == self._focused_id:
            self._cif_warn(
                record, "notifyNewActivity: the session is in focus; no indicator is shown"
            )
            return
        self._cif.activity[sid] = int(count)
        session.notification = False
        self._touch()

    @member("cif.notifyKpiBreach")
    def cif_notify_kpi_breach(
        self,
        record: CallRecord,
        provider: Any,
        session_id: Any,
        should_reset: Any = None,
        details: Any = None,
    ) -> None:
        """A truthy `shouldReset` shows the KPI breach marker (with `details`); otherwise it
        clears it."""
        owner = self._cif_provider(provider, "notifyKpiBreach")
        session = self._cif_own_session(owner, session_id, "SessionID is null or undefined")
        if should_reset not in (None, False, 0, "") and not is_nullish(should_reset):
            self._cif.kpi[session.session_id] = details if isinstance(details, str) else ""
        else:
            self._cif.kpi.pop(session.session_id, None)
        self._touch()
