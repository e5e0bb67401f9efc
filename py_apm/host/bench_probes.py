"""What `py-apm bench` runs in the page and how it reads the figures back (helpers of bench.py)."""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from playwright.sync_api import Browser, CDPSession, Page

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

CASE_SESSION = (
    '{templateName: "case_entity_session_default_template", '
    'sessionContext: {parametersStr: \'[["entityName","incident"],["entityId","x"]]\'}}'
)
KB_TAB = '{templateName: "msdyn_omnichannel_kbsearch"}'

#: µs per iteration of ``body``: a warm-up run (JIT), then the median of 5 runs of ``n``
#: iterations each (``setup`` runs once before).
LOOP_JS = """(n) => {{
  {setup}
  const run = (count) => {{
    const t0 = performance.now();
    for (let i = 0; i < count; i++) {{ {body} }}
    return (performance.now() - t0) * 1000 / count;
  }};
  run(Math.max(1, n >> 3));
  const times = [run(n), run(n), run(n), run(n), run(n)].sort((a, b) => a - b);
  return times[2];
}}"""

CYCLES_JS = f"""([total, block]) => {{
  PyApm.reset();
  Microsoft.Apm.createSession({CASE_SESSION});
  const times = [];
  let t0 = performance.now();
  for (let i = 1; i <= total; i++) {{
    Microsoft.Apm.closeTab(Microsoft.Apm.createTab({KB_TAB}));
    if (i % block === 0) {{ const t = performance.now(); times.push(t - t0); t0 = t; }}
  }}
  return times;
}}"""

MB = 1024 * 1024

#: The calls the frame rows time: ``getFocusedSession().title`` ``n`` times.
TITLE_CALLS = (
    "(n) => {{ const apm = {apm}; for (let i = 0; i < n; i++) apm.getFocusedSession().title; }}"
)

#: A same-origin web resource hosted in a tab (the main use case): its own script (a script URL,
#: so its calls are tagged with the tab) calls the workspace through ``window.parent``.
FRAME_HTML = (
    '<!doctype html>\n<html><head><meta charset="utf-8"><title>bench frame</title></head>'
    "<body>frame\n<script>window.benchTitle = "
    + TITLE_CALLS.format(apm="window.parent.Microsoft.Apm")
    + ";</script></body></html>\n"
)

#: Init script: remember every exported ``WebAssembly.Memory`` (Pyodide keeps its own private).
WASM_HOOK_JS = """(() => {
  const seen = (window.__benchWasm = []);
  const keep = (r) => {
    const inst = r && (r.instance || r);
    const exp = inst && inst.exports;
    if (exp) for (const v of Object.values(exp)) if (v instanceof WebAssembly.Memory) seen.push(v);
    return r;
  };
  const wrap = (name) => {
    const orig = WebAssembly[name];
    if (orig) WebAssembly[name] = function (...a) { return orig.apply(this, a).then(keep); };
  };
  wrap("instantiate");
  wrap("instantiateStreaming");
})();"""


def progress(step: str) -> None:
    """One progress line on stderr (the table goes to stdout)."""
    print(f"[bench] {step}", file=sys.stderr, flush=True)


def median(values: list[float]) -> float:
    """Median of a non-empty list."""
    return float(statistics.median(values))


def loop(page: Page, body: str, n: int, setup: str = "") -> float:
    """µs per iteration of ``body`` run ``n`` times inside one ``page.evaluate``."""
    return float(page.evaluate(LOOP_JS.format(setup=setup, body=body), n))


#: Iterations one :data:`LOOP_JS` evaluate runs for ``n``: the warm-up, then 5 runs.
def _loop_iterations(n: int) -> int:
    return max(1, n >> 3) + 5 * n


def thread_time(cdp: CDPSession) -> float:
    """Seconds of CPU the page's main thread used so far (CDP ``ThreadTime``; needs
    ``Performance.enable``)."""
    metrics = cdp.send("Performance.getMetrics")["metrics"]
    return float(next(m["value"] for m in metrics if m["name"] == "ThreadTime"))


def cpu_loop(
    page: Page, cdp: CDPSession, body: str, n: int, setup: str = ""
) -> tuple[float, float]:
    """``(wall, cpu)`` µs per iteration of ``body``: wall as :func:`loop`; cpu = the page's
    main-thread CPU time over every iteration of the same evaluate. On a machine shared with
    other work the wall figure also counts the time the thread waits for a core; the CPU figure
    does not, so it is the one comparable between runs (and with the targets)."""
    before = thread_time(cdp)
    wall = loop(page, body, n, setup)
    cpu = (thread_time(cdp) - before) * 1e6 / _loop_iterations(n)
    return wall, cpu


