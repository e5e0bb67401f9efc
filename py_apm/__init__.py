"""py-apm: an offline emulator of the Dynamics 365 `Microsoft.Apm` JavaScript API."""

from __future__ import annotations

__version__ = "0.1.0"

from .errors import ApmError  # noqa: E402
from .values import JS_NULL, JsMap, JsOpaque  # noqa: E402
from .views import Context, Session, Tab  # noqa: E402
from .workspace import Workspace  # noqa: E402

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
