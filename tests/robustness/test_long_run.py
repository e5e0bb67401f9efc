"""Long run in one page: many mixed Microsoft.Apm calls in chunks inside `evaluate`, with
per-chunk time, JS heap and live PyProxies (Pyodide's allocation tracing, via
``PyApm.__proxyTracing``) measured. Asserts: no PyProxy alive after any chunk, the last chunk at
most 3x slower than the first, the heap grows by at most 50 MB. Run with ``-s`` for the figures.

``PY_APM_LONG_RUN_CALLS`` (default 10,000: 1,000 a chunk; 100,000 for the full run).
"""

from __future__ import annotations

import os
from typing import Any

CALLS = int(os.environ.get("PY_APM_LONG_RUN_CALLS", "10000"))
CHUNKS = 10
MAX_SLOWDOWN = 3.0
MAX_HEAP_GROWTH = 50 * 1024 * 1024

CHUNK_JS = r"""
async ({calls, seed}) => {
  let x = seed >>> 0 || 1;
  const rnd = (n) => { x ^= x << 13; x ^= x >>> 17; x ^= x << 5; return (x >>> 0) % n; };
  const Apm = Microsoft.Apm;
  let done = 0, errors = 0, proxies = 0;
  const isProxy = typeof PyApm.__isPyProxy === "function" ? PyApm.__isPyProxy : () => false;
  const t0 = performance.now();
  while (done < calls) {
    const r = rnd(100);
    try {
      let v;
      if (r < 12) v = await Apm.createSession({templateName: "case_entity_session_default_template",
        isFocused: rnd(2) === 0,
        sessionContext: {parametersStr: `[["entityName","incident"],["entityId","${rnd(1000)}"]]`}});
      else if (r < 27) v = await Apm.createTab({templateName: "msdyn_entityrecord", isFocused: rnd(2) === 0,
        appContext: {entityName: "task", entityId: String(rnd(100))}});
      else if (r < 37) {
        const s = Apm.getFocusedSession();
        const tabs = s.getAllTabs();
        v = await Apm.closeTab(tabs[rnd(tabs.length)]);
      } else if (r < 50) {
        const ids = Apm.getAllSessions();
        const s = Apm.getSession(ids[rnd(ids.length)]);
        if (s) { await s.focus(); v = s.title; }
      } else if (r < 60) {
        const t = Apm.getFocusedSession().getFocusedTab();
        if (t) { await t.focus(); v = t.title; }
      } else if (r < 70) {
        const s = Apm.getFocusedSession();
        if (!s.isDefault) s.title = `T${rnd(1000)}`;
        v = s.title;
      } else if (r < 80) v = Apm.getAllSessions();
      else if (r < 86) {
        const ids = Apm.getAllSessions();
        const s = Apm.getSession(ids[rnd(ids.length)]);
        if (s && !s.isDefault) v = await s.close();
      } else if (r < 92) v = await Apm.getFocusedSession().getFocusedTab().refresh();
      else if (r < 97) v = Apm.canCreateSession();
      else if (r < 99) v = PyApm.state().sessions.length;
      else v = PyApm.reset();
      if (isProxy(v)) proxies++;
    } catch (e) {
      if (!(e instanceof Error) || typeof e.errorCode !== "number" || e.errorCode === 500) {
        throw new Error(`unexpected throw: ${e && e.constructor && e.constructor.name}: ${e && e.message}`);
      }
      errors++;
    }
    done++;
  }
  const ms = performance.now() - t0;
  await new Promise((r) => setTimeout(r, 0));  // let queued BroadcastChannel work run
  const mem = performance.memory ? performance.memory.usedJSHeapSize : null;
  return {ms, errors, proxies, heap: mem, sessions: Apm.getAllSessions().length};
}
"""


def _heap(page: Any, cdp: Any) -> int | None:
    if cdp is not None:
        cdp.send("HeapProfiler.collectGarbage")
    return page.evaluate("() => performance.memory ? performance.memory.usedJSHeapSize : null")


def test_long_run(apm_page: Any) -> None:
    page = apm_page
    try:
        cdp = page.context.new_cdp_session(page)
    except Exception:  # not Chromium: heap figures without a forced GC
        cdp = None
    per_chunk = max(1, CALLS // CHUNKS)
    page.evaluate(CHUNK_JS, {"calls": min(500, per_chunk), "seed": 7})  # warm-up (JIT, caches)
    heap_start = _heap(page, cdp)
    page.evaluate("PyApm.__proxyTracing.start()")
    results = []
    live: list[int] = []
    try:
        for i in range(CHUNKS):
            results.append(page.evaluate(CHUNK_JS, {"calls": per_chunk, "seed": 12345 + i}))
            live.append(page.evaluate("PyApm.__proxyTracing.live()"))
    finally:
        page.evaluate("PyApm.__proxyTracing.stop()")
    heap_end = _heap(page, cdp)
    if cdp is not None:
        cdp.detach()
    times = [round(r["ms"]) for r in results]
    total_errors = sum(r["errors"] for r in results)
    print(
        f"\nlong run: {per_chunk * CHUNKS} calls in {CHUNKS} chunks; chunk ms {times}; "
        f"{sum(times) / 1000:.1f} s total, {sum(times) * 1000 / (per_chunk * CHUNKS):.0f} us/call; "
        f"{total_errors} refused calls; heap start {heap_start} end {heap_end}"
        + (f" (+{(heap_end - heap_start) / 2**20:.1f} MB)" if heap_start and heap_end else "")
        + f"; live PyProxies after each chunk {live}"
    )
    assert sum(r["proxies"] for r in results) == 0, "a call returned a PyProxy"
    assert live == [0] * CHUNKS, f"PyProxies left alive by the calls: {live}"
    first, last = results[0]["ms"], results[-1]["ms"]
    assert last <= MAX_SLOWDOWN * max(first, 50), (
        f"slowdown: first chunk {first} ms, last {last} ms"
    )
    if heap_start is not None and heap_end is not None:
        growth = heap_end - heap_start
        assert growth <= MAX_HEAP_GROWTH, f"JS heap grew by {growth / 2**20:.1f} MB"


def test_proxy_counter_sees_a_leak(apm_page: Any) -> None:
    """The live-proxy count above can fail: a proxy made on purpose is counted until destroyed.
    What the probe hands out is a plain function, not a PyProxy, with nothing on it."""
    result = apm_page.evaluate(
        """() => {
          const t = PyApm.__proxyTracing;
          t.start();
          try {
            const before = t.live();
            const release = t.probe();
            const kind = typeof release, isProxy = PyApm.__isPyProxy(release);
            const during = t.live();
            release();
            return {before, kind, isProxy, during, after: t.live(), keys: Object.keys(release)};
          } finally {
            t.stop();
          }
        }"""
    )
    assert result == {
        "before": 0,
        "kind": "function",
        "isProxy": False,
        "during": 1,
        "after": 0,
        "keys": [],
    }
