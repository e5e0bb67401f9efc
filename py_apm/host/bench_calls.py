"""The in-page per-call figures of ``py-apm bench``: the reset and its phases, the calls, the
calls with a web-resource tab open, and createTab/closeTab cycles with memory before/after."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from .bench_probes import (
    CASE_SESSION,
    CYCLES_JS,
    KB_TAB,
    cpu_loop,
    loop,
    median,
    memory,
    model_reset_us,
    progress,
    with_frame,
)

if TYPE_CHECKING:
    from playwright.sync_api import Page


def per_call(
    page: Page, got: dict[str, Any], repeats: int, calls: int, cycles: int, block: int
) -> None:
    """(b)-(d) on a ready py-apm page; results go into ``got``."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("Performance.enable")
    progress("reset cost")
    # Each figure is (wall, CPU of the page's thread) µs per call (cpu_loop).
    got["reset"] = cpu_loop(page, cdp, "PyApm.reset();", 1000)
    # Its phases: without the pyapm:change window event (the shim skips it on a global whose
    # dispatchEvent is no function), and the model's own reset under native CPython.
    got["reset_no_event"] = cpu_loop(
        page, cdp, "PyApm.reset();", 1000, "window.dispatchEvent = undefined;"
    )
    page.evaluate("delete window.dispatchEvent")
    got["reset_model"] = model_reset_us()
    # What follows a reset once the task yields: one render of the workspace page (Home only).
    got["render"] = cpu_loop(page, cdp, "PyApmWorkspace.render();", 200)
    rtt: list[float] = []
    for _ in range(max(20, repeats * 10)):
        t0 = time.perf_counter()
        page.evaluate("PyApm.reset()")
        rtt.append((time.perf_counter() - t0) * 1000)
    got["reset_rtt"] = median(rtt)

    progress("per-call costs")
    # The synchronous contract: a call's own cost, and createTab's id handed straight to closeTab
    # (under the default runtime contract they return Promises, a microtask apart).
    page.evaluate("PyApm.reset({returns: 'documented'})")
    # Four different functions at one call site: V8 cannot inline the call away.
    got["pure_js"] = loop(
        page,
        "acc = fs[i & 3](acc, i);",
        calls,
        "let acc = 0; const fs = [(a, b) => (a + b) | 0, (a, b) => (a - b) | 0,"
        " (a, b) => (a ^ b) | 0, (a, b) => (a | b) | 0];",
    )
    page.evaluate(f"Microsoft.Apm.createSession({CASE_SESSION})")
    got["focused"] = cpu_loop(page, cdp, "Microsoft.Apm.getFocusedSession();", calls)
    got["title"] = cpu_loop(page, cdp, "Microsoft.Apm.getFocusedSession().title;", calls)
    pair_js = f"Microsoft.Apm.closeTab(Microsoft.Apm.createTab({KB_TAB}));"
    got["pair"] = cpu_loop(page, cdp, pair_js, calls)
    got["all_s"] = cpu_loop(page, cdp, "Microsoft.Apm.getAllSessions();", calls)

    progress("getFocusedSession().title with a web-resource tab open: from the top, from its frame")
    got["frames"] = with_frame(page, cdp, calls)

    progress("createTab/closeTab cycles")
    page.evaluate("PyApm.reset({returns: 'documented'})")
    got["before"] = memory(page, cdp)
    got["blocks"] = [float(t) for t in page.evaluate(CYCLES_JS, [cycles, block])]
    got["after"] = memory(page, cdp)
    cdp.detach()
