"""The developer-loop rows of ``py-apm bench``: the boot floor and ``py-apm run``.

The floor page does only what no boot can avoid, all at once: fetch and compile
``pyodide.asm.wasm`` (``WebAssembly.compileStreaming``), fetch the snapshot's bytes and import
``pyodide.asm.mjs``. py-apm's ready time is compared with it, measured in the same run.
``py-apm run`` is timed as a whole process (Python start-up included), the way a user waits for it.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

from .bench_probes import median

if TYPE_CHECKING:
    from playwright.sync_api import Page

    from .bench import Report

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

#: The one-line snippet ``py-apm run`` is timed with.
SNIPPET = (
    'Microsoft.Apm.createTab({templateName: "msdyn_omnichannel_kbsearch", isFocused: true});\n'
)

#: Target of a warm ``py-apm run`` of :data:`SNIPPET`, whole process, seconds.
WARM_RUN_TARGET_S = 0.4
#: The pause before each warm run: the helper resets a page after each run, and a developer
#: reads the output before running again.
THINK_S = 0.5


def ready_floor(page: Page) -> float:
    """Wait for the floor page; ms from navigation start to its last download/compile."""
    page.wait_for_function("window.__floorReady !== undefined", timeout=60_000)
    return float(page.evaluate("window.__floorReady"))


def time_run(command: list[str], env: dict[str, str]) -> float:
    """Wall seconds of one ``py-apm run`` process (it must succeed)."""
    t0 = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=300)
    took = time.perf_counter() - t0
    if done.returncode != 0:
        tail = (done.stdout + done.stderr).strip().splitlines()[-3:]
        raise RuntimeError("py-apm run failed: " + " | ".join(tail))
    return took


def run_times(warm_runs: int, cold_runs: int) -> dict[str, float]:
    """Seconds: ``start`` (the run that starts the helper), ``warm`` (median of ``warm_runs``
    later runs, each :data:`THINK_S` after the last, as in an edit-run loop), ``burst`` (median
    of ``warm_runs`` runs back to back, each competing with the reloads the last ones left) and
    ``cold`` (median of ``cold_runs`` runs with ``--cold``: launch + boot in the process; NaN
    when 0). Uses a helper of its own, stopped at the end."""
    with tempfile.TemporaryDirectory(prefix="py-apm-bench-run-") as tmp:
        script = Path(tmp, "snippet.js")
        script.write_text(SNIPPET, encoding="utf-8")
        env = {
            **os.environ,
            "PY_APM_RUN_SOCKET": str(Path(tmp, "helper", "run.sock")),
            "PY_APM_RUN_IDLE": "60",
        }
        env.pop("PY_APM_RUN_HELPER", None)
        base = [sys.executable, "-m", "py_apm.host.cli", "run"]
        try:
            start = time_run([*base, str(script)], env)
            warm = []
            for _ in range(warm_runs):
                time.sleep(THINK_S)
                warm.append(time_run([*base, str(script)], env))
            burst = [time_run([*base, str(script)], env) for _ in range(warm_runs)]
            cold = [time_run([*base, "--cold", str(script)], env) for _ in range(cold_runs)]
        finally:
            subprocess.run([*base, "--stop"], capture_output=True, env=env, timeout=60)
    return {
        "start": start,
        "warm": median(warm),
        "burst": median(burst),
        "cold": median(cold) if cold else float("nan"),
    }


def run_rows(rep: Report, took: dict[str, float]) -> None:
    """The ``py-apm run`` rows: warm against its target, and what it replaces (a cold run, or
    in a quick bench the first run, which launches and boots as much)."""
    warm, cold, start = took["warm"], took["cold"], took["start"]
    measured_cold = cold == cold  # not NaN
    rep.add(
        "py-apm run, warm (one-line snippet)",
        f"{warm:.2f} s",
        f"{warm / cold:.2f}x cold" if measured_cold else f"{warm / start:.2f}x first",
        f"<= {WARM_RUN_TARGET_S} s",
        warm <= WARM_RUN_TARGET_S,
    )
    rep.add("py-apm run, warm, back to back", f"{took['burst']:.2f} s")
    rep.add("py-apm run, first (starts the helper)", f"{start:.2f} s")
    if measured_cold:
        rep.add("py-apm run --cold (launch + boot)", f"{cold:.2f} s")
    rep.notes.append(
        "py-apm run = wall time of the whole process, median of 5 runs of its own helper; warm:"
        f" {THINK_S:g} s apart (an edit-run loop); back to back: each run starts as the last ends"
    )
