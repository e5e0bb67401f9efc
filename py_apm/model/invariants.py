"""The workspace invariants, checked on `PyApm.state()` data (works for either backend)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from .state import HOME_SESSION_ID, HOME_TAB_ID, MAX_SESSIONS, MAX_TABS

SESSION_ID = re.compile(r"^session-id-(\d+)$")
TAB_ID = re.compile(r"^tab-id-(\d+)$")


class InvariantError(AssertionError):
    """A workspace state that breaks an invariant."""


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise InvariantError(message)


def check_state(state: dict[str, Any]) -> None:
    """Raise InvariantError when `state` breaks a rule that must always hold."""
    sessions = state["sessions"]
    _require(1 <= len(sessions) <= MAX_SESSIONS, f"{len(sessions)} sessions (1..{MAX_SESSIONS})")
    home = sessions[0]
    _require(home["sessionId"] == HOME_SESSION_ID, "Home is not the first session")
    _require(home["isDefault"] and home["title"] == "Home", "Home lost isDefault or its title")
    _require(home["canClose"] is False, "Home became closable")
    _require(home["tabs"][0]["tabId"] == HOME_TAB_ID, "Home lost its anchor tab")
    ids = [s["sessionId"] for s in sessions]
    _require(len(set(ids)) == len(ids), f"duplicate session ids {ids}")
    _require(all(SESSION_ID.match(i) for i in ids), f"malformed session ids {ids}")
    _require(sum(not s["isDefault"] for s in sessions) == len(sessions) - 1, "isDefault off Home")
    _require(state["focusedSessionId"] in ids, "the focused session is not open")
    all_tabs: list[str] = []
    for session in sessions:
        tabs = session["tabs"]
        sid = session["sessionId"]
        _require(1 <= len(tabs) <= MAX_TABS, f"{sid} has {len(tabs)} tabs (1..{MAX_TABS})")
        _require(tabs[0]["isAnchor"] and tabs[0]["canClose"] is False, f"{sid}: bad anchor tab")
        _require(session["anchorTabId"] == tabs[0]["tabId"], f"{sid}: anchorTabId is not first")
        _require(not any(t["isAnchor"] for t in tabs[1:]), f"{sid}: a second anchor tab")
        tab_ids = [t["tabId"] for t in tabs]
        _require(session["focusedTabId"] in tab_ids, f"{sid}: focused tab not in the session")
        _require(all(TAB_ID.match(t) for t in tab_ids), f"{sid}: malformed tab ids {tab_ids}")
        all_tabs.extend(tab_ids)
    _require(len(set(all_tabs)) == len(all_tabs), f"duplicate tab ids {all_tabs}")
    focused = next(s for s in sessions if s["sessionId"] == state["focusedSessionId"])
    _require(not focused["notification"], "the focused session shows a notification indicator")


@dataclass
class IdHistory:
    """Checks across states that ids are never reused before a reset."""

    closed: set[str] = field(default_factory=set)
    open: set[str] = field(default_factory=set)

    def observe(self, state: dict[str, Any]) -> None:
        now = {s["sessionId"] for s in state["sessions"]} | {
            t["tabId"] for s in state["sessions"] for t in s["tabs"]
        }
        reused = now & self.closed
        _require(not reused, f"ids reused after closing: {sorted(reused)}")
        self.closed |= self.open - now
        self.open = now

    def forget(self) -> None:
        """After `reset()` ids start again."""
        self.closed.clear()
        self.open.clear()
