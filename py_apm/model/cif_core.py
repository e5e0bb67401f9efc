"""The Channel Integration Framework's state and the rules every CIF member shares.

Every `cif.*` member takes the calling provider's name first (the shim knows which panel frame is
calling; the workspace page is provider `default`). Sessions a provider creates are **owned** by
it: events about them go to it alone, and session/tab members refuse other providers' sessions.
Focus changes and closes made by any face or by a click raise the CIF events (`_focus` and
`_close_session` are extended here), so events fire for API calls and clicks alike.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from . import warnings as w
from .core import WorkspaceCore
from .errors import INVALID_ARGUMENT, NOT_FOUND, ApmError, invalid
from .notifications import NotificationQueue
from .providers import DEFAULT_PROVIDER, Provider
from .state import HOME_SESSION_ID, SessionState
from .templates import PANEL_MODES
from .values import describe, is_nullish, js_json

FORBIDDEN = 403
#: The outbox event that carries one CIF event to its provider(s) (`provider` "*" = every one).
CIF_EVENT = "CIF_EVENT"
#: The outbox event that settles a pending `notifyEvent` (`{id, provider, response}`).
CIF_NOTIFICATION = "CIF_NOTIFICATION"

OWNERSHIP = "Focused session is neither the default session nor it belongs to the provider"
ACTIVE_ONLY = "This operation can be performed from the active provider"
NO_PROVIDER = "Associated Provider record not found"
CIF_WARNING = w.CIF_DIFFERS


@dataclass
class CifState:
    """What the CIF adds to a workspace; cleared by `PyApm.reset()`."""

    #: session id -> the provider that created it (with its `input.context`, conversation id)
    owners: dict[str, str] = field(default_factory=dict)
    tab_owners: dict[str, str] = field(default_factory=dict)
    contexts: dict[str, Any] = field(default_factory=dict)
    conversations: dict[str, str | None] = field(default_factory=dict)
    #: the panel's mode while each provider session is focused
    session_modes: dict[str, int] = field(default_factory=dict)
    #: the mode in Home and non-provider sessions (None: `cifPanelOnHome`)
    home_mode: int | None = None
    width: int | None = None
    #: the provider whose frame was shown last (the active provider outside its sessions)
    shown: str | None = None
    presence: str | None = None
    click_to_act: dict[str, bool] = field(default_factory=dict)
    #: session indicators: new-activity count (0 = a dot), KPI breach details
    activity: dict[str, int] = field(default_factory=dict)
    kpi: dict[str, str] = field(default_factory=dict)
    notifications: NotificationQueue = field(default_factory=NotificationQueue)
    #: a handler was registered (or a provider configured): panel-wide events are raised
    listening: bool = False
    #: the session being closed (its onSessionClosed goes before the next switch event)
    closing: str | None = None
    #: createSession is focusing its session: the focused:true event comes after it resolves
    creating: bool = False
    next_record: int = 1


def cif_error(code: int, text: str) -> ApmError:
    """An error whose message is the library's own text (its `msdyn_name` is set by the shim)."""
    return ApmError(code, text)


