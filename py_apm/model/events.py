"""Workspace events: names, per-workspace topics and the records the shim publishes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

ON_SESSION_SWITCH = "ON_SESSION_SWITCH"
ON_SESSION_CLOSED = "ON_SESSION_CLOSED"
ON_TAB_SWITCH = "ON_TAB_SWITCH"
EVENT_NAMES = (ON_SESSION_SWITCH, ON_SESSION_CLOSED, ON_TAB_SWITCH)
# Lifecycle events: no publisher topic hands them out (getEventPublisherTopic refuses them), so
# they never reach a BroadcastChannel; the shim fires the handler events of
# Microsoft.AppRuntime.Sessions and Xrm.App.sessions from them, in outbox order.
SESSION_CREATED = "SESSION_CREATED"
TAB_CREATED = "TAB_CREATED"
TAB_CLOSED = "TAB_CLOSED"


def topic_for(workspace_id: str, event_name: str) -> str:
    """The BroadcastChannel name of an event in one workspace."""
    return f"py-apm.{workspace_id}.{event_name}"


@dataclass(slots=True)  # not frozen: a frozen __init__ costs 3x, and this is made per call
class Event:
    """One published event: its name, its channel topic and the documented `data`."""

    name: str
    topic: str
    data: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "topic": self.topic, "data": dict(self.data)}
