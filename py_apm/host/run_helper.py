"""The warm helper behind ``py-apm run``: one headless Chromium with booted workspace pages.

Started by :mod:`py_apm.host.warm` (``python -m py_apm.host.run_helper SOCKET IDLE_S``), never by
hand. It listens on SOCKET (in a private folder), holds ``<SOCKET>.lock`` (one helper per socket)
and records its pid in ``<SOCKET>.pid``. Each connection is one conversation in length-prefixed
JSON frames (``warm_wire.py``). It exits after IDLE_S seconds without a run, on a stop request
or SIGTERM, when its socket file is deleted or replaced, or when a client shows that the files
its pages were booted from changed.

Scripts run through the same lifecycle as a cold run (``run_page.py``); each workspace (a
``--config`` / ``--webresources`` combination) keeps one page booted, cleared in place after each
run for the next; concurrent runs each get a page of their own (the second waits for its boot).
"""

from __future__ import annotations

import asyncio
import fcntl
import hashlib
import os
import signal
import sys
import threading
import time
from collections import OrderedDict
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import warm_trust, warm_wire
from .run_page import Pages, RunFailed, run_request
from .warm import fingerprint, handshake_timeout, private_dir

if TYPE_CHECKING:
    from playwright.async_api import Browser

#: Workspaces (config / webresources combinations) kept; the least recently used goes first.
WORKSPACES = 2
#: A file of the installation the helper runs from: once it is gone (``pip uninstall``, a deleted
#: venv), the helper and its browser exit within a tick instead of idling on.
INSTALLED_FILE = Path(__file__)


class Helper:
    """The browser, the workspaces, the socket and the idle clock."""

    def __init__(self, path: Path, idle_s: float):
        self.path = path
        self.idle_s = idle_s
        self.fingerprint = fingerprint()
        self.browser: Browser | None = None
        self.started: asyncio.Task[Browser] | None = None
        self.workspaces: OrderedDict[tuple[Any, ...], Pages] = OrderedDict()
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

    async def workspace(self, config: str | None, web: str | None) -> Pages:
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
        created = Pages(browser, config, web)
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
        return await run_request(ws, req, progress)

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """One conversation (``warm_wire``): the request, "ready", the client's "go", then the
        run with a sign of life every second. Without "go" nothing runs: a client that gave up
        waiting (and ran the script cold) never gets it run twice."""
        self.active += 1

        def send(message: dict[str, Any]) -> None:
            warm_wire.write(writer, message)

        alive: asyncio.Task[None] | None = None
        try:
            message = await warm_wire.read(reader, handshake_timeout())
            if message.get("stop") or message.get("fingerprint") != self.fingerprint:
                # Answered once the browser is closed, so the client knows we are gone.
                send({"stopping": True} if message.get("stop") else {"stale": True})
                self.waiting.append(writer)
                self.stopping.set()
                return
            send({"ready": True})
            await writer.drain()
            if not (await warm_wire.read(reader, handshake_timeout())).get("go"):
                return
            alive = asyncio.ensure_future(_say_alive(writer))
            results = await self.run(message["run"], lambda t: send({"progress": t}))
            send({"results": results})
        except warm_wire.FrameError:
            pass  # the client went away before "go": nothing ran
        except RunFailed as exc:
            send({"error": str(exc)})
        except Exception as exc:  # noqa: BLE001 - the client gets one line, never a traceback
            send({"error": f"the warm helper failed: {type(exc).__name__}: {exc}"})
        finally:
            if alive is not None:
                alive.cancel()
            self.active -= 1
            self.last = time.monotonic()
            if writer not in self.waiting:
                await _close(writer)

    async def serve(self) -> None:
        server = await asyncio.start_unix_server(self.handle, path=str(self.path))
        self.started = asyncio.ensure_future(self._start_browser())
        self.started.add_done_callback(self._warm_default)
        if threading.current_thread() is threading.main_thread():  # signals reach only it
            asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, self.stopping.set)
        mine = os.lstat(self.path).st_ino
        tick = min(1.0, self.idle_s / 4)
        try:
            while not self.stopping.is_set():
                if _inode(self.path) != mine:
                    break  # our socket file was deleted or replaced: no client can reach us
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
            if _inode(self.path) == mine:
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


def _inode(path: Path) -> int | None:
    try:
        return os.lstat(path).st_ino
    except OSError:
        return None


async def _say_alive(writer: asyncio.StreamWriter) -> None:
    """A sign of life every ``ALIVE_EVERY_S`` while a run is in progress: the client tells a
    slow run from a stopped helper by it."""
    while True:
        await asyncio.sleep(warm_wire.ALIVE_EVERY_S)
        warm_wire.write(writer, {"alive": True})
        await writer.drain()


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
    warm_trust.write_pid(path)
    try:
        asyncio.run(Helper(path, idle_s).serve())
    finally:
        if warm_trust.helper_pid(path) == os.getpid():
            warm_trust.pid_path(path).unlink(missing_ok=True)
        lock.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
