"""The developer-loop rows of ``py-apm bench``: ``py-apm run`` and the pytest overhead.

``py-apm run`` is timed as a whole process (Python start-up included), the way a user waits for it.
The per-test overhead of the ``apm_page`` fixture is measured in an inner pytest.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from .bench_table import Report, median, met

#: The one-line snippet ``py-apm run`` is timed with.
SNIPPET = (
    'Microsoft.Apm.createTab({templateName: "msdyn_omnichannel_kbsearch", isFocused: true});\n'
)

#: Target of a warm ``py-apm run`` of :data:`SNIPPET`, whole process, seconds.
WARM_RUN_TARGET_S = 0.4


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
    later runs) and ``cold`` (median of ``cold_runs`` runs with ``--cold``: launch + boot in
    the process). Uses a helper of its own, stopped at the end."""
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
            time.sleep(1.0)  # let the helper finish filling its pool, as between two edits
            warm = []
            for _ in range(warm_runs):
                warm.append(time_run([*base, str(script)], env))
            cold = [time_run([*base, "--cold", str(script)], env) for _ in range(cold_runs)]
        finally:
            subprocess.run([*base, "--stop"], capture_output=True, env=env, timeout=60)
    return {
        "start": start,
        "warm": float(statistics.median(warm)),
        "cold": float(statistics.median(cold)) if cold else float("nan"),
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


def pytest_overhead(many: int = 60) -> tuple[float, float, float]:
    """(e): run ``1 + many`` small `apm_page` tests (each changes a title, so the reset is real)
    in an inner pytest. Returns medians over all tests but the first (which boots the page), in
    ms: fixture overhead (setup + teardown), the test body (call), and the first test's setup."""
    with tempfile.TemporaryDirectory(prefix="py-apm-bench-pytest-") as tmp:
        Path(tmp, "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
        Path(tmp, "conftest.py").write_text(PYTEST_CONFTEST, encoding="utf-8")
        Path(tmp, "test_overhead.py").write_text(PYTEST_FILE.format(n=1 + many), encoding="utf-8")
        out = Path(tmp, "durations.json")
        env = {**os.environ, "PY_APM_BENCH_DURATIONS": str(out)}
        command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", tmp]
        done = subprocess.run(
            command, cwd=tmp, env=env, capture_output=True, text=True, timeout=300
        )
        if done.returncode != 0 or not out.is_file():
            tail = (done.stdout + done.stderr).strip().splitlines()[-5:]
            raise RuntimeError("inner pytest failed: " + " | ".join(tail))
        phases = list(json.loads(out.read_text("utf-8")).values())
    rest = phases[1:]
    fixture = median([(p["setup"] + p["teardown"]) * 1000 for p in rest])
    body = median([p["call"] * 1000 for p in rest])
    return fixture, body, phases[0]["setup"] * 1000


def run_rows(rep: Report, took: dict[str, float]) -> None:
    """The ``py-apm run`` rows: warm against its target, and what it replaces (a cold run, or
    in a quick bench the first run, which launches and boots as much)."""
    warm, cold, start = took["warm"], took["cold"], took["start"]
    versus = f"{warm / cold:.2f}x cold" if cold == cold else f"{warm / start:.2f}x first"
    rep.add(
        "py-apm run, warm (one-line snippet)",
        f"{warm:.2f} s",
        versus,
        f"<= {WARM_RUN_TARGET_S} s",
        met(warm, WARM_RUN_TARGET_S),
    )
    rep.add("py-apm run, first (starts the helper)", f"{start:.2f} s")
    if cold == cold:  # not NaN: measured
        rep.add("py-apm run --cold (launch + boot)", f"{cold:.2f} s")
    rep.notes.append(
        "py-apm run = wall time of the whole process; warm = median of 5 runs of its own helper"
    )
