"""The warm `py-apm run` helper under failure: big scripts, a helper killed or stopped mid-run,
its socket file deleted. A script runs at most once and no run waits without a bound.

A test that kills, stops or cuts off its helper has one of its own (its own socket, a private
folder); the others share the module's. Each helper is stopped at the end.
"""

from __future__ import annotations

import os
import signal
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from gated_server import GatedServer
from run_helper import Helper

REPO = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path("/proc").is_dir(), reason="finds the helper through /proc"),
]


def _started(tmp: Path) -> Iterator[Helper]:
    h = Helper(tmp, idle_s=120)
    try:
        assert h.run("void 0;").returncode == 0  # started and warm
        yield h
    finally:
        for pid in h.pids():
            try:
                os.kill(pid, signal.SIGCONT)
            except OSError:
                pass
        h.stop()
        for pid in h.pids():  # what a failed test left: never another test's helper
            try:
                os.killpg(pid, signal.SIGKILL)
            except OSError:
                pass


@pytest.fixture
def helper(tmp_path: Path) -> Iterator[Helper]:
    """A helper of the test's own (the test kills, stops or cuts it off), started and warm."""
    yield from _started(tmp_path)


@pytest.fixture(scope="module")
def _module_helper(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Helper]:
    yield from _started(tmp_path_factory.mktemp("warm"))


@pytest.fixture
def shared(_module_helper: Helper, tmp_path: Path) -> Helper:
    """The module's helper (for tests that leave it running); scripts go below the test's
    folder."""
    return Helper(tmp_path, socket=_module_helper.socket)


def test_a_1_mb_script_runs_warm(shared: Helper) -> None:
    """Frames have no line limit: 64 KiB and more (1 MB here) run in the helper."""
    filler = "// " + "x" * 1000 + "\n"
    script = filler * 1024 + "console.log('big done', " + "'y'.repeat(3));\n"
    done = shared.run(script)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "[log] big done yyy" in done.stdout
    assert "running cold" not in done.stderr and "Traceback" not in done.stderr


class Witness(GatedServer):
    """An HTTP server a script calls (sync XHR): counts the calls; the first one is held until
    released, so the script is known to be running and stays so."""

    def __init__(self) -> None:
        self.calls = 0
        self.first = threading.Event()
        self.release = threading.Event()

        def gate(_path: str) -> None:
            self.calls += 1
            if self.calls == 1:
                self.first.set()
                self.release.wait(60)

        super().__init__(gate, self.release.set)


def test_a_helper_killed_mid_run_is_reported_and_the_script_not_rerun(helper: Helper) -> None:
    witness = Witness()
    script = (
        "const x = new XMLHttpRequest();\n"
        f"x.open('GET', '{witness.url}', false);\n"
        "try { x.send(); } catch (e) {}\n"
        "console.log('after the call');\n"
    )
    try:
        client = subprocess.Popen(
            helper.command(script, "--timeout", "120"),
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=helper.env, cwd=REPO,
        )  # fmt: skip
        assert witness.first.wait(120), "the script never ran"
        for pid in helper.pids():
            os.killpg(pid, signal.SIGKILL)  # the helper and its Playwright driver
        out, err = client.communicate(timeout=120)
    finally:
        witness.close()
    assert client.returncode == 3, out + err
    assert "not run again" in err and "running cold" not in err, err
    assert "Traceback" not in err
    assert err.strip().splitlines()[-1].startswith("py-apm run: the warm helper stopped answering")
    assert witness.calls == 1  # it ran exactly once


def test_a_stopped_helper_bounds_the_run_and_stop_still_reaches_it(helper: Helper) -> None:
    """A stopped helper (SIGSTOP) still accepts the connection: the run goes cold after the
    handshake's bound ($PY_APM_RUN_HANDSHAKE, 1 s here), and --stop reaches it by signal."""
    (pid,) = helper.pids()
    helper.env["PY_APM_RUN_HANDSHAKE"] = "1"
    os.kill(pid, signal.SIGSTOP)
    try:
        # Returns (subprocess.run's timeout would raise): cold after the handshake's bound. The
        # cold boot may itself take longer than 5 s on a busy machine: then one line, exit 3.
        done = helper.run("console.log('ran');\n", "--timeout", "5", timeout=150)
        assert "did not take the run within 1 s" in done.stderr
        assert "running cold" in done.stderr
        if done.returncode == 3:
            assert done.stderr.strip().splitlines()[-1].startswith("py-apm run: py-apm did not")
        else:
            assert done.returncode == 0 and "[log] ran" in done.stdout, done.stderr[-2000:]
        stop = helper.stop(timeout=90)  # through its pid file: the socket does not answer
        assert stop.stdout.strip() == "py-apm run: stopped the warm helper", stop
        assert helper.gone(30)
    finally:
        try:
            os.kill(pid, signal.SIGCONT)
        except OSError:
            pass


def test_a_helper_whose_socket_file_was_deleted_exits(helper: Helper) -> None:
    (pid,) = helper.pids()
    helper.socket.unlink()
    assert helper.gone(30), "the helper kept running without a socket"
    again = helper.run("console.log('warm again');\n", timeout=150)
    assert again.returncode == 0, again.stderr[-2000:]
    assert "[log] warm again" in again.stdout
    assert "running cold" not in again.stderr
    assert helper.pids() and helper.pids() != [pid]


def _renderers_below(root: int) -> list[int]:
    """Chromium renderer processes descending from ``root``."""
    parent: dict[int, int] = {}
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                parent[int(proc.name)] = int(
                    (proc / "stat").read_text().rsplit(")", 1)[1].split()[1]
                )
            except (OSError, IndexError, ValueError):
                pass

    def below(pid: int) -> bool:
        while pid > 1:
            pid = parent.get(pid, 0)
            if pid == root:
                return True
        return False

    found = []
    for pid in parent:
        try:
            argv = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
        if b"--type=renderer" in argv and below(pid):
            found.append(pid)
    return found


@pytest.mark.parametrize("mode", ["warm", "cold"])
def test_a_page_crash_is_one_line(shared: Helper, mode: str) -> None:
    """The renderer dies under a script (out of memory, killed): one line, exit 3."""
    witness = Witness()
    script = (
        "const x = new XMLHttpRequest();\n"
        f"x.open('GET', '{witness.url}', false);\n"
        "try { x.send(); } catch (e) {}\n"
    )
    try:
        client = subprocess.Popen(
            shared.command(script, *(["--cold"] if mode == "cold" else [])),
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=shared.env, cwd=REPO,
        )  # fmt: skip
        assert witness.first.wait(120), "the script never ran"
        (root,) = [client.pid] if mode == "cold" else shared.pids()
        for pid in _renderers_below(root):
            os.kill(pid, signal.SIGKILL)
        out, err = client.communicate(timeout=120)
    finally:
        witness.close()
    assert client.returncode == 3, out + err
    last = err.strip().splitlines()[-1]
    assert last == (
        "py-apm run: script.js: the workspace page crashed (out of memory, or its renderer was "
        "killed); nothing of this script could be collected"
    ), err
    assert "Traceback" not in err and out == ""
