"""``py-apm bench``: measure boot time, reset cost and per-call costs in a real Chromium.

One run prints a table with every figure, its ratio to a baseline where one makes sense, and
the project's target beside it (MET / NOT MET). Needs Playwright and a Chromium
(:func:`py_apm.host.chromium.launch_args`).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .bench_calls import per_call
from .bench_loop import FLOOR_HTML, ready_floor, run_rows, run_times
from .bench_node import add_rows as add_node_rows
from .bench_probes import (
    BARE_HTML,
    FRAME_HTML,
    MB,
    NO_SNAPSHOT_HTML,
    WASM_HOOK_JS,
    cpu_loop,
    isolation_ratio,
    measure_ready,
    progress,
    pytest_overhead,
    ready_bare,
    ready_pyapm,
)
from .bench_pwtest import add_rows as add_pwtest_rows

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page


@dataclass
class Row:
    """One line of the result table."""

    name: str
    value: str
    ratio: str = ""
    target: str = ""
    met: bool | None = None


@dataclass
class Report:
    """Collected rows plus notes printed under the table."""

    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    #: Figures other sections compare with (the browser's title read, for the Node rows).
    figures: dict[str, float] = field(default_factory=dict)

    def add(
        self,
        name: str,
        value: str,
        ratio: str = "",
        target: str = "",
        met: bool | None = None,
    ) -> None:
        """Append one row."""
        self.rows.append(Row(name, value, ratio, target, met))

    def render(self) -> str:
        """The table as plain text."""
        head = ("measure", "value", "ratio", "target", "status")
        body = [
            (
                r.name,
                r.value,
                r.ratio,
                r.target,
                "" if r.met is None else ("MET" if r.met else "NOT MET"),
            )
            for r in self.rows
        ]
        widths = [max(len(str(c)) for c in col) for col in zip(head, *body, strict=False)]
        fmt = "  ".join(f"{{:<{w}}}" for w in widths)
        lines = [fmt.format(*head).rstrip(), fmt.format(*("-" * w for w in widths))]
        lines += [fmt.format(*row).rstrip() for row in body]
        lines += [f"note: {n}" for n in self.notes]
        return "\n".join(lines)


def _status(value: float, limit: float) -> bool:
    return value <= limit


def _add_ratio(rep: Report, name: str, ms: float, base_ms: float, base: str, limit: float) -> None:
    """A boot row bounded by its ratio to another page's boot (``base``: what that page is)."""
    ratio = ms / base_ms
    bound = f"<= {limit}x {base}"
    rep.add(name, f"{ms:.0f} ms", f"{ratio:.2f}x {base}", bound, _status(ratio, limit))


def run(
    repeats: int, calls: int, cycles: int, block: int, cold_runs: int = 3, quick: bool = False
) -> Report:
    """Do every measurement and return the report."""
    from .headless import headless
    from .snapshot_build import ensure

    rep = Report()
    progress("memory snapshot (built when missing)")
    snap = ensure(quiet=False)
    rep.notes.append(
        f"snapshot: {snap.path.name} ({snap.path.stat().st_size / 1e6:.1f} MB)"
        if snap is not None
        else "snapshot: NONE (could not be built; py-apm rows boot without it)"
    )
    with tempfile.TemporaryDirectory(prefix="py-apm-bench-") as tmp:
        Path(tmp, "bare.html").write_text(BARE_HTML, encoding="utf-8")
        Path(tmp, "nosnap.html").write_text(NO_SNAPSHOT_HTML, encoding="utf-8")
        Path(tmp, "floor.html").write_text(FLOOR_HTML, encoding="utf-8")
        Path(tmp, "frame.html").write_text(FRAME_HTML, encoding="utf-8")
        with headless(webresources=tmp, extra_args=["--enable-precise-memory-info"]) as chromium:
            sizes = (repeats, 1 if quick else repeats, calls, cycles, block)
            _bench(chromium.browser, chromium.url.rstrip("/"), rep, *sizes)
    progress("py-apm run: first run (starts the warm helper), warm runs, cold runs")
    run_rows(rep, run_times(warm_runs=5, cold_runs=cold_runs))
    progress("Node: boots, reset, title read, per test file in Vitest and Jest")
    add_node_rows(rep, rep.figures.get("title_cpu_us"), quick)
    progress("Playwright Test: 50 isolated apmPage tests vs 50 page tests (one run)")
    add_pwtest_rows(rep)
    return rep


