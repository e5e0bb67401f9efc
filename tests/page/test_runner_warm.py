"""The warm `py-apm run`: a background helper keeps Chromium and booted pages between runs.

The tests share one helper of their own (its own socket), started by the module's first run and
stopped at the end; the test of the helper's lifecycle (idle exit, restart, stop) has its own.
"""

from __future__ import annotations

import json
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from run_helper import Helper

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not (REPO / "shim.js").is_file(), reason="needs the real shim.js"),
    pytest.mark.skipif(not Path("/proc").is_dir(), reason="finds the helper through /proc"),
]

FIRST = subprocess.CompletedProcess[str]

CHAT = (
    "Microsoft.Apm.createSession({templateName: 'msdyn_chat_session', "
    "sessionContext: {customerName: %r}});\n"
)


@pytest.fixture(scope="module")
def started(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Helper, FIRST]]:
    """The module's helper, started by a first run (its output kept for the reuse test)."""
    h = Helper(tmp_path_factory.mktemp("warm"))
    try:
        first = h.run(REUSED)
        yield h, first
    finally:
        h.stop(timeout=60)
        assert h.gone()


@pytest.fixture
def helper(started: tuple[Helper, FIRST], tmp_path: Path) -> Helper:
    """The module's helper; the scripts of each test are written below its own folder."""
    h, _ = started
    return Helper(tmp_path, socket=h.socket)


def _json(proc: subprocess.CompletedProcess) -> Any:
    assert proc.returncode in (0, 1), proc.stdout + proc.stderr
    return json.loads(proc.stdout)


REUSED = CHAT % "Contoso" + "console.log(Microsoft.Apm.getFocusedSession().title);\n"


def test_second_run_reuses_the_helper_and_prints_the_same(
    started: tuple[Helper, FIRST], helper: Helper
) -> None:
    _, first = started
    assert first.returncode == 0, first.stdout + first.stderr
    assert "starting the warm helper" in first.stderr  # a cold start says what it waits for
    (pid,) = helper.pids()
    second = helper.run(REUSED)
    assert second.returncode == 0, second.stdout + second.stderr
    assert "starting" not in second.stderr and "launching" not in second.stderr
    assert helper.pids() == [pid]
    assert second.stdout == first.stdout
    assert "[log] Contoso" in second.stdout and "Workspace: 2 sessions" in second.stdout


def test_each_run_starts_from_a_fresh_page(helper: Helper) -> None:
    """Every run gets a fresh page: the workspace, the configuration, the script's globals,
    top-level declarations, listeners, storage, cookies and window name of one run are gone in
    the next (the helper undoes them in place, or reloads the page)."""
    first = helper.run(
        CHAT % "First"
        + "var leaked = 1; let mine = 1; window.flag = 'x'; localStorage.setItem('k', 'v');\n"
        + "sessionStorage.setItem('k', 'v'); window.name = 'kept?'; document.cookie = 'c=1';\n"
        + "PyApm.configure({strictTemplates: true});\n"
        + "PyApm.onChange(() => console.log('old listener'));\n"
    )
    assert first.returncode == 0, first.stdout + first.stderr
    for _ in range(3):  # more runs than pooled pages: every page gets reused once
        probe = helper.run(
            "let leaked = 2, mine = 2;\n"  # a SyntaxError if either were still declared
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


THROWS = (
    CHAT % "Alex"
    + "Microsoft.Apm.getFocusedSession().title = 'renamed';\n"
    + "Microsoft.Apm.focusTab('tab-id-99');\n"  # throws: line 3, errorCode 404
)


def test_warm_output_equals_cold_output_and_waits_the_same(helper: Helper) -> None:
    """The same script gives the same JSON warm and cold (the second script of each run, on a
    page reset after the first, included). After a script the run waits for what it left
    pending (timers, the event message and the timer its listener sets), up to --wait, warm and
    cold."""
    args = [str(helper.script(THROWS, "throws.js")), str(helper.script(ASYNC, "async.js"))]
    warm = helper.run_files(
        *args, str(helper.script(THROWS, "again.js")), "--json", "--wait", "1000"
    )
    cold = helper.run_files(*args, "--json", "--wait", "1000", "--cold")
    assert warm.returncode == cold.returncode == 1
    (throws, waits, again), (cold_throws, cold_waits) = _json(warm), _json(cold)
    assert throws == cold_throws and {**again, "script": "throws.js"} == throws
    assert throws["error"]["errorCode"] == 404 and throws["error"]["line"] == 3
    for got in (waits, cold_waits):
        assert got["errors"] == []
        assert sorted(c["text"] for c in got["console"] if c["type"] == "log") == ["heard", "soon"]
        assert [len(s["tabs"]) for s in got["sessions"]] == [2]
    assert waits["revision"] == cold_waits["revision"]  # counted as on a fresh page


def test_the_wait_ends_once_nothing_is_pending(helper: Helper) -> None:
    """--wait is the most it waits: a script that leaves nothing running does not pay it."""
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


def test_idle_exit_restart_and_stop(tmp_path: Path) -> None:
    """The helper exits after PY_APM_RUN_IDLE seconds without a run (its socket gone); the next
    run starts a new one; --stop stops it, and says so when there is none."""
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
        stop = h.stop(timeout=60)
        assert stop.stdout.strip() == "py-apm run: stopped the warm helper"
        assert h.gone() and not h.socket.exists()
        assert h.stop(timeout=60).stdout.strip() == "py-apm run: no warm helper"
    finally:
        h.stop(timeout=60)
