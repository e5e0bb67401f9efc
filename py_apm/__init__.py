"""py-apm: an offline emulator of the Dynamics 365 `Microsoft.Apm` JavaScript API."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .model.version import __version__

if TYPE_CHECKING:
    from .model.errors import ApmError
    from .model.values import JS_NULL, JsMap, JsOpaque
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

# Imported on first use: `py-apm run` (warm) and the other commands start without loading the
# emulator they hand their work to.
_LAZY = {
    "ApmError": "errors",
    "JS_NULL": "values",
    "JsMap": "values",
    "JsOpaque": "values",
    "Context": "views",
    "Session": "views",
    "Tab": "views",
    "Workspace": "workspace",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'py_apm' has no attribute {name!r}")
    from importlib import import_module

    value = getattr(import_module(f".model.{module}", __name__), name)
    globals()[name] = value
    return value
