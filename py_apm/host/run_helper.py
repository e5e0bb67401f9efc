"""The warm helper behind ``py-apm run``: one headless Chromium with booted workspace pages.

Started by :mod:`py_apm.host.warm` (``python -m py_apm.host.run_helper SOCKET IDLE_S``), never by
hand. It listens on SOCKET, answers one JSON request per connection with JSON lines (progress
while a client waits for a boot, then the results), and exits after IDLE_S seconds without a run,
on a stop request, or when a client shows that the files its pages were booted from changed.

A script runs on a page that has just booted in a browser context of its own, as in a cold run.
Afterwards the page's other windows, cookies, storage and ``window.name`` are cleared and the page
is reloaded (a reload drops its JavaScript, workspace and configuration), so nothing of one run
reaches the next; after a failed run, or :data:`RUNS_PER_PAGE` runs, a new context replaces it.
Each workspace (a ``--config`` / ``--webresources`` combination) keeps :data:`POOL` pages booted,
so back-to-back runs rarely wait for a boot, and concurrent runs each get a page of their own.
"""

from __future__ import annotations

import asyncio
import fcntl
import hashlib
import json
import os
import sys
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .headless import READY_JS
from .runner import (
    _COLLECT_JS,
    _RUN_JS,
    BOOT_TIMEOUT_S,
    CLEAR_PAGE_JS,
    VIEWPORT,
    console_entry,
)
from .scriptlimit import LOADED, run_with_limit_async
from .settle import QUIET_MS, SETTLE_JS
from .warm import fingerprint, private_dir

if TYPE_CHECKING:
    from playwright.async_api import Browser, Page

#: Booted pages kept per workspace: a run takes one while the other is ready for the next.
POOL = 2
#: Runs a page serves (cleared and reloaded between them) before a new context replaces it.
RUNS_PER_PAGE = 50
#: Seconds a page may take to be cleared for its next run before a new context replaces it.
CLEAR_TIMEOUT_S = 5.0
#: Workspaces (config / webresources combinations) kept; the least recently used goes first.
WORKSPACES = 2
#: A run whose page has not answered this long after its script's own limit (``--timeout``,
#: past which the script is stopped) loses its page.
RUN_GRACE_S = 30.0
#: A file of the installation the helper runs from: once it is gone (``pip uninstall``, a deleted
#: venv), the helper and its browser exit within a tick instead of idling on.
INSTALLED_FILE = Path(__file__)


class RunFailed(Exception):
    """py-apm could not run the script (boot failure...); the message is for the user."""


@dataclass
class Slot:
    """A page (None while it opens), its boot (resolves to an error message or None), and the
    console lines of the current run."""

    page: Page | None = None
    cdp: Any = None  # a CDP session opened while the page was idle: it can stop a stuck script
    boot: asyncio.Future[str | None] | None = None
    console: list[dict[str, str]] = field(default_factory=list)
    capturing: bool = False
    runs: int = 0


