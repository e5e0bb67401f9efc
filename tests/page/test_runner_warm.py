"""The warm `py-apm run`: a background helper keeps Chromium and booted pages between runs.

Each test has its own helper (its own socket, a short idle timeout) and stops it at the end.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not (REPO / "shim.js").is_file(), reason="needs the real shim.js"),
    pytest.mark.skipif(not Path("/proc").is_dir(), reason="finds the helper through /proc"),
]

CHAT = (
    "Microsoft.Apm.createSession({templateName: 'msdyn_chat_session', "
    "sessionContext: {customerName: %r}});\n"
)


class Helper:
    """Runs ``py-apm run`` against one private helper socket."""

    def __init__(self, tmp: Path, idle_s: float = 60) -> None:
        self.socket = tmp / "sock" / "run.sock"
        self.env = {
            **os.environ,
            "PY_APM_RUN_SOCKET": str(self.socket),
            "PY_APM_RUN_IDLE": str(idle_s),
        }
        self.env.pop("PY_APM_RUN_HELPER", None)
        self.tmp = tmp

    def command(self, script: str, *args: str, name: str = "script.js") -> list[str]:
        path = self.tmp / name
        path.write_text(script, encoding="utf-8")
        return [sys.executable, "-m", "py_apm.host.runner", str(path), *args]

    def run(self, script: str, *args: str, name: str = "script.js") -> subprocess.CompletedProcess:
        return subprocess.run(
            self.command(script, *args, name=name),
            capture_output=True,
            text=True,
            timeout=180,
            env=self.env,
            cwd=REPO,
        )

    def pids(self) -> list[int]:
        """Processes of this test's helper (found by their command line)."""
        found = []
        for proc in Path("/proc").iterdir():
            if not proc.name.isdigit():
                continue
            try:
                argv = (proc / "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if b"py_apm.host.run_helper" in argv and str(self.socket).encode() in argv:
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

    def stop(self) -> None:
        subprocess.run(
            [sys.executable, "-m", "py_apm.host.runner", "--stop"],
            capture_output=True,
            timeout=60,
            env=self.env,
            cwd=REPO,
        )


@pytest.fixture
def helper(tmp_path: Path) -> Iterator[Helper]:
    h = Helper(tmp_path)
    try:
        yield h
    finally:
        h.stop()
        assert h.gone()


def _json(proc: subprocess.CompletedProcess) -> dict:
    assert proc.returncode in (0, 1), proc.stdout + proc.stderr
    return json.loads(proc.stdout)


def test_second_run_reuses_the_helper_and_prints_the_same(helper: Helper) -> None:
    script = CHAT % "Contoso" + "console.log(Microsoft.Apm.getFocusedSession().title);\n"
    first = helper.run(script)
    assert first.returncode == 0, first.stdout + first.stderr
    assert "starting the warm helper" in first.stderr  # a cold start says what it waits for
    (pid,) = helper.pids()
    second = helper.run(script)
    assert second.returncode == 0, second.stdout + second.stderr
    assert "starting" not in second.stderr and "launching" not in second.stderr
    assert helper.pids() == [pid]
    assert second.stdout == first.stdout
    assert "[log] Contoso" in second.stdout and "Workspace: 2 sessions" in second.stdout


def test_warm_output_equals_cold_output(helper: Helper) -> None:
    script = (
        CHAT % "Alex"
        + "Microsoft.Apm.getFocusedSession().title = 'renamed';\n"
        + "Microsoft.Apm.focusTab('tab-id-99');\n"  # throws: line 3, errorCode 404
    )
    warm = helper.run(script, "--json")
    cold = helper.run(script, "--json", "--cold")
    assert warm.returncode == cold.returncode == 1
    assert _json(warm) == _json(cold)
    assert _json(warm)["error"]["errorCode"] == 404


def test_each_run_starts_from_a_fresh_page(helper: Helper) -> None:
    """Every run gets a fresh page: the workspace, the configuration, the script's globals,
    listeners, storage, cookies and window name of one run are gone in the next (the helper
    clears and reloads a page between runs)."""
    first = helper.run(
        CHAT % "First"
        + "var leaked = 1; window.flag = 'x'; localStorage.setItem('k', 'v');\n"
        + "sessionStorage.setItem('k', 'v'); window.name = 'kept?'; document.cookie = 'c=1';\n"
        + "PyApm.configure({strictTemplates: true});\n"
        + "PyApm.onChange(() => console.log('old listener'));\n"
    )
    assert first.returncode == 0, first.stdout + first.stderr
    for _ in range(3):  # more runs than pooled pages: every page gets reused once
        probe = helper.run(
            "let leaked = 2;\n"  # a SyntaxError if the previous `var leaked` were still there
            "console.log(typeof window.flag, localStorage.length, sessionStorage.length,\n"
            "  JSON.stringify(window.name), JSON.stringify(document.cookie),\n"
            "  PyApm.state().sessions.length);\n"
            "Microsoft.Apm.createTab({templateName: 'no_such_template'});\n"  # fine unless strict
            + CHAT
            % "Second",
            "--json",
        )
        got = _json(probe)
        assert got["errors"] == []
        logs = [c["text"] for c in got["console"] if c["type"] == "log"]
        assert logs == ['undefined 0 0 "" "" 1']
        assert [s["title"] for s in got["sessions"]] == ["Home", "Second"]
        assert got["focusedSessionId"] == "session-id-1"


ASYNC = (
    "setTimeout(() => console.log('soon'), 150);\n"
    "setTimeout(() => console.log('too late'), 2000);\n"
    "const ch = new BroadcastChannel(Microsoft.Apm.getEventPublisherTopic('ON_TAB_SWITCH'));\n"
    "ch.onmessage = () => setTimeout(() => console.log('heard'), 50);\n"
    "Microsoft.Apm.createTab({templateName: 'msdyn_omnichannel_kbsearch', isFocused: true});\n"
)


def test_the_wait_lets_pending_work_finish_warm_and_cold(helper: Helper) -> None:
    """After the script, the run waits for what it left pending (timers, the event message and
    the timer its listener sets), up to --wait: the same output warm and cold."""
    warm = helper.run(ASYNC, "--json", "--wait", "1000")
    cold = helper.run(ASYNC, "--json", "--wait", "1000", "--cold")
    for proc in (warm, cold):
        got = _json(proc)
        assert got["errors"] == []
        assert sorted(c["text"] for c in got["console"] if c["type"] == "log") == ["heard", "soon"]
        assert [len(s["tabs"]) for s in got["sessions"]] == [2]


def test_the_wait_ends_once_nothing_is_pending(helper: Helper) -> None:
    """--wait is the most it waits: a script that leaves nothing running does not pay it."""
    assert helper.run("void 0;").returncode == 0  # the helper is up
    t0 = time.monotonic()
    done = helper.run("Microsoft.Apm.getFocusedSession();", "--wait", "20000")
    assert done.returncode == 0, done.stdout + done.stderr
    assert time.monotonic() - t0 < 10  # far below the 20 s it may wait


def test_a_page_left_busy_is_stopped_before_its_next_run(helper: Helper) -> None:
    """A run that leaves an endless loop behind (in a timer, after the run is collected): the
    page is still cleared and reloaded, and later runs work."""
    busy = helper.run("setTimeout(() => { for (;;) {} }, 50);\n", "--wait", "0")
    assert busy.returncode == 0, busy.stdout + busy.stderr
    for _ in range(3):  # more runs than pooled pages: the busy page is reused
        probe = helper.run(CHAT % "Next", "--json")
        got = _json(probe)
        assert got["errors"] == [] and [s["title"] for s in got["sessions"]] == ["Home", "Next"]


def test_two_runs_at_once_do_not_see_each_other(helper: Helper) -> None:
    assert helper.run("void 0;").returncode == 0  # the helper is up
    late = (
        "setTimeout(() => console.log(JSON.stringify("
        "PyApm.state().sessions.map((s) => s.title))), 400);\n"
    )
    procs = [
        subprocess.Popen(
            helper.command(CHAT % name + late, "--json", "--wait", "800", name=f"{name}.js"),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=helper.env,
            cwd=REPO,
        )
        for name in ("Ann", "Bob")
    ]
    outs = [p.communicate(timeout=180) for p in procs]
    for (out, err), name in zip(outs, ("Ann", "Bob"), strict=True):
        got = json.loads(out)
        assert got["errors"] == [], err
        logs = [c["text"] for c in got["console"] if c["type"] == "log"]
        assert logs == [json.dumps(["Home", name]).replace(" ", "")]
        assert [s["title"] for s in got["sessions"]] == ["Home", name]
    assert len(helper.pids()) == 1


def test_helper_exits_when_idle(tmp_path: Path) -> None:
    h = Helper(tmp_path, idle_s=2)
    try:
        assert h.run("void 0;").returncode == 0
        assert len(h.pids()) == 1
        deadline = time.monotonic() + 30
        while h.pids() and time.monotonic() < deadline:
            time.sleep(0.2)
        assert h.pids() == []
        assert not h.socket.exists()
        again = h.run("console.log('back');")  # the next run starts a new one
        assert again.returncode == 0 and "[log] back" in again.stdout
        assert "starting the warm helper" in again.stderr
    finally:
        h.stop()


def test_stop(helper: Helper) -> None:
    assert helper.run("void 0;").returncode == 0
    stop = subprocess.run(
        [sys.executable, "-m", "py_apm.host.runner", "--stop"],
        capture_output=True,
        text=True,
        timeout=60,
        env=helper.env,
        cwd=REPO,
    )
    assert stop.stdout.strip() == "py-apm run: stopped the warm helper"
    assert helper.gone() and not helper.socket.exists()
    again = subprocess.run(
        [sys.executable, "-m", "py_apm.host.runner", "--stop"],
        capture_output=True,
        text=True,
        timeout=60,
        env=helper.env,
        cwd=REPO,
    )
    assert again.stdout.strip() == "py-apm run: no warm helper"
