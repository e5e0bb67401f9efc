"""Workspace events: names, per-workspace topics and the records the shim publishes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

ON_SESSION_SWITCH = "ON_SESSION_SWITCH"
ON_SESSION_CLOSED = "ON_SESSION_CLOSED"
ON_TAB_SWITCH = "ON_TAB_SWITCH"
EVENT_NAMES = (ON_SESSION_SWITCH, ON_SESSION_CLOSED, ON_TAB_SWITCH)


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
