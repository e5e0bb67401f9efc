"""``py-apm doctor``: which layout is in use, whether each piece is there, and the fix that works
for that layout. The browser check really starts the Chromium it found (and closes it)."""

from __future__ import annotations

import platform
import sys
import threading
import time
from dataclasses import dataclass, field
from typing import TextIO

from .paths import find_layout, pyodide_version

#: How long the browser may take to start before the doctor calls it broken.
LAUNCH_TIMEOUT_MS = 30_000


@dataclass
class Report:
    """Lines written as they come; ``ok`` is false once a needed check failed."""

    out: TextIO
    ok: bool = True
    names: list[str] = field(default_factory=list)

    def line(self, name: str, good: bool, text: str, *, needed: bool = True) -> None:
        if needed:
            self.ok = self.ok and good
        status = "ok     " if good else ("MISSING" if needed else "note   ")
        self.names.append(name)
        print(f"{status} {name}: {text}", file=self.out, flush=True)


def launch_browser(exe: str) -> str:
    """Start ``exe`` headless through Playwright with py-apm's flags, close it, and return its
    version; raise ``RuntimeError`` with the first line of the failure.

    Runs in its own thread: Playwright's sync API refuses a thread whose asyncio loop is running
    (a caller inside pytest-playwright, for one)."""
    result: list[str] = []
    failure: list[str] = []

    def work() -> None:
        from playwright.sync_api import Error as PlaywrightError
        from playwright.sync_api import sync_playwright

        from .chromium import FLAGS

        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(
                    executable_path=exe, args=list(FLAGS), headless=True, timeout=LAUNCH_TIMEOUT_MS
                )
                try:
                    result.append(str(browser.version))
                finally:
                    browser.close()
        except PlaywrightError as exc:
            lines = (exc.message or str(exc)).strip().splitlines()
            failure.append(lines[0] if lines else "unknown error")

    worker = threading.Thread(target=work, name="py-apm-doctor-browser", daemon=True)
    worker.start()
    worker.join()
    if not result:
        raise RuntimeError(failure[0] if failure else "unknown error")
    return result[0]


def run_checks(out: TextIO) -> int:
    """Print one line per check; return 0 when everything needed is there, else 1."""
    from .chromium import ENV_VAR, INSTALL_HINT, BrowserNotFound, find_browser
    from .snapshot import current

    report = Report(out)
    report.line(
        "python",
        sys.version_info >= (3, 11),
        f"{platform.python_version()} ({sys.executable})",
    )
    layout = find_layout()
    report.line("layout", layout.kind != "none", layout.description)
    pver = pyodide_version(layout.pyodide)
    report.line(
        "pyodide",
        pver is not None,
        f"{pver} in {layout.pyodide}" if pver else f"not in {layout.pyodide}: {layout.pyodide_fix}",
    )
    for name, path in (("shim.js", layout.shim), ("page", layout.web / "index.html")):
        good = path.is_file()
        report.line(name, good, str(path) if good else f"no {path}: {layout.files_fix}")
    if pver is not None:
        snap = current(layout.pyodide)
        # Optional: without it pages boot, only slower.
        hint = f"not built yet ({snap.path}): run `py-apm snapshot` (pages boot ~4x faster)"
        report.line("snapshot", snap.exists, str(snap.path) if snap.exists else hint, needed=False)
    try:
        from importlib.metadata import version as dist_version

        report.line("playwright", True, dist_version("playwright"))
    except Exception:
        report.line("playwright", False, "not installed: pip install playwright pytest-playwright")
        return 1
    try:
        exe = find_browser()
    except BrowserNotFound as exc:
        report.line("browser", False, str(exc))
        return 1
    if exe is None:
        report.line("browser", False, INSTALL_HINT)
        return 1
    started = time.perf_counter()
    try:
        browser_version = launch_browser(exe)
    except RuntimeError as exc:
        fix = f"set {ENV_VAR} to a working Chromium, or run `playwright install chromium`"
        report.line("browser", False, f"{exe} does not start ({exc}): {fix}")
        return 1
    secs = time.perf_counter() - started
    report.line(
        "browser", True, f"{exe} (Chromium {browser_version}, started and closed in {secs:.1f} s)"
    )
    return 0 if report.ok else 1