def _bench(
    browser: Browser,
    base: str,
    rep: Report,
    repeats: int,
    ref_repeats: int,
    calls: int,
    cycles: int,
    block: int,
) -> None:
    """The measurements proper (a)-(e). ``ref_repeats``: loads for the reference pages (bare
    Pyodide, no snapshot), which only put the py-apm figures in proportion."""
    got: dict[str, Any] = {}

    def bare_after(page: Page) -> None:
        progress("raw PyProxy baseline")
        cdp = page.context.new_cdp_session(page)
        cdp.send("Performance.enable")
        setup = 'const f = window.pyodide.runPython("lambda: None");'
        got["raw"] = cpu_loop(page, cdp, "f();", calls, setup)
        cdp.detach()

    def apm_after(page: Page) -> None:
        page.context.add_init_script(WASM_HOOK_JS)
        page.reload()
        ready_pyapm(page)
        got["phases"] = page.evaluate("PyApm.bootPhases")
        per_call(page, got, repeats, calls, cycles, block)

    progress("page ready times (bare)")
    bare_fresh, bare_reload = measure_ready(
        browser, base + "/webresources/bare.html", ready_bare, ref_repeats, bare_after
    )
    progress("page ready times (floor, then py-apm)")
    floor_fresh, floor_reload = measure_ready(
        browser, base + "/webresources/floor.html", ready_floor, repeats
    )
    apm_fresh, apm_reload = measure_ready(browser, base + "/", ready_pyapm, repeats, apm_after)
    progress("pytest per-test overhead (inner pytest runs)")
    got["pytest"] = pytest_overhead()
    progress("50 isolated apm_page tests vs 50 plain page tests (one inner pytest run)")
    got["isolation"] = isolation_ratio()
    progress("page ready times (py-apm without snapshot)")
    plain_fresh, plain_reload = measure_ready(
        browser, base + "/webresources/nosnap.html", ready_pyapm, ref_repeats
    )
    # (wall, cpu) pairs; ratios and targets use the CPU figures (see cpu_loop)
    raw_wall, raw = got["raw"]
    reset_wall, reset_cpu = got["reset"]
    reset_rtt = got["reset_rtt"]
    pure_js = got["pure_js"]
    title, title_cpu = got["title"]
    pair_wall, pair = got["pair"]
    all_wall, all_s = got["all_s"]
    focused_wall, focused = got["focused"]
    rep.figures["title_us"] = title
    rep.figures["title_cpu_us"] = title_cpu
    before, blocks, after = got["before"], got["blocks"], got["after"]

    rep.add("ready, bare loadPyodide, fresh context", f"{bare_fresh:.0f} ms")
    rep.add("ready, bare loadPyodide, reload", f"{bare_reload:.0f} ms")
    _add_ratio(rep, "ready, py-apm, fresh context", apm_fresh, bare_fresh, "bare", 0.35)
    rep.add(
        "ready, py-apm, reload",
        f"{apm_reload:.0f} ms",
        f"{apm_reload / bare_reload:.2f}x bare",
        "<= 700 ms",
        _status(apm_reload, 700.0),
    )
    rep.add("ready, floor (compile wasm + snapshot + asm.mjs), fresh", f"{floor_fresh:.0f} ms")
    rep.add("ready, floor, reload", f"{floor_reload:.0f} ms")
    _add_ratio(rep, "ready, py-apm vs floor, fresh context", apm_fresh, floor_fresh, "floor", 1.5)
    _add_ratio(rep, "ready, py-apm vs floor, reload", apm_reload, floor_reload, "floor", 1.3)
    phases = sorted((got.get("phases") or {}).items(), key=lambda kv: kv[1])
    rep.notes.append(
        "py-apm boot phases (ms, last reload): " + ", ".join(f"{k} {v}" for k, v in phases)
    )
    rep.add(
        "ready, py-apm without snapshot, fresh",
        f"{plain_fresh:.0f} ms",
        f"{plain_fresh / bare_fresh:.2f}x bare",
    )
    rep.add(
        "ready, py-apm without snapshot, reload",
        f"{plain_reload:.0f} ms",
        f"{plain_reload / bare_reload:.2f}x bare",
    )
    rep.notes.append(
        f"ready = ms from navigation start, median of {repeats}"
        + (f" ({ref_repeats} for bare and without snapshot)" if ref_repeats != repeats else "")
    )
    rep.notes.append("raw PyProxy measured in the bare page (PyApm exposes no pyodide handle)")

    event_cpu = reset_cpu - got["reset_no_event"][1]
    rep.add(
        "PyApm.reset(), JS loop (CPU of the page's thread)",
        f"{reset_cpu:.1f} us/call",
        f"wall {reset_wall:.1f} us",
        "<= 100 us",
        _status(reset_cpu, 100.0),
    )
    rep.notes.append(
        f"PyApm.reset() CPU by phase: the model's reset {got['reset_model']:.1f} us under native "
        f"CPython (more in Pyodide); the pyapm:change window event {event_cpu:.1f} us; the rest "
        f"{reset_cpu - event_cpu:.1f} us = the crossing into Python and its payload back, the "
        "model, the shim's dispatch (page listeners, the workspace's render request) and clearing "
        "the faces' objects; then, once the task yields (not in the loop), one render of the "
        f"workspace page: {got['render'][1]:.0f} us"
    )
    rep.add("PyApm.reset(), page.evaluate round trip", f"{reset_rtt:.2f} ms")
    fixture_ms, body_ms, first_ms = got["pytest"]
    rep.add(
        "pytest per-test overhead (apm_page)",
        f"{fixture_ms:.1f} ms/test",
        "",
        "<= 20 ms",
        _status(fixture_ms, 20.0),
    )
    rep.notes.append(
        f"per-test overhead = median setup + teardown of apm_page over 60 tests of an inner "
        f"pytest (their bodies: {body_ms:.1f} ms; the first test's setup, browser + boot: "
        f"{first_ms:.0f} ms)"
    )
    iso = got["isolation"]
    rep.add(
        "50 tests: isolated apm_page vs pytest-playwright page",
        f"{iso['apm_ms'] / 1000:.2f} s vs {iso['plain_ms'] / 1000:.2f} s",
        f"{iso['ratio']:.2f}x page",
        "<= 1.5x page",
        _status(iso["ratio"], 1.5),
    )
    rep.notes.append(
        "apm_page per test, median ms by phase of the isolated reset: "
        + ", ".join(f"{name} {ms:.1f}" for name, ms in iso["phases"].items())
    )
    rep.add("raw PyProxy call (bare page)", f"{raw_wall:.3f} us/call", f"CPU {raw:.3f} us")
    rep.add("pure-JS function call", f"{pure_js:.4f} us/call", f"{pure_js / raw_wall:.3f}x raw")
    rep.add(
        "getFocusedSession() (one crossing)",
        f"{focused_wall:.2f} us/call",
        f"{focused / raw:.1f}x raw",
    )
    rep.add(
        "getFocusedSession().title",
        f"{title:.2f} us/call",
        f"{title_cpu / raw:.1f}x raw",
        "<= 10x raw PyProxy",
        _status(title_cpu / raw, 10.0),
    )
    alone, top_f, in_f = got["frames"]
    for where, cost in (
        ("the top page", top_f),
        ("the tab's frame script (window.parent, tagged)", in_f),
    ):
        rep.add(
            f"getFocusedSession().title, one web-resource tab open, from {where}",
            f"{cost:.2f} us CPU/call",
            f"{cost / alone:.2f}x no frame ({alone:.2f} us CPU)",
            "<= 1.5x no frame",
            _status(cost / alone, 1.5),
        )
    rep.add(
        "createTab + closeTab",
        f"{pair_wall:.2f} us/pair",
        f"{pair / raw:.1f}x raw",
        "<= 245x raw",
        _status(pair / raw, 245.0),
    )
    rep.add("getAllSessions()", f"{all_wall:.2f} us/call", f"{all_s / raw:.1f}x raw")
    rep.notes.append(
        "title reads are answered in JS until the next change (shim.js cachedGetter); "
        "getFocusedSession() is logged, so it crosses every time"
    )
    rep.notes.append(
        f"per-call = median of 5 runs of {calls:,} calls in one evaluate, after a warm-up run; "
        "ratios to raw compare CPU times of the page's main thread (CDP ThreadTime over the same "
        "evaluate), which a machine busy with other work inflates far less than wall times"
    )

    first, last = blocks[0], blocks[-1]
    growth = last / first if first > 0 else float("inf")
    rep.add(f"{cycles:,} cycles: first {block:,}", f"{first:.1f} ms")
    rep.add(
        f"{cycles:,} cycles: last {block:,}",
        f"{last:.1f} ms",
        f"{growth:.2f}x first",
        "<= 1.2x first",
        _status(growth, 1.2),
    )
    js_d = (after["js"] or 0) - (before["js"] or 0)
    cdp_d = (after["cdp"] or 0) - (before["cdp"] or 0)
    rep.add(
        "JS heap (performance.memory)",
        f"{(before['js'] or 0) / MB:.1f} -> {(after['js'] or 0) / MB:.1f} MB",
        f"{js_d / MB:+.2f} MB",
        "growth <= 5 MB",
        _status(js_d / MB, 5.0),
    )
    rep.add(
        "JS heap (CDP JSHeapUsedSize)",
        f"{(before['cdp'] or 0) / MB:.1f} -> {(after['cdp'] or 0) / MB:.1f} MB",
        f"{cdp_d / MB:+.2f} MB",
        "growth <= 5 MB",
        _status(cdp_d / MB, 5.0),
    )
    if before["wasm"] is not None and after["wasm"] is not None:
        w_d = after["wasm"] - before["wasm"]
        rep.add(
            "wasm memory (WebAssembly.Memory)",
            f"{before['wasm'] / MB:.1f} -> {after['wasm'] / MB:.1f} MB",
            f"{w_d / MB:+.2f} MB",
            "growth <= 5 MB",
            _status(w_d / MB, 5.0),
        )
    else:
        rep.add("wasm memory", "n/a (not reachable)")
    rep.notes.append("memory measured after a forced GC (HeapProfiler.collectGarbage)")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="py-apm bench", description="Measure py-apm boot and call costs in Chromium."
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="fewer repeats (2; 1 for the reference pages) and no cold py-apm run",
    )
    parser.add_argument(
        "--repeats", type=int, default=None, help="page loads per ready figure (default 5)"
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    """CLI entry point; prints the table and returns 0 (1 if the browser is unavailable)."""
    args = _parser().parse_args(argv)
    repeats = args.repeats if args.repeats is not None else (2 if args.quick else 5)
    calls = 10_000
    cycles, block = 10_000, 1_000
    t0 = time.perf_counter()
    try:
        cold_runs = 0 if args.quick else 3
        rep = run(max(1, repeats), calls, cycles, block, cold_runs, quick=args.quick)
    except Exception as exc:  # noqa: BLE001 - report any setup failure as one line
        print(f"py-apm bench: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    print(rep.render())
    print(f"total bench time: {time.perf_counter() - t0:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
