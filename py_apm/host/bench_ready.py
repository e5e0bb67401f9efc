"""Page ready times of ``py-apm bench``: the pages compared and how a ready time is taken.

The floor page does only what no boot can avoid, all at once: fetch and compile
``pyodide.asm.wasm`` (``WebAssembly.compileStreaming``), fetch the snapshot's bytes and import
``pyodide.asm.mjs``. py-apm's ready time is compared with it, measured in the same run; the bare
page (a plain ``loadPyodide()``) is the older baseline.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from .bench_table import median

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

BARE_HTML = """<!doctype html>
<html><head><meta charset="utf-8"><title>bare pyodide</title><link rel="icon" href="data:,">
</head><body>
<script type="module">
import { loadPyodide } from "/pyodide/pyodide.mjs";
window.pyodide = await loadPyodide({ indexURL: "/pyodide/" });
window.__bareReady = performance.now();
</script>
</body></html>
"""

#: The shim without its memory snapshot (the fallback boot), for comparison.
NO_SNAPSHOT_HTML = """<!doctype html>
<html><head><meta charset="utf-8"><title>py-apm, no snapshot</title><link rel="icon" href="data:,">
</head><body><script src="/shim.js" data-snapshot="off"></script></body></html>
"""

#: Everything starts from the first script of the page: nothing earlier is possible.
FLOOR_HTML = """<!doctype html>
<html><head><meta charset="utf-8"><title>boot floor</title><link rel="icon" href="data:,">
<script>
Promise.all([
  WebAssembly.compileStreaming(fetch("/pyodide/pyodide.asm.wasm")),
  fetch("/py_apm.snapshot").then((r) => r.arrayBuffer()),
  import("/pyodide/pyodide.asm.mjs"),
]).then(() => { window.__floorReady = performance.now(); });
</script></head><body></body></html>
"""

FLOOR_READY_JS = "window.__floorReady !== undefined"


def ready_pyapm(page: Page) -> float:
    """Wait for ``PyApm.ready``; ms from navigation start to ready."""
    page.wait_for_function("window.PyApm !== undefined")
    page.evaluate("PyApm.ready.then(() => undefined)")
    return float(page.evaluate("PyApm.bootTimeMs"))


def ready_floor(page: Page) -> float:
    """Wait for the floor page; ms from navigation start to its last download/compile."""
    page.wait_for_function(FLOOR_READY_JS, timeout=60_000)
    return float(page.evaluate("window.__floorReady"))


def ready_bare(page: Page) -> float:
    """Wait for the bare page's ``loadPyodide``; ms from navigation start to ready."""
    page.wait_for_function("window.__bareReady !== undefined", timeout=60_000)
    return float(page.evaluate("window.__bareReady"))


def measure_ready(
    browser: Browser,
    url: str,
    ready: Callable[[Page], float],
    repeats: int,
    after: Callable[[Page], None] | None = None,
) -> tuple[float, float]:
    """Median (fresh-context, reload) ready times in ms; ``after`` then gets the reloaded page.
    The reloads happen in the context of the last fresh load (one boot fewer than a context of
    their own, and the same measure: a reload after a first load)."""
    fresh: list[float] = []
    for _ in range(repeats - 1):
        ctx = browser.new_context()
        try:
            page = ctx.new_page()
            page.goto(url)
            fresh.append(ready(page))
        finally:
            ctx.close()
    reload: list[float] = []
    ctx = browser.new_context()
    try:
        page = ctx.new_page()
        page.goto(url)
        fresh.append(ready(page))
        for _ in range(repeats):
            page.reload()
            reload.append(ready(page))
        if after is not None:
            after(page)
    finally:
        ctx.close()
    return median(fresh), median(reload)