def cpu_per_call(cdp: CDPSession, run: Callable[[], object], n: int) -> float:
    """µs of the renderer main thread's CPU time per call of ``run`` (``n`` calls each): the
    lowest of 3 runs after a warm-up. CPU time, not wall time: a loaded machine takes the
    thread away, it does not make the calls dearer."""

    run()
    best = float("inf")
    for _ in range(3):
        t0 = thread_time(cdp)
        run()
        best = min(best, thread_time(cdp) - t0)
    return best * 1e6 / n


def with_frame(page: Page, cdp: CDPSession, n: int, rounds: int = 3) -> tuple[float, float, float]:
    """CPU µs per ``getFocusedSession().title`` (see ``cpu_per_call``): with no frame, then with
    one same-origin web-resource tab open (the tab focused) from the top page, and by the
    script of the tab's frame (its calls are tagged with the tab). One session must be open.
    The lowest of ``rounds`` rounds (each opens the tab, then closes it) for each figure: the
    three are measured side by side, so a busy spell of the machine reaches all of them."""
    calls = TITLE_CALLS.format(apm="Microsoft.Apm")
    best = [float("inf")] * 3
    for _ in range(rounds):
        alone = cpu_per_call(cdp, lambda: page.evaluate(calls, n), n)
        tab_id = page.evaluate("PyApm.ui.openWebResource('frame.html')")
        selector = f'iframe[data-tab-id="{tab_id}"][src]'
        element = page.wait_for_selector(selector, state="attached")
        frame = element.content_frame() if element is not None else None
        if frame is None:
            raise RuntimeError("bench: the web-resource tab has no frame")
        frame.wait_for_load_state("load")
        top = cpu_per_call(cdp, lambda: page.evaluate(calls, n), n)
        inside = cpu_per_call(cdp, partial(frame.evaluate, "(n) => benchTitle(n)", n), n)
        page.evaluate("(id) => PyApm.ui.closeTab(id)", tab_id)
        page.wait_for_selector(selector, state="detached")
        best = [min(b, x) for b, x in zip(best, (alone, top, inside), strict=True)]
    return best[0], best[1], best[2]


def ready_pyapm(page: Page) -> float:
    """Wait for ``PyApm.ready``; ms from navigation start to ready."""
    from .headless import wait_ready

    boot = wait_ready(page)
    return boot if boot is not None else float(page.evaluate("PyApm.bootTimeMs"))


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
    The reloads happen in the last fresh context (one load behind it, as before any reload)."""
    fresh: list[float] = []
    reload: list[float] = []
    for index in range(repeats):
        ctx = browser.new_context()
        try:
            page = ctx.new_page()
            page.goto(url)
            fresh.append(ready(page))
            if index < repeats - 1:
                continue
            for _ in range(repeats):
                page.reload()
                reload.append(ready(page))
            if after is not None:
                after(page)
        finally:
            ctx.close()
    return median(fresh), median(reload)


def _cdp_heap(cdp: CDPSession) -> float:
    """``JSHeapUsedSize`` from CDP ``Performance.getMetrics``, in bytes."""
    metrics = cdp.send("Performance.getMetrics")["metrics"]
    return float(next(m["value"] for m in metrics if m["name"] == "JSHeapUsedSize"))


def _wasm_bytes(page: Page) -> float | None:
    """Total size of the wasm memories caught by :data:`WASM_HOOK_JS` (None if none)."""
    value = page.evaluate(
        "(window.__benchWasm || []).reduce((s, m) => s + m.buffer.byteLength, 0) || null"
    )
    return None if value is None else float(value)


def memory(page: Page, cdp: CDPSession) -> dict[str, float | None]:
    """JS heap (performance.memory), CDP heap and wasm memory after a forced GC."""
    cdp.send("HeapProfiler.collectGarbage")
    return {
        "js": float(page.evaluate("performance.memory.usedJSHeapSize")),
        "cdp": _cdp_heap(cdp),
        "wasm": _wasm_bytes(page),
    }


PYTEST_FILE = """import pytest


@pytest.mark.parametrize("i", range({n}))
def test_uses_the_page(apm_page, i):
    tab = "Microsoft.Apm.getFocusedSession().getFocusedTab()"
    assert apm_page.evaluate(tab + ".title") == "Dashboard"  # the reset undid the last test
    apm_page.evaluate(tab + ".title = 'changed'")
"""


#: conftest of the inner pytest run: records each phase's duration per test as JSON.
PYTEST_CONFTEST = """import json, os

DURATIONS = {}


def pytest_runtest_logreport(report):
    DURATIONS.setdefault(report.nodeid, {})[report.when] = report.duration


def pytest_sessionfinish(session):
    with open(os.environ["PY_APM_BENCH_DURATIONS"], "w") as fh:
        json.dump(DURATIONS, fh)
