"""The one lifecycle of a `py-apm run` script, cold or warm: take a booted page, run the script,
settle, collect, then clear the page for a later script or throw its browser context away.

A cold run (``runner.py``) and the warm helper (``run_helper.py``) differ only in who owns the
browser and how long: both run every script through :func:`run_request` on :class:`Pages`.

Between scripts a page gets the isolated reset of the ``apm_page`` fixture (docs/isolation.md):
the isolation guard (``web/isolation.js``, an init script of every run context) undoes what the
script made in the page (timers, listeners, channels, globals, storage...), then
``PyApm.reset``: tens of milliseconds instead of a boot. The script runs in a block, so its
top-level ``let``/``const``/``class`` stay its own (``run_js.py``). What the guard cannot undo
(a top-level ``var`` or function, a name left in the global lexical scope, a navigation) costs a
reload. A page is reused at all only when nothing of the run can still act on it: the run opened
no other window, left no worker and no request in flight. Otherwise its whole browser context is
closed (which ends everything the run started) and a new context boots the next page: a popup
that keeps a timer on ``opener`` cannot reach a later run.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .headless import READY_JS
from .isolation import guard_source
from .run_js import CLEAR_PAGE_JS, COLLECT_JS, MARK_JS, RESET_JS, RUN_JS
from .scriptlimit import BOOT_TIMEOUT_S, LOADED, run_with_limit
from .settle import QUIET_MS, SETTLE_JS, TRACK_INIT_JS

if TYPE_CHECKING:
    from playwright.async_api import Browser, Page

VIEWPORT = {"width": 1366, "height": 800}
#: Runs a page serves (cleared and reloaded between them) before a new context replaces it.
RUNS_PER_PAGE = 50
#: Seconds a page may take to be cleared for its next run before a new context replaces it.
CLEAR_TIMEOUT_S = 5.0
#: Seconds the page may take to answer the wait after a script (beyond ``--wait``) and the
#: collection, before what holds it is stopped.
ANSWER_S = 5.0
#: Seconds a page may take to answer between runs (a trivial evaluation) before what holds it is
#: stopped; the run that left it so then loses its page.
STUCK_S = 1.0
#: A run whose page has not answered this long after its script's own limit (``--timeout``,
#: past which the script is stopped) loses its page.
RUN_GRACE_S = 30.0

Progress = Callable[[str], None]
Booting = asyncio.Future[str | None]  # a page's boot: an error message, or None once booted


class _Left(Exception):
    """Something of the last run may still act on its page."""


class RunFailed(Exception):
    """py-apm could not run the script (boot failure, crash...); one line for the user."""


def console_entry(msg: Any) -> dict[str, str]:
    """A Playwright console message as a run reports it (a failed load names its URL)."""
    kind = "warn" if msg.type == "warning" else msg.type
    text = msg.text
    where = (msg.location or {}).get("url") or ""
    if text.startswith("Failed to load resource") and where:
        text = f"{text}: {where}"
    return {"type": kind, "text": text}


def crash_message(name: str) -> str:
    """The one line a run prints when the page crashed under a script."""
    return (
        f"{name}: the workspace page crashed (out of memory, or its renderer was killed); "
        "nothing of this script could be collected"
    )


@dataclass
class Slot:
    """A page (None while it opens), its boot (resolves to an error message or None), the
    console lines of the current run, and what the run left behind."""

    page: Page | None = None
    cdp: Any = None  # a CDP session opened while the page was idle: it can stop a stuck script
    boot: asyncio.Future[str | None] | None = None
    console: list[dict[str, str]] = field(default_factory=list)
    capturing: bool = False
    runs: int = 0
    windows: int = 0  # windows opened in the page's context since it booted
    crashed: bool = False
    answer: Any = None  # the value of the last `_answer`
    lexical: frozenset[str] = frozenset()  # the global lexical scope's names after the boot
    # The workspace revision after the boot, and when the current run started: a reset page's
    # revision goes on growing, and a run reports it as a fresh page would.
    fresh_revision: int = 0
    start_revision: int = 0


class Pages:
    """The booted pages of one server (one ``--config`` / ``--webresources`` combination).

    ``pool`` pages are kept booted. One is enough for back-to-back runs: a run's page is cleared
    in place for the next in tens of milliseconds. A run that finds every page taken (runs at
    once) or left unusable (windows it opened) waits for a boot: a second page booted ahead for
    that case would cost every helper a boot, and a renderer's memory for as long as it lives."""

    def __init__(self, browser: Browser, config: str | None, web: str | None, pool: int = 1):
        from .server import serve

        self.browser = browser
        self.config = config
        self.pool_size = pool
        self.server, self.url = serve("127.0.0.1", port=0, webresources=web, config=config)
        # The in-place reset's options: what a reload would configure from /config.json.
        configured = json.loads(Path(config).read_text("utf-8")) if config else {}
        self.options = {"restoreDefaults": True, **configured}
        #: How pages were made ready, counted (``boot``, ``reset``, ``reload``): for tests.
        self.counts: dict[str, int] = {}
        self.pool: list[Slot] = []
        self.in_use = 0
        self.closing: set[asyncio.Future[None]] = set()
        self.last_boot: Booting | None = None

    async def _boot(self, slot: Slot) -> str | None:
        from playwright.async_api import Error as PlaywrightError

        try:
            how = "boot"
            if slot.page is not None:
                try:
                    how = "reset"
                    if await asyncio.wait_for(self._reset(slot), CLEAR_TIMEOUT_S):
                        self._count(how)
                        return None
                    how = "reload"
                    await asyncio.wait_for(self._clear_origin(slot), CLEAR_TIMEOUT_S)
                    await asyncio.wait_for(slot.page.reload(), BOOT_TIMEOUT_S)
                except (PlaywrightError, TimeoutError, _Left):
                    # A page that won't be cleared, or that something of the last run can
                    # still act on: a new context.
                    how = "boot"
                    await self._close(slot, keep_boot=True)
                    slot.page = slot.cdp = None
            if slot.page is None:
                await self._open(slot)
                assert slot.page is not None
                await slot.page.goto(self.url)
            result = await slot.page.evaluate(READY_JS, int(BOOT_TIMEOUT_S * 1000))
            if result.get("ok"):
                slot.fresh_revision = slot.start_revision = await slot.page.evaluate(MARK_JS)
            # Opened while the page is idle: it can still stop a script that never returns.
            if slot.cdp is None:
                slot.cdp = await slot.page.context.new_cdp_session(slot.page)
            slot.lexical = await _lexical_names(slot)
        except PlaywrightError as exc:
            return f"the workspace page did not load py-apm: {exc.message}"
        slot.windows = 0
        if not result.get("ok"):
            return f"py-apm did not start: {result.get('error')}"
        self._count(how)
        return None

    def _count(self, how: str) -> None:
        self.counts[how] = self.counts.get(how, 0) + 1

    async def _open(self, slot: Slot) -> None:
        """A page in a browser context of its own: no storage, cache or channel is shared with
        the pages other runs use. The isolation guard runs first in it."""
        context = await self.browser.new_context(viewport=VIEWPORT)  # type: ignore[arg-type]
        await context.add_init_script(TRACK_INIT_JS)  # first: the guard wraps its wrappers
        await context.add_init_script(guard_source())
        slot.page = page = await context.new_page()
        slot.crashed = False

        def opened(_other: Any) -> None:
            slot.windows += 1

        def crashed(_page: Any) -> None:
            slot.crashed = True

        context.on("page", opened)
        page.on("crash", crashed)
        if self.config is None:
            # No --config means no options (not a 404 for /config.json).
            await page.route("**/config.json", lambda r: r.fulfill(json={}))

        def console(msg: Any) -> None:
            if slot.capturing and msg.text != LOADED:
                slot.console.append(console_entry(msg))

        page.on("console", console)

    async def _reset(self, slot: Slot) -> bool:
        """Undo what the last run left, in place when the guard can: True when the page is
        ready for the next run, False when it needs a reload (a top-level ``var`` or function,
        a name left in the global lexical scope, a navigation, a request in flight). Raises
        :class:`_Left` when the page must not be reused: the run opened a window or started a
        worker (they outlive a reload)."""
        page = slot.page
        assert page is not None
        # A page that does not answer is held by something the run left running (a loop in a
        # timer...): that is stopped so that it answers.
        await _answer(slot, CLEAR_PAGE_JS, None, STUCK_S)
        if slot.windows or len(page.context.pages) > 1 or page.workers:
            raise _Left
        await page.context.clear_cookies()
        if page.url != self.url or not (await _lexical_names(slot)) <= slot.lexical:
            return False
        done = await page.evaluate(RESET_JS, self.options)
        if done["dirty"]:
            return False
        await page.context.clear_cookies()  # again: the script could set some until RESET_JS
        slot.start_revision = done["revision"]
        return True

    async def _clear_origin(self, slot: Slot) -> None:
        """Before a reload: the origin's storage (a reload keeps it)."""
        assert slot.cdp is not None
        origin = self.url.rstrip("/")
        await slot.cdp.send("Storage.clearDataForOrigin", {"origin": origin, "storageTypes": "all"})

    def _booting(self) -> Slot:
        """A new page whose boot starts once the page booting before it is done: two pages
        booting at once would each take twice as long, and the first run waits for one."""
        slot = Slot()
        slot.boot = asyncio.ensure_future(self._boot_after(self.last_boot, slot))
        self.last_boot = slot.boot
        return slot

    async def _boot_after(self, before: Booting | None, slot: Slot) -> str | None:
        if before is not None and not before.done():
            await asyncio.wait({before})
        return await self._boot(slot)

    def warm_up(self) -> None:
        """Start booting pages until the pool is full."""
        while len(self.pool) < self.pool_size:
            self.pool.append(self._booting())

    def _pick(self) -> Slot:
        """A booted page if there is one (replacing pages whose boot failed), else the page that
        started booting first, else a new one."""
        for slot in list(self.pool):
            if slot.boot is not None and slot.boot.done():
                self.pool.remove(slot)
                if not slot.boot.cancelled() and slot.boot.result() is None:
                    return slot
                self._close_later(slot)
                self.pool.append(self._booting())
        return self.pool.pop(0) if self.pool else self._booting()

    async def take(self, timeout_s: float, progress: Progress) -> Slot:
        """A page that has just booted (waiting at most ``timeout_s`` for one)."""
        slot = self._pick()
        assert slot.boot is not None
        self.in_use += 1
        try:
            if not slot.boot.done():
                progress("booting the workspace page (Pyodide)")
            try:
                error = await asyncio.wait_for(asyncio.shield(slot.boot), timeout_s)
            except TimeoutError:
                error = f"py-apm did not start: PyApm.ready did not resolve within {timeout_s:g} s"
            if error:
                await self._close(slot)
                raise RunFailed(error)
        except BaseException:
            self.in_use -= 1
            raise
        return slot

    def done_with(self, slot: Slot, reuse: bool, refill: bool = True) -> None:
        """A page serves one run at a time. After a run that ended normally and left nothing
        behind it is cleared and reloaded for a later one (half the work of a new context's
        boot); otherwise, or after :data:`RUNS_PER_PAGE` runs, its context is closed and (with
        ``refill``) a new one boots."""
        self.in_use -= 1
        slot.runs += 1
        if refill and reuse and slot.runs < RUNS_PER_PAGE and len(self.pool) < self.pool_size:
            slot.boot = asyncio.ensure_future(self._boot(slot))
            self.pool.append(slot)
            return
        self._close_later(slot)
        if refill:
            self.warm_up()

    def _close_later(self, slot: Slot) -> None:
        task = asyncio.ensure_future(self._close(slot))
        self.closing.add(task)
        task.add_done_callback(self.closing.discard)

    @staticmethod
    async def _close(slot: Slot, keep_boot: bool = False) -> None:
        from playwright.async_api import Error as PlaywrightError

        if not keep_boot and slot.boot is not None and not slot.boot.done():
            slot.boot.cancel()
        if slot.page is not None:
            try:
                await asyncio.wait_for(slot.page.context.close(), CLEAR_TIMEOUT_S)
            except (PlaywrightError, TimeoutError):
                pass  # the browser goes with its process in the end

    async def close(self) -> None:
        for slot in self.pool:
            await self._close(slot)
        self.pool.clear()
        if self.closing:
            await asyncio.wait(list(self.closing), timeout=CLEAR_TIMEOUT_S)
        self.server.stop()


