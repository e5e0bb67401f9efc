"""A private warm `py-apm run` helper for a test or a module: its own socket (below the folder
given, or one shared with another ``Helper``), found through /proc, stopped by its user."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


class Helper:
    """Runs ``py-apm run`` against one private helper socket."""

    def __init__(
        self,
        tmp: Path,
        idle_s: float = 60,
        socket: Path | None = None,
    ) -> None:
        self.tmp = tmp
        self.socket = socket or tmp / "sock" / "run.sock"
        self.env = {
            **os.environ,
            "PY_APM_RUN_SOCKET": str(self.socket),
            "PY_APM_RUN_IDLE": str(idle_s),
        }
        self.env.pop("PY_APM_RUN_HELPER", None)

    def script(self, source: str, name: str = "script.js") -> Path:
        path = self.tmp / name
        path.write_text(source, encoding="utf-8")
        return path

    def command(self, script: str, *args: str, name: str = "script.js") -> list[str]:
        return [sys.executable, "-m", "py_apm.host.runner", str(self.script(script, name)), *args]

    def run(
        self, script: str, *args: str, name: str = "script.js", timeout: float = 180
    ) -> subprocess.CompletedProcess[str]:
        return self.run_files(str(self.script(script, name)), *args, timeout=timeout)

    def run_files(self, *args: str, timeout: float = 180) -> subprocess.CompletedProcess[str]:
        """``py-apm run`` with these arguments (script paths and options)."""
        return subprocess.run(
            [sys.executable, "-m", "py_apm.host.runner", *args],
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
