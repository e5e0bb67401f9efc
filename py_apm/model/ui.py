"""Clicks in the workspace page (`PyApm.ui.*`): the session panel and the tab strip.

A click goes through the same model as the API and is logged with origin "ui"; unlike the API, it
respects a hidden close button (`canClose = false`).
"""

from __future__ import annotations

from typing import Any

from .calllog import CallRecord
from .core import WorkspaceCore
from .members import member


class UiMembers(WorkspaceCore):
    """What a click in the page does."""

    @member("ui.focusSession", origin="ui")
    def ui_focus_session(self, record: CallRecord, session_id: Any) -> None:
        self._focus(self._session(session_id, record.method).session_id)

    @member("ui.closeSession", origin="ui")
    def ui_close_session(self, record: CallRecord, session_id: Any) -> bool:
        return self._close_session_checked(record, session_id, ui=True)

    @member("ui.focusTab", origin="ui")
    def ui_focus_tab(self, record: CallRecord, tab_id: Any) -> None:
        tab = self._tab(tab_id, record.method)
        self._focus(tab.session_id, tab.tab_id)

    @member("ui.closeTab", origin="ui")
    def ui_close_tab(self, record: CallRecord, tab_id: Any) -> bool:
        return self._close_tab_checked(self._tab(tab_id, record.method), record, ui=True)