async def run_on(
    slot: Slot, name: str, source: str, settle_ms: int, shot: str | None, timeout_s: float
) -> tuple[dict[str, Any], bool]:
    """One script on a booted page: start it, settle, collect. Returns the result and whether
    the page may serve a later script (nothing of this one can still run)."""
    page = slot.page
    assert page is not None
    slot.console = []
    slot.capturing = True
    try:
        stopped = await run_with_limit(page, slot.cdp, RUN_JS, [source, name], timeout_s)
        answer = ANSWER_S + settle_ms / 1000
        busy = await _answer(slot, SETTLE_JS, [settle_ms, QUIET_MS], answer)
        busy = await _answer(slot, COLLECT_JS, None, ANSWER_S) or busy
        collected = slot.answer
        collected["errors"] += stopped
        if shot:
            await page.wait_for_timeout(100)
            await page.screenshot(path=shot)
    finally:
        slot.capturing = False
    left = slot.windows or len(page.context.pages) > 1 or page.workers
    state = collected["state"]
    if isinstance(state.get("revision"), int):
        state["revision"] += slot.fresh_revision - slot.start_revision
    result = {
        "state": state,
        "console": slot.console,
        "errors": collected["errors"],
        "screenshot": shot,
    }
    return result, not (left or stopped or busy)


