"""A private warm `py-apm run` helper for one test: its own socket (below the test's folder),
found through /proc, stopped by the test."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


class Helper:
    """Runs ``py-apm run`` against one private helper socket."""

    def __init__(self, tmp: Path, idle_s: float = 60) -> None:
        self.tmp = tmp
        self.socket = tmp / "sock" / "run.sock"
        self.env = {
            **os.environ,
            "PY_APM_RUN_SOCKET": str(self.socket),
            "PY_APM_RUN_IDLE": str(idle_s),
        }
        self.env.pop("PY_APM_RUN_HELPER", None)

    def command(self, script: str, *args: str, name: str = "script.js") -> list[str]:
        path = self.tmp / name
        path.write_text(script, encoding="utf-8")
        return [sys.executable, "-m", "py_apm.host.runner", str(path), *args]

    def run(
        self, script: str, *args: str, name: str = "script.js", timeout: float = 180
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            self.command(script, *args, name=name),
            capture_output=True,
            text=True,
            timeout=timeout,
            env=self.env,
            cwd=REPO,
        )

    def pids(self) -> list[int]:
        """Processes of this test's helper (found by their command line; zombies are gone)."""
        found = []
        for proc in Path("/proc").iterdir():
            if not proc.name.isdigit():
                continue
            try:
                argv = (proc / "cmdline").read_bytes().split(b"\0")
                state = (proc / "stat").read_text().rsplit(")", 1)[1].split()[0]
            except (OSError, IndexError):
                continue
            if state != "Z" and b"py_apm.host.run_helper" in argv:
                if str(self.socket).encode() in argv:
                    found.append(int(proc.name))
        return found

    def gone(self, timeout_s: float = 10) -> bool:
        """True once the helper process has exited (it answers a stop just before)."""
        deadline = time.monotonic() + timeout_s
        while self.pids():
            if time.monotonic() > deadline:
                return False
            time.sleep(0.05)
        return True

    def stop(self, timeout: float = 90) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "py_apm.host.runner", "--stop"],
            capture_output=True,
            text=True,
            timeout=timeout,
            env=self.env,
            cwd=REPO,
        )
