"""What the isolated ``apm_page`` undoes between tests on Playwright's side (CPython only).

The page's side is ``web/isolation.js``, an init script of the fixture's browser context (see
:func:`guard_source`). Here: a :class:`Watch` per Playwright page and context notes the
listeners it had when the fixture made it, and the calls a test made that cannot be undone in
place (an init script, an exposed function, extra headers...): those make the fixture replace
the page, or the context.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from .paths import find_layout

#: Events a test may listen to (Playwright's public ones); listeners added after the fixture
#: made the object are removed before the next test.
PAGE_EVENTS = (
    "close", "console", "crash", "dialog", "domcontentloaded", "download", "filechooser",
    "frameattached", "framedetached", "framenavigated", "load", "pageerror", "popup", "request",
    "requestfailed", "requestfinished", "response", "websocket", "worker",
)  # fmt: skip
CONTEXT_EVENTS = (
    "backgroundpage", "close", "console", "dialog", "page", "request", "requestfailed",
    "requestfinished", "response", "serviceworker", "weberror",
)  # fmt: skip

#: Calls whose effect lasts and that Playwright cannot take back on older versions: after one,
#: the page (or the context) is replaced.
LASTING_CALLS = (
    "add_init_script", "expose_binding", "expose_function", "route_web_socket",
    "set_extra_http_headers", "set_offline", "route_from_har",
)  # fmt: skip
#: Calls undone by clearing the context's permissions and geolocation.
PERMISSION_CALLS = ("grant_permissions", "clear_permissions", "set_geolocation")


@functools.cache
def guard_source() -> str:
    """The page-side guard (``web/isolation.js``)."""
    return (find_layout().web / "isolation.js").read_text("utf-8")


class Watch:
    """One Playwright page or context: its own listeners, and what a test did to it since."""

    def __init__(self, target: Any, events: tuple[str, ...]) -> None:
        self.target = target
        self.events = events
        self.lasting: list[str] = []  # names of lasting calls made by the test
        self.permissions = False
        self._base = {name: set(self._listeners(name)) for name in events}
        for name in LASTING_CALLS:
            self._wrap(name, self.lasting.append)
        for name in PERMISSION_CALLS:
            self._wrap(name, self._permission)

    def _permission(self, _name: str) -> None:
        self.permissions = True

    def _wrap(self, name: str, note: Callable[[str], None]) -> None:
        method = getattr(self.target, name, None)
        if method is None:
            return

        @functools.wraps(method)
        def noted(*args: Any, **kwargs: Any) -> Any:
            note(name)
            return method(*args, **kwargs)

        setattr(self.target, name, noted)

    def _emitter(self) -> Any:
        return getattr(self.target, "_impl_obj", None)

    def _listeners(self, event: str) -> list[Any]:
        emitter = self._emitter()
        if emitter is None:
            return []
        read = getattr(emitter, "raw_listeners", None) or getattr(emitter, "listeners", None)
        return list(read(event)) if read is not None else []

    def drop_listeners(self) -> int:
        """Remove the listeners added since; returns how many."""
        emitter = self._emitter()
        dropped = 0
        for event in self.events:
            for listener in self._listeners(event):
                if listener not in self._base[event]:
                    emitter.remove_listener(event, listener)
                    dropped += 1
        return dropped

    def routes(self) -> bool:
        """Whether a test left routes (True when this Playwright does not say)."""
        impl = self._emitter()
        found = getattr(impl, "_routes", None)
        return found is None or bool(found)
