"""Awaited calls in a loop that never yields to the event loop (only microtasks), no forced GC:
what each call leaves behind until the page yields must not pile up.

One cycle: create a session, 3 tabs, 10 ``updateContext``, reads, ``getContext``,
``resolveSlug``, focus, close, each awaited. The test samples the renderers' resident memory,
read from outside while the page is busy, and prints it per 5,000 calls (the loop notes when it
passed each 5,000), then the JS heap after a full GC: what the calls left alive. The short run
(5,000 calls, in the normal suite) asserts bounded growth by a generous margin;
``PY_APM_HOSTILE=full`` runs 100,000 calls; both print the curve (``-s``). The resident memory
still rises by about 100 MB over 100,000 calls: V8 sizing its heap for the allocation rate (a
plain JS page allocating the same way, without py-apm, rises as much; docs/performance.md).
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from .hostile import FULL

CALLS = int(os.environ.get("PY_APM_SOAK_CALLS", 100_000 if FULL else 5_000))
#: Growth allowed from the first sample to the last (short run): generous, a pile-up of every
#: call's records grows far beyond it.
MAX_RSS_GROWTH_MB = 150 if not FULL else 400
#: What the calls may leave alive in the JS heap (after a full GC): one object per closed session
#: kept until a reset was 18 MB after 100,000 calls.
MAX_LIVE_HEAP_GROWTH_MB = 4
#: The curve's step, in calls.
STEP = 5_000

SOAK_JS = r"""
async ({calls, step}) => {
  const Apm = Microsoft.Apm;
  const W = window.PyApmWorkspace;
  const rendered = () => (W ? W.renderCount : 0);
  const renders = rendered();
  let done = 0;
  const marks = []; // [calls, Date.now()] each time the loop passes a multiple of `step`
  let next = step;
  const tick = () => { if (++done >= next) { marks.push([done, Date.now()]); next += step; } };
  while (done < calls) {
    const sid = await Apm.createSession({templateName: "case_entity_session_default_template",
      isFocused: true,
      sessionContext: {parametersStr: '[["entityName","incident"],["entityId","42"]]'}}); tick();
    const s = Apm.getSession(sid); tick();
    for (let i = 0; i < 3; i++) {
      await Apm.createTab({templateName: "msdyn_entityrecord", isFocused: i === 2,
        appContext: {entityName: "task", entityId: String(i)}}); tick();
    }
    for (let i = 0; i < 10; i++) { await s.updateContext({k: "v" + i, n: i}); tick(); }
    s.title; tick();
    Apm.getAllSessions(); tick();
    s.getAllTabs(); tick();
    const ctx = await s.getContext(); tick();
    ctx.get("k");
    await s.resolveSlug("{k}"); tick();
    await Apm.getSession("session-id-0").focus(); tick();
    await s.focus(); tick();
    await s.close(); tick();
  }
  // Still in the loop's task: the workspace page renders (builds DOM) a bounded number of
  // times, not after every call.
  return { done, renders: rendered() - renders, marks };
}
"""


def _renderer_rss_mb(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total / 1024


class Sampler:
    """The renderers' resident memory every 0.2 s while the loop runs (the page is busy: it
    answers nothing until the loop ends, so memory is read from outside)."""

    def __init__(self, pids: list[int]) -> None:
        self.pids = pids
        #: (wall-clock ms, RSS MB): the page's Date.now() and ours read the same clock
        self.samples: list[tuple[float, float]] = []
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.started = time.monotonic()
        self.thread.start()

    def _run(self) -> None:
        while not self.done.wait(0.2):
            self.samples.append((time.time() * 1000, _renderer_rss_mb(self.pids)))

    def stop(self) -> float:
        self.done.set()
        self.thread.join()
        return time.monotonic() - self.started

    def at(self, when_ms: float) -> float | None:
        """The sample nearest to a wall-clock time (None: no samples)."""
        if not self.samples:
            return None
        return min(self.samples, key=lambda s: abs(s[0] - when_ms))[1]


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads the renderer's memory in /proc")
def test_awaited_calls_that_never_yield_keep_memory_flat(apm_page: Any) -> None:
    cdp = apm_page.context.browser.new_browser_cdp_session()
    info = cdp.send("SystemInfo.getProcessInfo")["processInfo"]
    renderers = [p["id"] for p in info if p["type"] == "renderer"]
    apm_page.evaluate("() => PyApm.reset({restoreDefaults: true})")
    page_cdp = apm_page.context.new_cdp_session(apm_page)
    page_cdp.send("HeapProfiler.collectGarbage")
    live_before = page_cdp.send("Runtime.getHeapUsage")["usedSize"] / 2**20
    rss_before = _renderer_rss_mb(renderers)
    sampler = Sampler(renderers)
    out = apm_page.evaluate(SOAK_JS, {"calls": CALLS, "step": STEP})
    done = out["done"]
    elapsed = sampler.stop()
    heap_after = page_cdp.send("Runtime.getHeapUsage")
    page_cdp.send("HeapProfiler.collectGarbage")
    live_after = page_cdp.send("Runtime.getHeapUsage")["usedSize"] / 2**20
    apm_page.evaluate("() => PyApm.reset({restoreDefaults: true})")
    curve = [(n, sampler.at(when)) for n, when in out["marks"]]
    print(f"\nsoak: {done} awaited calls without yielding in {elapsed:.1f} s")
    print(f"  workspace page renders during the loop: {out['renders']}")
    used, total = heap_after["usedSize"] / 2**20, heap_after["totalSize"] / 2**20
    print(f"  JS heap after the loop: {used:.1f} MB used of {total:.1f} MB (before a GC)")
    print(
        f"  JS heap after a full GC: {live_before:.1f} MB before the loop, {live_after:.1f} after"
    )
    print("         calls   renderers RSS MB")
    print(f"  {0:>12}   {rss_before:>16.1f}")
    for n, rss in curve:
        print(f"  {n:>12}   {rss:>16.1f}" if rss is not None else f"  {n:>12}   {'-':>16}")
    assert done >= CALLS
    assert out["renders"] <= 50, out
    assert live_after - live_before < MAX_LIVE_HEAP_GROWTH_MB, (live_before, live_after)
    peak = max([rss_before] + [rss for _, rss in sampler.samples])
    assert peak - rss_before < MAX_RSS_GROWTH_MB, curve


#: Per face: open a session, hand out its session object, its anchor tab's (a session's close
#: emits no event per tab) and a second tab's (closed by itself first), then close the session;
#: WeakRefs to the objects handed out, and whether a live session's object is still the same one.
CLOSED_OBJECTS_JS = r"""
async () => {
  const Apm = Microsoft.Apm;
  const faces = {
    apm: {get: (id) => Apm.getSession(id), anchor: (s) => s.getFocusedTab(), tab: (s, id) => s.getTab(id)},
    runtime: {get: (id) => Microsoft.AppRuntime.Sessions.getSession(id),
      anchor: (s) => s.getFocusedTab(), tab: (s, id) => s.getTab(id)},
    xrm: {get: (id) => Xrm.App.sessions.getSession(id), anchor: (s) => s.anchorTab,
      tab: (s, id) => s.tabs.getTab(id)},
  };
  const open = await Apm.createSession({templateName: "case_entity_session_default_template"});
  const kept = Object.fromEntries(Object.entries(faces).map(([name, f]) => [name, f.get(open)]));
  window.__pyApmSoakRefs = [];
  const missing = [];
  for (const [name, f] of Object.entries(faces)) {
    const sid = await Apm.createSession({templateName: "case_entity_session_default_template"});
    const tabId = await Apm.createTab({templateName: "msdyn_entityrecord", isFocused: false,
      appContext: {entityName: "task", entityId: "1"}});
    const s = f.get(sid), anchor = f.anchor(s), tab = f.tab(s, tabId);
    if (!s || !anchor || !tab) missing.push(name);
    window.__pyApmSoakRefs.push(...[s, anchor, tab].filter(Boolean).map((o) => [name, new WeakRef(o)]));
    await Apm.closeTab(tabId);
    await Apm.getSession(sid).close();
  }
  const same = Object.entries(faces).filter(([name, f]) => f.get(open) !== kept[name]).map(([n]) => n);
  return {missing, notSame: same};
}
"""


def test_objects_of_closed_sessions_and_tabs_are_not_kept(apm_page: Any) -> None:
    """The session and tab objects handed out for an id are dropped when it closes (ids are
    not reused before a reset, lookups of a closed id answer null): a loop that creates, reads
    and closes sessions keeps none of them. A live session keeps its one object."""
    out = apm_page.evaluate(CLOSED_OBJECTS_JS)
    assert out == {"missing": [], "notSame": []}
    # A full collection once the task has ended (WeakRef targets are kept until it ends).
    apm_page.context.new_cdp_session(apm_page).send("HeapProfiler.collectGarbage")
    kept = apm_page.evaluate(
        "() => window.__pyApmSoakRefs.filter(([, ref]) => ref.deref() !== undefined).map(([n]) => n)"
    )
    apm_page.evaluate("() => { delete window.__pyApmSoakRefs; }")
    assert kept == []