class Workspace:
    """The booted pages of one server (one ``--config`` / ``--webresources`` combination)."""

    def __init__(self, browser: Browser, config: str | None, web: str | None):
        from .server import serve

        self.browser = browser
        self.config = config
        self.server, self.url = serve("127.0.0.1", port=0, webresources=web, config=config)
        self.pool: list[Slot] = []
        self.in_use = 0

    async def _boot(self, slot: Slot) -> str | None:
        from playwright.async_api import Error as PlaywrightError

        try:
            if slot.page is not None:
                try:
                    await asyncio.wait_for(self._clear(slot), CLEAR_TIMEOUT_S)
                    await slot.page.reload()
                except (PlaywrightError, TimeoutError):
                    await self._close(slot, keep_boot=True)  # a page that won't: a new context
                    slot.page = slot.cdp = None
            if slot.page is None:
                await self._open(slot)
                await slot.page.goto(self.url)
            result = await slot.page.evaluate(READY_JS, int(BOOT_TIMEOUT_S * 1000))
            # Opened while the page is idle: it can still stop a script that never returns.
            slot.cdp = await slot.page.context.new_cdp_session(slot.page)
        except PlaywrightError as exc:
            return f"the workspace page did not load py-apm: {exc.message}"
        return None if result.get("ok") else f"py-apm did not start: {result.get('error')}"

    async def _open(self, slot: Slot) -> None:
        """A page in a browser context of its own: no storage, cache or channel is shared with
        the pages other runs use."""
        slot.page = page = await self.browser.new_page(viewport=VIEWPORT)
        if self.config is None:
            # As in a cold run: no --config means no options (not a 404 for /config.json).
            await page.route("**/config.json", lambda r: r.fulfill(json={}))
        page.on(
            "console",
            lambda m: slot.capturing and m.text != LOADED and slot.console.append(console_entry(m)),
        )

    async def _clear(self, slot: Slot) -> None:
        """Undo what the last run may have left beyond its page's JavaScript (which the reload
        that follows drops): other windows it opened, cookies, storage, ``window.name``; as
        ``runner.clear_storage`` does between the scripts of a cold run."""
        page = slot.page
        assert page is not None
        if slot.cdp is not None:
            # Stops whatever the last run left running (a loop in a timer...), so the page
            # answers what follows.
            await slot.cdp.send("Runtime.terminateExecution")
        for other in page.context.pages:
            if other is not page:
                await other.close()
        await page.context.clear_cookies()
        if slot.cdp is not None:
            origin = self.url.rstrip("/")
            await slot.cdp.send(
                "Storage.clearDataForOrigin", {"origin": origin, "storageTypes": "all"}
            )
            await slot.cdp.detach()
            slot.cdp = None
        await page.evaluate(CLEAR_PAGE_JS)

    def _booting(self) -> Slot:
        slot = Slot()
        slot.boot = asyncio.ensure_future(self._boot(slot))
        return slot

    def warm_up(self) -> None:
        """Start booting pages until the pool is full."""
        while len(self.pool) < POOL:
            self.pool.append(self._booting())

    def _pick(self) -> Slot:
        """A booted page if there is one (replacing pages whose boot failed), else the page that
        started booting first, else a new one."""
        for slot in list(self.pool):
            if slot.boot is not None and slot.boot.done():
                self.pool.remove(slot)
                if not slot.boot.cancelled() and slot.boot.result() is None:
                    return slot
                asyncio.ensure_future(self._close(slot))
                self.pool.append(self._booting())
        return self.pool.pop(0) if self.pool else self._booting()

    async def take(self, timeout_s: float, progress: Any) -> Slot:
        """A page that has just booted (waiting for one when none is ready yet)."""
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

    def done_with(self, slot: Slot, reuse: bool) -> None:
        """A page serves one run at a time. After a run that ended normally it is cleared and
        reloaded for the next one (half the work of a new context's boot, and after the client
        has its answer); after a failure, or :data:`RUNS_PER_PAGE` runs, a new page replaces
        it."""
        self.in_use -= 1
        slot.runs += 1
        if reuse and slot.runs < RUNS_PER_PAGE and len(self.pool) < POOL:
            slot.boot = asyncio.ensure_future(self._boot(slot))
            self.pool.append(slot)
        else:
            asyncio.ensure_future(self._close(slot))
            self.warm_up()

    @staticmethod
    async def _close(slot: Slot, keep_boot: bool = False) -> None:
        if not keep_boot and slot.boot is not None and not slot.boot.done():
            slot.boot.cancel()
        if slot.page is not None:
            await slot.page.context.close()

    async def close(self) -> None:
        for slot in self.pool:
            await self._close(slot)
        self.pool.clear()
        self.server.stop()


async def run_on(
    slot: Slot, name: str, source: str, settle_ms: int, shot: str | None, timeout_s: float
) -> dict:
    """One script on a booted page: the same steps, in the same order, as a cold run."""
    page = slot.page
    assert page is not None
    slot.console = []
    slot.capturing = True
    try:
        stopped = await run_with_limit_async(page, slot.cdp, _RUN_JS, [source, name], timeout_s)
        await page.evaluate(SETTLE_JS, [settle_ms, QUIET_MS])
        collected = await page.evaluate(_COLLECT_JS)
        collected["errors"] += stopped
        if shot:
            await page.wait_for_timeout(100)
            await page.screenshot(path=shot)
    finally:
        slot.capturing = False
    return {
        "state": collected["state"],
        "console": slot.console,
        "errors": collected["errors"],
        "screenshot": shot,
    }