async def _lexical_names(slot: Slot) -> frozenset[str]:
    """The names in the page's global lexical scope (top-level let/const/class of scripts)."""
    found = await slot.cdp.send("Runtime.globalLexicalScopeNames")
    return frozenset(found.get("names", []))


async def _answer(slot: Slot, js: str, arg: Any, within_s: float) -> bool:
    """Evaluate ``js`` (its value in ``slot.answer``); True when the page did not answer within
    ``within_s`` because something the script left (a loop in a timer) held it, and was
    stopped (V8's terminate) so that it could."""
    assert slot.page is not None
    task = asyncio.ensure_future(slot.page.evaluate(js, arg))
    # Read even when this wait is cancelled (the page closing under it): no stray warning.
    task.add_done_callback(lambda t: t.cancelled() or t.exception())
    done, _ = await asyncio.wait({task}, timeout=within_s)
    if not done:
        await slot.cdp.send("Runtime.terminateExecution")
    slot.answer = await task
    return not done


async def run_request(
    pages: Pages, req: dict[str, Any], progress: Progress, refill: bool = True
) -> list[dict[str, Any]]:
    """Run each script of ``req`` (the wire form of ``warm.Request``) on a page of its own;
    raises :class:`RunFailed` with one line when a page fails to boot, crashes or hangs."""
    from playwright.async_api import Error as PlaywrightError

    results = []
    scripts = req["scripts"]
    boot_s, timeout_s = float(req["boot_timeout_s"]), float(req["timeout_s"])
    settle_ms = int(req["settle_ms"])
    for index, (name, source) in enumerate(scripts):
        last = index == len(scripts) - 1
        slot = await pages.take(boot_s, progress)
        shot = req["screenshot"] if last else None
        limit = timeout_s + RUN_GRACE_S + settle_ms / 1000
        reuse = False
        try:
            coro = run_on(slot, name, source, settle_ms, shot, timeout_s)
            result, reuse = await asyncio.wait_for(coro, limit)
            results.append(result)
        except TimeoutError as exc:
            raise RunFailed(f"{name} did not finish within {limit:g} s") from exc
        except PlaywrightError as exc:
            if slot.crashed or "crash" in exc.message.lower():
                raise RunFailed(crash_message(name)) from exc
            first = (exc.message.strip() or type(exc).__name__).splitlines()[0]
            raise RunFailed(f"{name}: the page failed: {first}") from exc
        finally:
            pages.done_with(slot, reuse, refill=refill or not last)
    return results


async def run_cold(req: dict[str, Any], progress: Progress) -> list[dict[str, Any]]:
    """A whole run in this process: launch Chromium, boot one page per script, quit."""
    from playwright.async_api import Error as PlaywrightError
    from playwright.async_api import async_playwright

    from .chromium import launch_args
    from .headless import LaunchError
    from .snapshot_build import ensure

    launch = launch_args(headless=True)
    await asyncio.to_thread(ensure)  # once per Pyodide + py_apm version: pages boot ~4x faster
    async with async_playwright() as pw:
        try:
            browser = await pw.chromium.launch(**launch)
        except PlaywrightError as exc:
            first = (exc.message.strip() or str(exc)).splitlines()[0]
            path = launch["executable_path"]
            raise LaunchError(f"cannot start Chromium ({path}): {first}") from exc
        pages = Pages(browser, req["config"], req["webresources"])
        try:
            pages.warm_up()
            return await run_request(pages, req, progress, refill=False)
        finally:
            await pages.close()
            await browser.close()
