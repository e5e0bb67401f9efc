"""Serve the workspace, launch headless Chromium, open a page and wait for `PyApm.ready`.

The one recipe behind `py-apm snapshot`, `py-apm run`, `py-apm bench` and the pytest plugin's
ready wait (the plugin's browser comes from pytest-playwright).
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

#: Resolves to {ok: true, bootTimeMs} once `PyApm.ready` resolves, or to {ok: false, error}.
READY_JS = """async (timeoutMs) => {
  if (!window.PyApm) return {ok: false, error: "window.PyApm is missing: shim.js did not load"};
  let timer;
  const timeout = new Promise((resolve) => {
    const error = `PyApm.ready not resolved after ${timeoutMs} ms`;
    timer = setTimeout(() => resolve({ok: false, error}), timeoutMs);
  });
  const ready = PyApm.ready.then(
    () => ({ok: true, bootTimeMs: PyApm.bootTimeMs ?? null}),
    (e) => ({ok: false, error: String((e && e.message) || e)}));
  try { return await Promise.race([ready, timeout]); } finally { clearTimeout(timer); }
}"""


class NotReady(RuntimeError):
    """The page did not get a ready `PyApm`; `str(err)` says why."""


class LaunchError(RuntimeError):
    """Chromium was found but would not start; `str(err)` says why."""


def wait_ready(page: Page, timeout_ms: int = 60_000) -> float | None:
    """Wait until `PyApm.ready` resolves in a loaded page; its boot time in ms (navigation start
    to ready). Raises NotReady when it rejects, times out or the shim is missing."""
    result = page.evaluate(READY_JS, timeout_ms)
    if not result.get("ok"):
        raise NotReady(str(result.get("error")))
    boot = result.get("bootTimeMs")
    return float(boot) if boot is not None else None


@dataclass(frozen=True)
class Headless:
    """A running server and a headless Chromium (what `headless()` yields)."""

    browser: Browser
    url: str  #: the workspace, ending with "/"


@contextmanager
def headless(
    *,
    webresources: str | os.PathLike[str] | None = None,
    config: str | os.PathLike[str] | None = None,
    extra_args: Sequence[str] = (),
) -> Iterator[Headless]:
    """Serve the workspace on a free loopback port and launch headless Chromium; both stop on
    exit. Raises BrowserNotFound / ServerSetupError (their own clear messages) or LaunchError."""
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright

    from .chromium import launch_args
    from .server import serve

    launch = launch_args(headless=True)
    launch["args"] = [*launch["args"], *extra_args]
    server, url = serve("127.0.0.1", port=0, webresources=webresources, config=config)
    try:
        with sync_playwright() as pw:
            try:
                browser = pw.chromium.launch(**launch)
            except PlaywrightError as exc:
                first = (exc.message.strip() or str(exc)).splitlines()[0]
                raise LaunchError(
                    f"cannot start Chromium ({launch['executable_path']}): {first}"
                ) from exc
            try:
                yield Headless(browser, url)
            finally:
                browser.close()
    finally:
        server.stop()