class Helper:
    """The browser, the workspaces, the socket and the idle clock."""

    def __init__(self, path: Path, idle_s: float):
        self.path = path
        self.idle_s = idle_s
        self.fingerprint = fingerprint()
        self.browser: Browser | None = None
        self.started: asyncio.Task[Browser] | None = None
        self.workspaces: OrderedDict[tuple[Any, ...], Workspace] = OrderedDict()
        self.active = 0
        self.last = time.monotonic()
        self.stopping = asyncio.Event()
        self.waiting: list[asyncio.StreamWriter] = []  # clients told "stopping"/"stale"

    async def _start_browser(self) -> Browser:
        from playwright.async_api import async_playwright

        from .chromium import launch_args
        from .snapshot_build import ensure

        await asyncio.to_thread(ensure)  # built once per Pyodide + py_apm: boots ~4x faster
        self.playwright = await async_playwright().start()
        self.browser = await self.playwright.chromium.launch(**launch_args())
        return self.browser

    async def workspace(self, config: str | None, web: str | None) -> Workspace:
        digest = hashlib.sha1(Path(config).read_bytes()).hexdigest() if config else None
        key = (config, digest, web)
        found = self.workspaces.get(key)
        if found is not None:
            self.workspaces.move_to_end(key)
            return found
        assert self.started is not None
        browser = await self.started
        for old_key in [k for k, w in self.workspaces.items() if w.in_use == 0]:
            if len(self.workspaces) < WORKSPACES:
                break
            await self.workspaces.pop(old_key).close()
        created = Workspace(browser, config, web)
        self.workspaces[key] = created
        return created

    async def run(self, req: dict[str, Any], progress: Any) -> list[dict[str, Any]]:
        from playwright.async_api import Error as PlaywrightError

        from .chromium import BrowserNotFound
        from .server import ServerSetupError

        assert self.started is not None
        if not self.started.done():
            progress("launching Chromium (and building the memory snapshot if it is missing)")
        try:
            ws = await self.workspace(req["config"], req["webresources"])
        except (BrowserNotFound, ServerSetupError, PlaywrightError, OSError) as exc:
            if self.started.done() and self.started.exception() is not None:
                self.stopping.set()  # no browser: the next run starts a helper that retries
            message = getattr(exc, "message", None) or str(exc)
            raise RunFailed(message.strip().splitlines()[0]) from exc
        results = []
        scripts = req["scripts"]
        for index, (name, source) in enumerate(scripts):
            slot = await ws.take(float(req["boot_timeout_s"]), progress)
            shot = req["screenshot"] if index == len(scripts) - 1 else None
            timeout_s = float(req["boot_timeout_s"])
            limit = timeout_s + RUN_GRACE_S + req["settle_ms"] / 1000
            reuse = False
            try:
                coro = run_on(slot, name, source, int(req["settle_ms"]), shot, timeout_s)
                results.append(await asyncio.wait_for(coro, limit))
                reuse = True
            except TimeoutError as exc:
                raise RunFailed(f"{name} did not finish within {limit:g} s") from exc
            except PlaywrightError as exc:
                raise RunFailed(f"{name}: the page failed: {exc.message}") from exc
            finally:
                ws.done_with(slot, reuse)
        return results

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.active += 1

        def send(message: dict[str, Any]) -> None:
            writer.write((json.dumps(message) + "\n").encode("utf-8"))

        try:
            message = json.loads(await reader.readline() or b"{}")
            if message.get("stop") or message.get("fingerprint") != self.fingerprint:
                # Answered once the browser is closed, so the client knows we are gone.
                send({"stopping": True} if message.get("stop") else {"stale": True})
                self.waiting.append(writer)
                self.stopping.set()
            else:
                send({"results": await self.run(message["run"], lambda t: send({"progress": t}))})
        except RunFailed as exc:
            send({"error": str(exc)})
        except Exception as exc:  # noqa: BLE001 - the client gets one line, never a traceback
            send({"error": f"the warm helper failed: {type(exc).__name__}: {exc}"})
        finally:
            self.active -= 1
            self.last = time.monotonic()
            if writer not in self.waiting:
                await _close(writer)

    async def serve(self) -> None:
        server = await asyncio.start_unix_server(self.handle, path=str(self.path))
        self.started = asyncio.ensure_future(self._start_browser())
        self.started.add_done_callback(self._warm_default)
        tick = min(1.0, self.idle_s / 4)
        try:
            while not self.stopping.is_set():
                try:
                    await asyncio.wait_for(self.stopping.wait(), tick)
                except TimeoutError:
                    pass
                if self.active == 0 and time.monotonic() - self.last > self.idle_s:
                    break
                if not INSTALLED_FILE.exists():
                    break
        finally:
            server.close()  # new clients are refused (and start a new helper) from here on
            self.path.unlink(missing_ok=True)
            deadline = time.monotonic() + 10
            while self.active and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
            await self.shutdown()
            for writer in self.waiting:
                await _close(writer)

    def _warm_default(self, task: asyncio.Task[Browser]) -> None:
        """Boot pages for a run without options while the first client still waits."""
        if not task.cancelled() and task.exception() is None:
            asyncio.ensure_future(self._warm_plain())

    async def _warm_plain(self) -> None:
        try:
            (await self.workspace(None, None)).warm_up()
        except Exception:  # noqa: BLE001 - the next run reports what is wrong
            pass

    async def shutdown(self) -> None:
        for ws in list(self.workspaces.values()):
            try:
                await ws.close()
            except Exception:  # noqa: BLE001 - best effort on the way out
                pass
        if self.browser is not None:
            try:
                await self.browser.close()
                await self.playwright.stop()
            except Exception:  # noqa: BLE001
                pass


async def _close(writer: asyncio.StreamWriter) -> None:
    try:
        await writer.drain()
        writer.close()
    except (ConnectionError, OSError):
        pass


def _lock(path: Path) -> Any:
    """Hold ``<socket>.lock`` for this process's lifetime: one helper per socket. Waits a little
    for a helper that is shutting down; None when another helper keeps it."""
    handle = open(path.with_suffix(".lock"), "w")  # noqa: SIM115 - held until exit
    deadline = time.monotonic() + 15
    while True:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return handle
        except BlockingIOError:
            if time.monotonic() > deadline:
                handle.close()
                return None
            time.sleep(0.05)


def main(argv: list[str]) -> int:
    """``python -m py_apm.host.run_helper SOCKET IDLE_S``."""
    path, idle_s = Path(argv[0]), float(argv[1])
    private_dir(path.parent)
    lock = _lock(path)
    if lock is None:
        return 0
    from .warm import _connect

    alive = _connect(path)
    if alive is not None:  # another helper took over while we waited for the lock
        alive.close()
        return 0
    path.unlink(missing_ok=True)
    os.umask(0o077)
    asyncio.run(Helper(path, idle_s).serve())
    lock.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