"""


@contextmanager
def _inner_pytest(
    name: str, conftest: str, test_name: str, test_source: str, timeout_s: int
) -> Iterator[Path]:
    """Run one test file with its conftest in an inner pytest, in a temporary folder; yields
    the durations file the conftest wrote (the folder lives until the block ends)."""
    import os
    import subprocess

    with tempfile.TemporaryDirectory(prefix=f"py-apm-bench-{name}-") as tmp:
        Path(tmp, "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
        Path(tmp, "conftest.py").write_text(conftest, encoding="utf-8")
        Path(tmp, test_name).write_text(test_source, encoding="utf-8")
        out = Path(tmp, "durations.json")
        env = {**os.environ, "PY_APM_BENCH_DURATIONS": str(out)}
        command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", tmp]
        done = subprocess.run(
            command, cwd=tmp, env=env, capture_output=True, text=True, timeout=timeout_s
        )
        if done.returncode != 0 or not out.is_file():
            tail = (done.stdout + done.stderr).strip().splitlines()[-5:]
            raise RuntimeError("inner pytest failed: " + " | ".join(tail))
        yield out


def pytest_overhead(many: int = 60) -> tuple[float, float, float]:
    """(e): run ``1 + many`` small `apm_page` tests (each changes a title, so the reset is real)
    in an inner pytest. Returns medians over all tests but the first (which boots the page), in
    ms: fixture overhead (setup + teardown), the test body (call), and the first test's setup."""
    import json

    test_file = PYTEST_FILE.format(n=1 + many)
    with _inner_pytest("pytest", PYTEST_CONFTEST, "test_overhead.py", test_file, 300) as out:
        phases = list(json.loads(out.read_text("utf-8")).values())
    rest = phases[1:]
    fixture = median([(p["setup"] + p["teardown"]) * 1000 for p in rest])
    body = median([p["call"] * 1000 for p in rest])
    return fixture, body, phases[0]["setup"] * 1000


#: 51 short tests on the isolated apm_page and 51 on pytest-playwright's plain `page` opening a
#: static page from the same server, in one inner pytest run (the first of each group boots).
RATIO_FILE = """import pytest


@pytest.mark.parametrize("i", range(51))
def test_apm(apm_page, i):
    tab = "Microsoft.Apm.getFocusedSession().getFocusedTab()"
    assert apm_page.evaluate(tab + ".title") == "Dashboard"
    apm_page.evaluate(tab + ".title = 'changed'")


@pytest.mark.parametrize("i", range(51))
def test_plain(page, apm_server, i):
    page.goto(apm_server.url + "blank.html")
    assert page.title() == "blank"
"""

#: conftest of that run: the durations, and where the isolated reset's time went.
RATIO_CONFTEST = (
    PYTEST_CONFTEST
    + """

import pytest

PHASES = {}


@pytest.fixture(autouse=True)
def _phases(request):
    yield
    if "apm_page" in request.fixturenames:
        handle = request.getfixturevalue("_apm_isolated_handle")
        PHASES[request.node.nodeid] = dict(handle.timings)


def pytest_unconfigure(config):
    with open(os.environ["PY_APM_BENCH_DURATIONS"] + ".phases", "w") as fh:
        json.dump(PHASES, fh)
"""
)


def isolation_ratio() -> dict[str, Any]:
    """50 isolated `apm_page` tests against 50 plain `page` tests, one inner pytest run: total
    ms of each (setup + call + teardown, the first test of each left out), their ratio, and the
    median ms of each phase of apm_page's isolated reset."""
    import json

    with _inner_pytest("ratio", RATIO_CONFTEST, "test_ratio.py", RATIO_FILE, 600) as out:
        durations = json.loads(out.read_text("utf-8"))
        phases = json.loads(Path(str(out) + ".phases").read_text("utf-8"))

    def total(group: str) -> float:
        runs = [p for test, p in durations.items() if f"::test_{group}[" in test][1:]
        return sum((p["setup"] + p["call"] + p["teardown"]) * 1000 for p in runs)

    apm, plain = total("apm"), total("plain")
    rest = list(phases.values())[1:]
    names = sorted({name for p in rest for name in p})
    return {
        "apm_ms": apm,
        "plain_ms": plain,
        "ratio": apm / plain,
        "phases": {name: median([p.get(name, 0.0) for p in rest]) for name in names},
    }


def model_reset_us(n: int = 2000) -> float:
    """CPU µs of one ``reset()`` of the model (Home only) under this (native) CPython."""
    from ..model.workspace import Workspace

    ws = Workspace()
    ws.reset()
    t0 = time.process_time()
    for _ in range(n):
        ws.reset()
    return (time.process_time() - t0) * 1e6 / n
