"""The workspace's state: sessions and tabs as plain dataclasses (no behaviour beyond MRU)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

HOME_SESSION_ID = "session-id-0"
HOME_TAB_ID = "tab-id-0"
MAX_SESSIONS = 10
MAX_TABS = 10


@dataclass
class TabState:
    """One application tab."""

    tab_id: str
    session_id: str
    title: str
    page_type: str
    template_name: str | None
    parameters: dict[str, str]
    url: str | None = None
    can_close: bool = True
    is_anchor: bool = False
    refresh_count: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "tabId": self.tab_id,
            "title": self.title,
            "canClose": self.can_close,
            "isAnchor": self.is_anchor,
            "templateName": self.template_name,
            "pageType": self.page_type,
            "parameters": dict(self.parameters),
            "url": self.url,
            "refreshCount": self.refresh_count,
        }


@dataclass
class SessionState:
    """One session: its tabs in strip order, its focus history, its context."""

    session_id: str
    title: str
    template_name: str | None
    tabs: dict[str, TabState]
    is_default: bool = False
    can_close: bool = True
    notification: bool = False
    context: dict[str, str] = field(default_factory=dict)
    anchor_record: dict[str, Any] = field(default_factory=dict)
    tab_mru: list[str] = field(default_factory=list)

    @property
    def anchor(self) -> TabState:
        return next(iter(self.tabs.values()))

    @property
    def focused_tab_id(self) -> str:
        return self.tab_mru[-1]

    def focus_tab(self, tab_id: str) -> None:
        """Make `tab_id` the most recently focused tab."""
        if self.tab_mru and self.tab_mru[-1] == tab_id:
            return
        if tab_id in self.tab_mru:
            self.tab_mru.remove(tab_id)
        self.tab_mru.append(tab_id)

    def remove_tab(self, tab_id: str) -> None:
        del self.tabs[tab_id]
        if tab_id in self.tab_mru:
            self.tab_mru.remove(tab_id)

    def to_dict(self) -> dict[str, Any]:
        return {
            "sessionId": self.session_id,
            "title": self.title,
            "isDefault": self.is_default,
            "canClose": self.can_close,
            "templateName": self.template_name,
            "focusedTabId": self.focused_tab_id,
            "anchorTabId": self.anchor.tab_id,
            "notification": self.notification,
            "context": dict(self.context),
            "tabs": [t.to_dict() for t in self.tabs.values()],
        }


def home_session() -> SessionState:
    """The Home session with its dashboard tab."""
    tab = TabState(
        HOME_TAB_ID,
        HOME_SESSION_ID,
        "Dashboard",
        "dashboard",
        None,
        {},
        can_close=False,
        is_anchor=True,
    )
    return SessionState(
        HOME_SESSION_ID,
        "Home",
        None,
        {HOME_TAB_ID: tab},
        is_default=True,
        can_close=False,
        tab_mru=[HOME_TAB_ID],
    )
