"""Tab objects: the members of what `session.getTab(id)` / `getFocusedTab()` hand out.

On the wire every member takes the tab id first. Unlike `closeTab`/`focusTab` of
`Microsoft.Apm`, which act on the focused session only, a tab object acts wherever its tab is.
"""

from __future__ import annotations

from typing import Any

from .calllog import CallRecord
from .core import ANCHOR_NOT_CLOSABLE, WorkspaceCore
from .inputs import require_string
from .members import member


class TabMembers(WorkspaceCore):
    """The members of a tab object."""

    @member("tab.getTitle", label="tab.title", log="none")
    def tab_get_title(self, tab_id: Any) -> str:
        tab = self._tabs.get(tab_id) if isinstance(tab_id, str) else None
        return (tab or self._tab(tab_id, "tab.title")).title

    @member("tab.setTitle", label="tab.title")
    def tab_set_title(self, record: CallRecord, tab_id: Any, title: Any) -> None:
        tab = self._tab(tab_id, record.method)
        tab.title = require_string(title, record.method, "title")
        self._touch()

    @member("tab.getCanClose", label="tab.canClose", log="none")
    def tab_get_can_close(self, tab_id: Any) -> bool:
        return self._tab(tab_id, "tab.canClose").can_close

    @member("tab.setCanClose", label="tab.canClose")
    def tab_set_can_close(self, record: CallRecord, tab_id: Any, value: Any) -> None:
        tab = self._tab(tab_id, record.method)
        self._set_can_close(record, tab, value, ANCHOR_NOT_CLOSABLE if tab.is_anchor else None)

    @member("tab.close")
    def tab_close(self, record: CallRecord, tab_id: Any) -> bool:
        """Close this tab wherever it is (anchor tabs are refused); True when it closed."""
        return self._close_tab_checked(self._tab(tab_id, record.method), record)

    @member("tab.focus")
    def tab_focus(self, record: CallRecord, tab_id: Any) -> None:
        """Focus this tab (and its session when that is in the background)."""
        tab = self._tab(tab_id, record.method)
        self._focus(tab.session_id, tab.tab_id)

    @member("tab.refresh")
    def tab_refresh(self, record: CallRecord, tab_id: Any) -> None:
        self._refresh(self._tab(tab_id, record.method))
