"""The page behind the pytest fixtures ``apm_page`` and ``apm_shared_page``: a context and page
running py-apm, its console, and the isolated reset between tests (docs/isolation.md)."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import pytest

from .headless import NotReady, wait_ready

RESET_JS = """(options) => {
  if (!window.PyApm || !PyApm.isReady) return false;
  PyApm.reset(options);
  return true;
}"""


#: The isolated reset, in the page: undo what the last test made (web/isolation.js), then the
#: workspace reset, then mark what follows as the next test's. Returns what needs a reload.
ISOLATE_JS = """async (options) => {
  const guard = window.__pyApmIsolation;
  if (!window.PyApm || !PyApm.isReady) return null;
  if (!guard) return ["the isolation guard is missing"];
  const { dirty } = guard.marked ? await guard.clean() : { dirty: [] };
  if (dirty.length) return dirty;
  PyApm.reset(options);
  guard.mark();
  return [];
}"""


@dataclass(frozen=True)
class ConsoleEntry:
    """One console message (``type`` is ``log``, ``warning``, ``error``, ... or ``pageerror``)."""

    type: str
    text: str


@dataclass
class PageHandle:
    """A context + page running py-apm, and where its console output goes. An ``isolated``
    handle carries the isolation guard and undoes what each test did (see ``isolate``)."""

    context: Any
    page: Any
    url: str
    ready_timeout_ms: int
    console: list[ConsoleEntry] = field(default_factory=list)
    boot_time_ms: float | None = None
    isolated: bool = False
    browser: Any = None
    context_args: dict[str, Any] = field(default_factory=dict)
    crashed: bool = False
    #: What the last ``isolate`` had to do beyond the soft reset ("" when nothing): for tests
    #: and the benchmark.
    renewed: str = ""
    #: ms per phase of the last ``isolate`` (the benchmark reports them).
    timings: dict[str, float] = field(default_factory=dict)
    _page_watch: Any = None
    _context_watch: Any = None
    _viewport: Any = None

    def open_page(self) -> None:
        page = self.context.new_page()
        self.crashed = False
        page.on("console", lambda msg: self.console.append(ConsoleEntry(msg.type, msg.text)))
        page.on("pageerror", lambda err: self.console.append(ConsoleEntry("pageerror", str(err))))
        page.on("crash", self._on_crash)
        self.page = page
        if self.isolated:
            from .isolation import PAGE_EVENTS, Watch

            self._page_watch = Watch(page, PAGE_EVENTS)
            self._viewport = page.viewport_size
        self.load()

    def _on_crash(self, _page: Any) -> None:
        self.crashed = True

    def usable(self) -> bool:
        """Neither closed nor crashed (a crashed page is not "closed" but answers nothing)."""
        return self.page is not None and not self.page.is_closed() and not self.crashed

    def replace_page(self) -> None:
        """A new page in the same context (its HTTP cache makes the boot quicker)."""
        if self.page is not None and not self.page.is_closed():
            try:
                self.page.close()
            except Exception:  # noqa: BLE001 - a crashed page may refuse; a new one follows
                pass
        self.open_page()

    def load(self) -> None:
        started = time.perf_counter()
        self.page.goto(self.url)
        try:
            boot = wait_ready(self.page, self.ready_timeout_ms)
        except NotReady as exc:
            errors = [e.text for e in self.console if e.type in ("error", "pageerror")][-5:]
            detail = f" (console: {' | '.join(errors)})" if errors else ""
            pytest.fail(f"py-apm page did not become ready: {exc}{detail}", False)
        self.boot_time_ms = boot or (time.perf_counter() - started) * 1000

    def reset(self, options: dict[str, Any]) -> None:
        """Reset the workspace; reload (or reopen) the page if a test broke it."""
        for other in list(self.context.pages):
            if other is not self.page:
                other.close()
        if not self.usable():
            self.replace_page()
        elif self.page.url != self.url:
            self.load()
        try:
            done = self.page.evaluate(RESET_JS, options)
        except Exception:  # page crashed or mid-navigation; a real error repeats below
            done = False
        if not done:
            if not self.usable():
                self.replace_page()
            else:
                self.load()
            self.page.evaluate(RESET_JS, options)

    def new_context(self) -> None:
        """(Re)create the context: the guard first, then the page."""
        from .isolation import CONTEXT_EVENTS, Watch, guard_source

        if self.context is not None:
            self.context.close()
        self.context = self.browser.new_context(**self.context_args)
        if self.isolated:
            self.context.add_init_script(guard_source())
            self._context_watch = Watch(self.context, CONTEXT_EVENTS)
        self.page = None
        self.open_page()

    def isolate(self, options: dict[str, Any]) -> None:
        """Undo everything the last test did, then reset the workspace: see docs/isolation.md.
        In place when the guard can; else a reload, a new page or a new context. A page whose
        crash is reported only while this runs (a context-wide call then fails with "crashed")
        is replaced, and the undo runs again on the new one."""
        try:
            self._isolate_once(options)
        except Exception as exc:  # noqa: BLE001 - only a crash is taken back here
            if "crashed" not in str(exc).lower():
                raise
            self.crashed = True
            self._isolate_once(options)

    def _isolate_once(self, options: dict[str, Any]) -> None:
        self.renewed = ""
        self.timings = {}
        clock = [time.perf_counter()]

        def lap(name: str) -> None:
            now = time.perf_counter()
            self.timings[name] = self.timings.get(name, 0.0) + (now - clock[0]) * 1000
            clock[0] = now

        if self._context_watch.lasting:
            self.renewed = "context: " + ", ".join(self._context_watch.lasting)
            self.new_context()
        elif not self.usable() or self._page_watch.lasting:
            lasting = self._page_watch.lasting
            self.renewed = "page: " + (", ".join(lasting) if lasting else "closed or crashed")
            self.replace_page()
        lap("renew")
        for other in list(self.context.pages):
            if other is not self.page:
                other.close()
        self._page_watch.drop_listeners()
        self._context_watch.drop_listeners()
        for owner, watch in ((self.page, self._page_watch), (self.context, self._context_watch)):
            if watch.routes():
                owner.unroute_all(behavior="ignoreErrors")
        lap("pages, listeners, routes")
        self.context.clear_cookies()
        if self._context_watch.permissions:
            self.context.clear_permissions()
            if self.context_args.get("permissions"):
                self.context.grant_permissions(self.context_args["permissions"])
            self.context.set_geolocation(self.context_args.get("geolocation"))
            self._context_watch.permissions = False  # only once undone: a crash above retries it
        if self.page.viewport_size != self._viewport and self._viewport is not None:
            self.page.set_viewport_size(self._viewport)
        lap("cookies, permissions")
        if self.page.url != self.url:
            self.renewed = self.renewed or f"reload: navigated to {self.page.url}"
            self._reload()
        dirty = self._clean(options)
        lap("in-page undo + PyApm.reset")
        if dirty:
            self.renewed = self.renewed or "reload: " + "; ".join(dirty)
            self._reload()
            dirty = self._clean(options)
            lap("reload")
            if dirty:
                pytest.fail(f"py-apm: apm_page could not be made clean: {dirty}", False)
        # A popup opened at the end of the last test may have reached Playwright only now.
        for other in list(self.context.pages):
            if other is not self.page:
                other.close()

    def _reload(self) -> None:
        """Load the workspace again; a new page when this one crashed (its crash event may
        come after the failure that revealed it)."""
        if self.usable():
            try:
                self.load()
                return
            except Exception:  # noqa: BLE001 - Playwright's errors; NotReady fails the test
                pass
        self.replace_page()

    def _clean(self, options: dict[str, Any]) -> list[str]:
        try:
            dirty = self.page.evaluate(ISOLATE_JS, options)
        except Exception as exc:  # noqa: BLE001 - crashed or mid-navigation: renew the page
            return [f"{type(exc).__name__}: {str(exc).splitlines()[0]}"]
        return ["the page is not ready"] if dirty is None else list(dirty)

    def close(self) -> None:
        self.context.close()
