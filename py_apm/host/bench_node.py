"""The Node rows of ``py-apm bench``: py-apm booted in Node by the npm package's ``createApm``.

Measured by ``npm/bench.mjs`` (a checkout only: the npm package is built from it) on the packed
package installed with the sample projects' pinned Vitest and Jest into ``build/node-bench/``
(installed once; later runs reuse it when the package did not change).
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any, Protocol

ROOT = Path(__file__).resolve().parents[2]
BENCH_JS = ROOT / "npm" / "bench.mjs"
SAMPLES = ("node-vitest", "node-jest")
TIMEOUT_S = 900


class Rows(Protocol):
    """What the bench report offers (bench.Report)."""

    notes: list[str]

    def add(
        self, name: str, value: str, ratio: str = "", target: str = "", met: bool | None = None
    ) -> None: ...


def _runner_deps() -> list[str]:
    """The samples' pinned test runners (name@version), py-apm-emulator aside."""
    deps: dict[str, str] = {}
    for sample in SAMPLES:
        manifest = json.loads((ROOT / "examples" / sample / "package.json").read_text("utf-8"))
        deps.update(manifest.get("devDependencies", {}))
    deps.pop("py-apm-emulator", None)
    return [f"{name}@{version}" for name, version in sorted(deps.items())]


def _install(work: Path) -> Path:
    """Pack the package and install it with the runners into ``work``; its installed folder."""
    out = work / "pack"
    tarball = Path(
        subprocess.run(
            [sys.executable, str(ROOT / "npm" / "build.py"), "--pack", "--out", str(out)],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
    )
    digest = hashlib.sha256(tarball.read_bytes()).hexdigest()
    stamp = work / "installed.sha256"
    installed = work / "node_modules" / "py-apm-emulator"
    if not (installed.is_dir() and stamp.is_file() and stamp.read_text() == digest):
        (work / "package.json").write_text('{"name": "py-apm-node-bench", "private": true}\n')
        subprocess.run(
            [
                "npm",
                "install",
                "--no-audit",
                "--no-fund",
                "--prefer-offline",
                "--save-exact",
                str(tarball),
                *_runner_deps(),
            ],
            cwd=work,
            check=True,
            capture_output=True,
        )
        stamp.write_text(digest)
    return installed


def measure(quick: bool) -> dict[str, Any]:
    """Run npm/bench.mjs; its figures (see there)."""
    work = ROOT / "build" / "node-bench"
    work.mkdir(parents=True, exist_ok=True)
    package = _install(work)
    args = ["node", str(BENCH_JS), str(package), str(work)] + (["--quick"] if quick else [])
    done = subprocess.run(args, check=True, capture_output=True, text=True, timeout=TIMEOUT_S)
    return dict(json.loads(done.stdout))


def add_rows(rep: Rows, browser_title_cpu_us: float | None, quick: bool) -> None:
    """Measure and add the Node rows (a note instead when Node or the checkout is missing)."""
    if not BENCH_JS.is_file() or shutil.which("node") is None or shutil.which("npm") is None:
        rep.notes.append("Node rows: skipped (they need a checkout with node and npm)")
        return
    try:
        got = measure(quick)
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired, ValueError) as exc:
        detail = getattr(exc, "stderr", None) or str(exc)
        if isinstance(detail, bytes):
            detail = detail.decode("utf-8", "replace")
        rep.notes.append(f"Node rows: failed ({str(detail).strip().splitlines()[-1:]})")
        return
    cold, warm = got["bootColdMs"], got["bootSnapshotMs"]
    rep.add(
        "Node: boot without snapshot (new process)",
        f"{cold:.0f} ms",
        f"CPU {got['bootColdCpuMs']:.0f} ms",
    )
    rep.add(
        "Node: boot from the Node snapshot (new process)",
        f"{warm:.0f} ms",
        f"{warm / cold:.2f}x without; CPU {got['bootSnapshotCpuMs']:.0f} ms",
        "<= 1000 ms",
        warm <= 1000.0 and bool(got["fromSnapshot"]),
    )
    reset_cpu = got["resetCpuUs"]
    rep.add(
        "Node: PyApm.reset() (CPU)",
        f"{reset_cpu:.1f} us/call",
        f"wall {got['resetUs']:.1f} us",
        "<= 100 us",
        reset_cpu <= 100.0,
    )
    title, title_cpu = got["titleUs"], got["titleCpuUs"]
    if browser_title_cpu_us:
        ratio = title_cpu / browser_title_cpu_us
        rep.add(
            "Node: getFocusedSession().title",
            f"{title:.2f} us/call",
            f"CPU {title_cpu:.2f} us = {ratio:.2f}x browser",
            "<= 2x browser",
            ratio <= 2.0,
        )
    else:
        rep.add(
            "Node: getFocusedSession().title", f"{title:.2f} us/call", f"CPU {title_cpu:.2f} us"
        )
    for runner, label in (("vitest", "Vitest (node)"), ("jest", "Jest (jsdom)")):
        if runner in got:
            row = got[runner]
            rep.add(
                f"Node: cost of py-apm per test file, {label}",
                f"{row['perFileMs']:.0f} ms",
                f"{row['files']} files: {row['apmS']:.1f} s vs {row['bareS']:.1f} s bare",
            )
    rep.notes.append(
        "Node: boots are medians of new processes (createApm to ready; CPU = the process's user "
        "+ system time meanwhile); per-call figures as the browser's (a warm-up run, then the "
        "median of 5), the ratio between CPU times; per-file costs are (one-worker run with "
        "py-apm - the same run without) / files"
    )