class CifCore(WorkspaceCore):
    """Provider checks, ownership, the panel's mode and the CIF events."""

    def _clear(self) -> None:
        super()._clear()
        self._cif = CifState()

    # ------------------------------------------------------------------ providers
    def _cif_provider(self, name: Any, method: str) -> str:
        """The calling provider; 403 for a frame that is no configured provider."""
        if name == DEFAULT_PROVIDER:
            return DEFAULT_PROVIDER
        if isinstance(name, str) and self.options.cif.provider(name) is not None:
            return name
        raise cif_error(FORBIDDEN, NO_PROVIDER)

    def _cif_providers(self) -> tuple[Provider, ...]:
        return self.options.cif.providers

    def _cif_live(self) -> bool:
        """Panel-wide events are raised once someone can hear them."""
        return bool(self.options.cif.providers) or self._cif.listening

    def _cif_active(self) -> str | None:
        """The active provider: the focused session's owner, else the one shown last, else the
        first by `order`."""
        owner = self._cif.owners.get(self._focused_id)
        if owner is not None:
            return owner
        providers = self._cif_providers()
        if self._cif.shown is not None and any(p.name == self._cif.shown for p in providers):
            return self._cif.shown
        return providers[0].name if providers else None

    def _cif_require_active(self, provider: str) -> None:
        """403 unless the caller is the active provider (the workspace page always may)."""
        if provider != DEFAULT_PROVIDER and provider != self._cif_active():
            raise cif_error(FORBIDDEN, ACTIVE_ONLY)

    # ------------------------------------------------------------------ ownership
    def _cif_focus_allowed(self, provider: str) -> bool:
        """The focused session is Home or the caller's."""
        focused = self._focused_id
        return focused == HOME_SESSION_ID or self._cif.owners.get(focused) == provider

    def _cif_require_focus(self, provider: str) -> SessionState:
        """The focused session, when it is Home or the caller's; else 403 (the library text)."""
        if not self._cif_focus_allowed(provider):
            raise cif_error(FORBIDDEN, OWNERSHIP)
        return self._sessions[self._focused_id]

    def _cif_own_session(self, provider: str, session_id: Any, empty_text: str) -> SessionState:
        """One of the caller's open sessions (Home is nobody's): 400 `empty_text` when no id
        is given, 404 `Session with ID:<id> does not exist` otherwise."""
        if is_nullish(session_id) or session_id == "":
            raise cif_error(INVALID_ARGUMENT, empty_text)
        if not isinstance(session_id, str):
            raise cif_error(
                INVALID_ARGUMENT, f"sessionId must be a string, got {describe(session_id)}"
            )
        session = self._sessions.get(session_id)
        if session is None or self._cif.owners.get(session_id) != provider:
            raise cif_error(NOT_FOUND, f"Session with ID:{session_id[:200]} does not exist")
        return session

    def _cif_tab_of_focused(self, provider: str, tab_id: Any, empty_text: str) -> str:
        """A tab of the focused session (Home or the caller's)."""
        session = self._cif_require_focus(provider)
        if is_nullish(tab_id) or tab_id == "":
            raise cif_error(INVALID_ARGUMENT, empty_text)
        if not isinstance(tab_id, str):
            raise cif_error(INVALID_ARGUMENT, f"tabId must be a string, got {describe(tab_id)}")
        if tab_id not in session.tabs:
            raise cif_error(NOT_FOUND, f"Tab with ID:{tab_id[:200]} does not exist")
        return tab_id

    # ------------------------------------------------------------------ the panel
    def _cif_home_mode(self) -> int:
        if self._cif.home_mode is not None:
            return self._cif.home_mode
        return PANEL_MODES[self.options.cif.panel_on_home]

    def _cif_mode(self) -> int:
        """The panel's mode now: the focused provider session's, else Home's."""
        mode = self._cif.session_modes.get(self._focused_id)
        return self._cif_home_mode() if mode is None else mode

    def _cif_width(self) -> int:
        if self._cif.width is not None:
            return self._cif.width
        providers = self._cif_providers()
        return providers[0].width if providers else 378

    def _cif_set_mode(self, mode: int) -> None:
        """Set the mode where it is kept (the focused provider session, or Home's)."""
        before = self._cif_mode()
        if self._focused_id in self._cif.session_modes:
            self._cif.session_modes[self._focused_id] = mode
        else:
            self._cif.home_mode = mode
        if mode != before:
            self._cif_event("*", "onmodechanged", {"value": mode})
        self._touch()

    def _cif_set_width(self, width: int) -> None:
        changed = width != self._cif_width()
        self._cif.width = width
        if changed:
            self._cif_event("*", "onsizechanged", {"value": width})
        self._touch()

    # ------------------------------------------------------------------ events
    def _cif_event(
        self, provider: str, name: str, payload: dict[str, Any], later: bool = False
    ) -> None:
        """One CIF event for a provider (or "*": every provider and the page): its payload
        is the JSON text handlers get."""
        if provider == "*" and not self._cif_live():
            return
        self._emit(
            CIF_EVENT,
            {
                "provider": provider,
                "name": name,
                "payload": js_json(payload),
                "later": "1" if later else None,
            },
        )

    def _cif_switch_payload(self, session_id: str, focused: bool) -> dict[str, Any]:
        payload: dict[str, Any] = {"sessionId": session_id, "focused": focused}
        if session_id in self._cif.contexts:
            payload["context"] = self._cif.contexts[session_id]
        return payload

    def _focus(
        self, session_id: str, tab_id: str | None = None, previous: tuple[str, str] | None = None
    ) -> None:
        cif = self._cif
        before = self._focused_id
        before_session = self._sessions.get(before)
        before_tab = (
            previous[1] if previous else (before_session.focused_tab_id if before_session else None)
        )
        mode_before = self._cif_mode()
        super()._focus(session_id, tab_id, previous)
        if cif.closing is not None:
            self._cif_closed(cif.closing)
        owners = cif.owners
        if session_id != before:
            if before in owners and before in self._sessions:
                self._cif_event(
                    owners[before], "onSessionSwitched", self._cif_switch_payload(before, False)
                )
            if session_id in owners:
                owner = owners[session_id]
                cif.shown = owner
                payload = self._cif_switch_payload(session_id, True)
                self._cif_event(owner, "onSessionSwitched", payload, later=cif.creating)
            cif.activity.pop(session_id, None)
        mode = self._cif_mode()
        if mode != mode_before:
            self._cif_event("*", "onmodechanged", {"value": mode})
        session = self._sessions[session_id]
        if (session_id, session.focused_tab_id) != (before, before_tab) and self._cif_live():
            self._cif_event("*", "onpagenavigate", {"value": self._cif_page_url(session_id)})

    def _cif_page_url(self, session_id: str) -> str:
        """The UCI URL of the visible tab's page (what `onpagenavigate` carries)."""
        from urllib.parse import quote

        env = self.options.cif.environment
        session = self._sessions[session_id]
        tab = session.tabs[session.focused_tab_id]
        url = f"{env['clientUrl']}/main.aspx?appid={env['appid']}&pagetype={tab.page_type}"
        entity = tab.parameters.get("entityName", "")
        if entity:
            url += f"&etn={quote(entity)}"
        if tab.parameters.get("entityId", "").strip():
            url += f"&id={quote(tab.parameters['entityId'].strip().strip('{}'))}"
        return url

    def _cif_closed(self, session_id: str) -> None:
        """onSessionClosed to the owner of a session being closed (once)."""
        self._cif.closing = None
        owner = self._cif.owners.get(session_id)
        if owner is not None:
            payload: dict[str, Any] = {"sessionId": session_id}
            if session_id in self._cif.contexts:
                payload["context"] = self._cif.contexts[session_id]
            self._cif_event(owner, "onSessionClosed", payload)

    def _close_session(self, session: SessionState) -> None:
        cif = self._cif
        session_id = session.session_id
        cif.closing = session_id
        super()._close_session(session)
        if cif.closing == session_id:  # not focused: no switch followed
            self._cif_closed(session_id)
        for table in (
            cif.owners,
            cif.contexts,
            cif.conversations,
            cif.session_modes,
            cif.activity,
            cif.kpi,
        ):
            table.pop(session_id, None)
        for tab_id in [t for t, _ in cif.tab_owners.items() if t not in self._tabs]:
            del cif.tab_owners[tab_id]

    # ------------------------------------------------------------------ arguments
    def _cif_warn(self, record: Any, text: str) -> None:
        self._warn(record, text, CIF_WARNING)


def required(value: Any, text: str) -> Any:
    """`value`, or the library's 400 text when it is null, undefined or ""."""
    if is_nullish(value) or value == "":
        raise cif_error(INVALID_ARGUMENT, text)
    return value


def require_text(value: Any, method: str, name: str, empty_text: str) -> str:
    """A required string argument: the library text when missing, a 400 naming it when not a
    string."""
    required(value, empty_text)
    if not isinstance(value, str):
        raise invalid(method, f"{name} must be a string, got {describe(value)}")
    return value
