"""The Playwright Test row of ``py-apm bench``: 50 tests on the isolated ``apmPage`` against the
same 50 on Playwright Test's ``page`` (a new context per test opening a static page).

Run in one Playwright Test invocation of ``npm/tests/tests/overhead.spec.ts`` and
``baseline.spec.ts`` (a checkout only) in a project where the packed package and the locked
``@playwright/test`` are installed (``build/pwtest-bench/``, installed once; later runs reuse it
while the package is the same), with the system Chromium.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from statistics import median
from typing import Any

from .bench_node import Rows

ROOT = Path(__file__).resolve().parents[2]
PROJECT = ROOT / "npm" / "tests"
SPECS = ("overhead.spec.ts", "baseline.spec.ts")
TIMEOUT_S = 900


def _locked(name: str) -> str:
    """The version package-lock.json pins for a root devDependency."""
    lock = json.loads((ROOT / "package-lock.json").read_text("utf-8"))
    return str(lock["packages"][f"node_modules/{name}"]["version"])


def _install(work: Path) -> None:
    """Pack the package; install it with the locked @playwright/test into ``work`` when changed."""
    done = subprocess.run(
        [sys.executable, str(ROOT / "npm" / "build.py"), "--pack", "--out", str(work / "pack")],
        check=True,
        capture_output=True,
        text=True,
    )
    tarball = Path(done.stdout.strip())
    pin = f"@playwright/test@{_locked('@playwright/test')}"
    digest = hashlib.sha256(tarball.read_bytes() + pin.encode()).hexdigest()
    stamp = work / "installed.sha256"
    if (work / "node_modules" / "py-apm-emulator").is_dir() and stamp.is_file():
        if stamp.read_text() == digest:
            return
    (work / "package.json").write_text(
        '{"name": "py-apm-pwtest-bench", "private": true, "type": "module"}\n'
    )
    command = ["npm", "install", "--no-audit", "--no-fund", "--prefer-offline", "--save-exact"]
    subprocess.run([*command, str(tarball), pin], cwd=work, check=True, capture_output=True)
    stamp.write_text(digest)


def _copy_project(work: Path) -> None:
    """The user project of npm/tests (config, templates, web resources, the two specs)."""
    for name in ("playwright.config.ts", "templates.json"):
        shutil.copy(PROJECT / name, work / name)
    shutil.rmtree(work / "webresources", ignore_errors=True)
    shutil.copytree(PROJECT / "webresources", work / "webresources")
    shutil.rmtree(work / "tests", ignore_errors=True)
    (work / "tests").mkdir()
    for spec in SPECS:
        shutil.copy(PROJECT / "tests" / spec, work / "tests" / spec)


def _runs(report: dict[str, Any]) -> list[tuple[str, float, float]]:
    """(title, start ms, duration ms) of every test result, in start order."""
    runs: list[tuple[str, float, float]] = []

    def walk(suite: dict[str, Any]) -> None:
        for spec in suite.get("specs", []):
            for test in spec["tests"]:
                for result in test["results"]:
                    start = _ms(result["startTime"])
                    runs.append((spec["title"], start, float(result["duration"])))
        for child in suite.get("suites", []):
            walk(child)

    for suite in report["suites"]:
        walk(suite)
    return sorted(runs, key=lambda r: r[1])


def _ms(stamp: str) -> float:
    return datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp() * 1000


def figures(report: dict[str, Any]) -> dict[str, float]:
    """Totals and medians (ms) of each group's tests but its first (which boots the page)."""
    runs = _runs(report)
    got: dict[str, float] = {}
    for group in ("overhead", "baseline"):
        durations = [d for title, _, d in runs if title.startswith(group)][1:]
        if not durations:
            raise ValueError(f"no {group} tests in the Playwright Test report")
        got[f"{group}_ms"] = sum(durations)
        got[f"{group}_median_ms"] = median(durations)
        got[f"{group}_n"] = len(durations)
    return got


def measure() -> dict[str, float]:
    """Install (when changed), copy the project, run the two specs on one worker; the figures."""
    work = ROOT / "build" / "pwtest-bench"
    work.mkdir(parents=True, exist_ok=True)
    _install(work)
    _copy_project(work)
    results = work / "results.json"
    results.unlink(missing_ok=True)
    env = {**os.environ, "PY_APM_BROWSER": os.environ.get("PY_APM_BROWSER") or _browser()}
    subprocess.run(
        [
            "npx",
            "--no-install",
            "playwright",
            "test",
            *(f"tests/{s}" for s in SPECS),
            "--workers",
            "1",
        ],
        cwd=work,
        env=env,
        check=True,
        capture_output=True,
        timeout=TIMEOUT_S,
    )
    return figures(json.loads(results.read_text("utf-8")))


def _browser() -> str:
    return shutil.which("chromium") or "/usr/bin/chromium"


def add_rows(rep: Rows) -> None:
    """Measure and add the row (a note instead when Node or the checkout is missing)."""
    if not (PROJECT / "tests" / SPECS[0]).is_file() or shutil.which("npx") is None:
        rep.notes.append("Playwright Test row: skipped (it needs a checkout with node and npm)")
        return
    try:
        got = measure()
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired, ValueError, OSError) as exc:
        detail = getattr(exc, "stdout", None) or getattr(exc, "stderr", None) or str(exc)
        if isinstance(detail, bytes):
            detail = detail.decode("utf-8", "replace")
        rep.notes.append(f"Playwright Test row: failed ({str(detail).strip().splitlines()[-1:]})")
        return
    apm, page = got["overhead_ms"], got["baseline_ms"]
    ratio = apm / page
    rep.add(
        f"{got['overhead_n']:.0f} tests: isolated apmPage vs Playwright Test page",
        f"{apm / 1000:.2f} s vs {page / 1000:.2f} s",
        f"{ratio:.2f}x page",
        "<= 1.5x page",
        ratio <= 1.5,
    )
    rep.notes.append(
        f"Playwright Test per test, medians: apmPage {got['overhead_median_ms']:.0f} ms, page "
        f"{got['baseline_median_ms']:.0f} ms (npm/tests overhead.spec.ts and baseline.spec.ts, "
        "one worker, the first test of each left out)"
    )
