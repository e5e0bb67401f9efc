"""`Microsoft.Apm` itself: the module members (sessions, tabs of the focused session, topics)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from .calllog import CallRecord
from .core import WorkspaceCore
from .errors import invalid
from .events import EVENT_NAMES, topic_for
from .inputs import require_string
from .members import member
from .state import MAX_SESSIONS
from .views import Session

if TYPE_CHECKING:
    from .workspace import Workspace


class ApmMembers(WorkspaceCore):
    """The members of `Microsoft.Apm`, on plain ids (session/tab objects are built by callers)."""

    @member("getFocusedSession", log="note")
    def apm_get_focused_session(self) -> str:
        """The id of the focused session."""
        return self._focused_id

    @member("getAllSessions", log="note")
    def apm_get_all_sessions(self) -> list[str]:
        """Session ids: Home first, then creation order."""
        return list(self._sessions)

    @member("getSession")
    def apm_get_session(self, record: CallRecord, session_id: Any) -> str | None:
        """The id when that session is open, else None (JS null)."""
        require_string(session_id, record.method, "sessionId")
        return session_id if session_id in self._sessions else None

    @member("createSession")
    def apm_create_session(self, record: CallRecord, session_input: Any) -> str:
        """A session from a SessionInput; its id."""
        return self._create_session(record, session_input)

    @member("canCreateSession", log="note")
    def apm_can_create_session(self) -> bool:
        """Fewer than 10 sessions, Home included."""
        return len(self._sessions) < MAX_SESSIONS

    @member("createTab")
    def apm_create_tab(self, record: CallRecord, tab_input: Any) -> str:
        """A tab from an AppTabInput in the focused session; its id."""
        return self._create_tab(record, self._focused_id, tab_input)

    @member("closeTab")
    def apm_close_tab(self, record: CallRecord, tab_id: Any) -> bool:
        """Close a tab of the focused session (anchor tabs are refused); True when it closed,
        False when it was refused."""
        return self._close_tab_checked(self._focused_tab_of_session(tab_id, record.method), record)

    @member("focusTab")
    def apm_focus_tab(self, record: CallRecord, tab_id: Any) -> None:
        """Focus a tab of the focused session."""
        tab = self._focused_tab_of_session(tab_id, record.method)
        self._focus(tab.session_id, tab.tab_id)

    @member("refreshTab")
    def apm_refresh_tab(self, record: CallRecord, tab_id: Any) -> None:
        """Reload a tab of the focused session."""
        self._refresh(self._focused_tab_of_session(tab_id, record.method))

    @member("getEventPublisherTopic")
    def apm_get_event_publisher_topic(self, record: CallRecord, event_name: Any) -> str:
        """The BroadcastChannel name of an event."""
        name = require_string(event_name, record.method, "eventName")
        if name not in EVENT_NAMES:
            raise invalid(
                record.method, f"unknown event name '{name}' (known: {', '.join(EVENT_NAMES)})"
            )
        topic = topic_for(self.workspace_id, name)
        self._history.topics.add(topic)  # only handed-out topics are posted (the timeline says)
        return topic

    # The native Python API: the members under their Python names; `get_session` and
    # `get_focused_session` hand out Session objects, as the JS members do.
    get_all_sessions = apm_get_all_sessions
    create_session = apm_create_session
    can_create_session = apm_can_create_session
    create_tab = apm_create_tab
    close_tab = apm_close_tab
    focus_tab = apm_focus_tab
    refresh_tab = apm_refresh_tab
    get_event_publisher_topic = apm_get_event_publisher_topic

    def get_focused_session(self) -> Session:
        return Session(cast("Workspace", self), self.apm_get_focused_session())

    def get_session(self, session_id: Any) -> Session | None:
        found = self.apm_get_session(session_id)
        return Session(cast("Workspace", self), found) if found is not None else None
