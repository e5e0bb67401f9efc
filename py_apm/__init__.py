"""py-apm: an offline emulator of the Dynamics 365 `Microsoft.Apm` JavaScript API."""

from __future__ import annotations

from .model.errors import ApmError
from .model.values import JS_NULL, JsMap, JsOpaque
from .model.version import __version__
from .model.views import Context, Session, Tab
from .model.workspace import Workspace

__all__ = [
    "JS_NULL",
    "ApmError",
    "Context",
    "JsMap",
    "JsOpaque",
    "Session",
    "Tab",
    "Workspace",
    "__version__",
]
