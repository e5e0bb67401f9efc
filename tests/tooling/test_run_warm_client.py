"""The client side of the warm ``py-apm run`` (no browser): light imports, paths, options."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from py_apm.host import server, warm, warm_trust, warm_wire


def test_the_warm_path_imports_neither_playwright_nor_the_server() -> None:
    """Importing Playwright alone costs ~0.3 s; the warm path must not pay it."""
    code = (
        "import sys; import py_apm.host.runner; from py_apm.host import warm; warm.fingerprint();"
        "print(sorted(m for m in ('playwright', 'py_apm.host.server') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout.replace("'", '"')) == []


def test_the_socket_follows_the_layout_the_server_uses(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """One resolver of where the files are (paths.find_layout): a root given by hand is another
    helper, as it is another server."""
    monkeypatch.delenv(warm.SOCKET_ENV, raising=False)
    default = warm.socket_path()
    monkeypatch.setenv("PY_APM_ROOT", str(tmp_path))
    assert server.repo_root() == tmp_path.resolve()
    assert warm.socket_path() != default
    assert not hasattr(warm, "_root") and not hasattr(warm, "_pyodide_dir")


def test_fingerprint_follows_the_files_pages_load(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    for rel in ("py_apm/model/a.py", "web/index.html", "shim.js"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("x", encoding="utf-8")
    monkeypatch.setenv("PY_APM_ROOT", str(tmp_path))
    before = warm.fingerprint()
    assert warm.fingerprint() == before
    st = (tmp_path / "web/index.html").stat()
    os.utime(tmp_path / "web/index.html", ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000))
    changed = warm.fingerprint()
    assert changed != before
    monkeypatch.setenv("PY_APM_BROWSER", "/usr/bin/another-chromium")
    assert warm.fingerprint() != changed


def test_socket_path_and_idle_timeout(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv(warm.SOCKET_ENV, raising=False)
    default = warm.socket_path()
    assert default.parent.name == f"py-apm-{os.getuid()}" and default.suffix == ".sock"
    monkeypatch.setenv(warm.SOCKET_ENV, str(tmp_path / "s.sock"))
    assert warm.socket_path() == tmp_path / "s.sock"
    for value, want in (("", 600.0), ("abc", 600.0), ("-3", 600.0), ("2.5", 2.5)):
        monkeypatch.setenv(warm.IDLE_ENV, value)
        assert warm.idle_timeout() == want
    for value, want in (("", 5.0), ("0", 5.0), ("0.5", 0.5)):
        monkeypatch.setenv(warm.HANDSHAKE_ENV, value)
        assert warm.handshake_timeout() == want


def test_a_shared_socket_directory_is_refused(tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o777)
    shared.chmod(0o777)
    with pytest.raises(warm.HelperUnavailable, match="is not private"):
        warm.private_dir(shared)
    assert warm.private_dir(tmp_path / "mine").stat().st_mode & 0o777 == 0o700


def test_helper_off_runs_cold(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(warm.HELPER_ENV, "off")
    assert not warm.wanted()
    monkeypatch.setenv(warm.HELPER_ENV, "")
    assert warm.wanted()


# ---------------------------------------------------------------- trust, before connecting


class Listener:
    """A socket someone else might have planted: records every connection and what it got."""

    def __init__(self, path: Path, answer: Callable[[socket.socket], None] | None = None):
        self.path = path
        self.got: list[bytes] = []
        self.connections = 0
        self.server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.server.bind(str(path))
        self.server.listen(4)
        self.server.settimeout(0.2)
        self.answer = answer
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while not self.done.is_set():
            try:
                conn, _ = self.server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections += 1
            with conn:
                if self.answer is not None:
                    self.answer(conn)
                    continue
                conn.settimeout(0.5)
                try:
                    self.got.append(conn.recv(1 << 16))
                except OSError:
                    pass

    def close(self) -> None:
        self.done.set()
        self.thread.join(5)
        self.server.close()


REQUEST = warm.Request(
    scripts=[("secret.js", "const token = 'hunter2';")],
    screenshot=None, config=None, webresources=None, settle_ms=0, boot_timeout_s=5,
    timeout_s=5,
)  # fmt: skip


def _plant(monkeypatch: pytest.MonkeyPatch, folder: Path, **kw: Any) -> Listener:
    monkeypatch.setenv(warm.SOCKET_ENV, str(folder / "run.sock"))
    return Listener(folder / "run.sock", **kw)


def _refused(listener: Listener, match: str) -> None:
    try:
        with pytest.raises(warm.HelperUnavailable, match=match):
            warm.run(REQUEST, say=lambda _t: None)
        assert not warm.stop()
    finally:
        listener.close()
    assert listener.got == [] and listener.connections == 0  # refused BEFORE connecting


def test_a_socket_in_a_shared_folder_is_not_used(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    folder = tmp_path / "py-apm-x"
    folder.mkdir()
    folder.chmod(0o755)
    _refused(_plant(monkeypatch, folder), "not private")


def test_a_socket_behind_a_symlink_is_not_used(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    real = tmp_path / "elsewhere"
    real.mkdir(mode=0o700)
    listener = Listener(real / "run.sock")
    (tmp_path / "py-apm-x").symlink_to(real)
    monkeypatch.setenv(warm.SOCKET_ENV, str(tmp_path / "py-apm-x" / "run.sock"))
    _refused(listener, "is a symlink")


def test_a_folder_of_another_user_is_not_used(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    folder = tmp_path / "py-apm-x"
    folder.mkdir(mode=0o700)
    listener = _plant(monkeypatch, folder)
    monkeypatch.setattr(warm_trust, "_uid", lambda: os.getuid() + 1)
    _refused(listener, "belongs to another user")


def test_a_socket_of_another_user_is_not_used(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    folder = tmp_path / "py-apm-x"
    folder.mkdir(mode=0o700)
    listener = _plant(monkeypatch, folder)
    real_lstat = os.lstat

    def lstat(path: Any) -> Any:
        st = real_lstat(path)
        if str(path).endswith(".sock"):
            return os.stat_result((st.st_mode, st.st_ino, st.st_dev, st.st_nlink,
                                   st.st_uid + 1, *tuple(st)[5:]))  # fmt: skip
        return st

    monkeypatch.setattr(warm_trust.os, "lstat", lstat)
    _refused(listener, "run.sock belongs to another user")


def test_a_listener_of_another_user_gets_nothing(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    """Where the system names the listening process's user, it is checked before sending."""
    folder = tmp_path / "py-apm-x"
    folder.mkdir(mode=0o700)
    listener = _plant(monkeypatch, folder)
    monkeypatch.setattr(warm_trust, "peer_uid", lambda _sock: os.getuid() + 1)
    try:
        with pytest.raises(warm.HelperUnavailable, match="listening there belongs to another"):
            warm.run(REQUEST, say=lambda _t: None)
    finally:
        listener.close()
    assert b"hunter2" not in b"".join(listener.got)


# ---------------------------------------------------------------- a script runs at most once


def _frame(message: dict[str, Any]) -> bytes:
    body = json.dumps(message).encode()
    return len(body).to_bytes(4, "big") + body


def _read_frame(conn: socket.socket) -> dict[str, Any]:
    conn.settimeout(5)
    head = conn.recv(4, socket.MSG_WAITALL)
    return json.loads(conn.recv(int.from_bytes(head, "big"), socket.MSG_WAITALL))


def _run_bounded(seconds: float) -> BaseException | list[dict[str, Any]]:
    """``warm.run`` in a thread: what it returned or raised, or TimeoutError if it hung."""
    out: list[Any] = [TimeoutError(f"warm.run still waiting after {seconds} s")]

    def work() -> None:
        try:
            out[0] = warm.run(REQUEST, say=lambda _t: None)
        except BaseException as exc:  # noqa: BLE001 - handed to the test
            out[0] = exc

    thread = threading.Thread(target=work, daemon=True)
    thread.start()
    thread.join(seconds)
    return out[0]


@pytest.fixture
def private(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    folder = tmp_path / "py-apm-x"
    folder.mkdir(mode=0o700)
    return folder


def test_a_helper_that_dies_mid_run_is_reported_not_rerun(
    monkeypatch: pytest.MonkeyPatch, private: Path
) -> None:
    def dies_after_go(conn: socket.socket) -> None:
        _read_frame(conn)
        conn.sendall(_frame({"ready": True}))
        _read_frame(conn)  # "go": the script now runs; then the helper is killed

    listener = _plant(monkeypatch, private, answer=dies_after_go)
    try:
        outcome = _run_bounded(30)
    finally:
        listener.close()
    # RuntimeError: reported (exit 3); HelperUnavailable would run the script again, cold.
    assert type(outcome) is RuntimeError, outcome
    assert "not run again" in str(outcome)


def test_a_helper_that_never_answers_does_not_hang_the_run(
    monkeypatch: pytest.MonkeyPatch, private: Path
) -> None:
    """A stopped helper (SIGSTOP): the kernel still accepts the connection; the run goes cold
    after the handshake's bound ($PY_APM_RUN_HANDSHAKE; the helper waits for "go" before it
    runs anything)."""
    monkeypatch.setenv(warm.HANDSHAKE_ENV, "0.5")
    stuck = threading.Event()
    listener = _plant(monkeypatch, private, answer=lambda _conn: stuck.wait(60))
    try:
        outcome = _run_bounded(30)
    finally:
        stuck.set()
        listener.close()
    assert isinstance(outcome, warm.HelperUnavailable), outcome
    assert "did not take the run within 0.5 s" in str(outcome)


def test_a_helper_silent_mid_run_is_reported_in_bounded_time(
    monkeypatch: pytest.MonkeyPatch, private: Path
) -> None:
    stuck = threading.Event()

    def silent_after_go(conn: socket.socket) -> None:
        _read_frame(conn)
        conn.sendall(_frame({"ready": True}))
        _read_frame(conn)
        conn.sendall(_frame({"alive": True}))
        stuck.wait(60)

    monkeypatch.setattr(warm, "SILENCE_S", 1.0)
    listener = _plant(monkeypatch, private, answer=silent_after_go)
    try:
        outcome = _run_bounded(30)
    finally:
        stuck.set()
        listener.close()
    assert type(outcome) is RuntimeError, outcome
    assert "stopped answering" in str(outcome)


def test_a_script_too_large_for_a_frame_goes_cold(monkeypatch: pytest.MonkeyPatch, private: Path):
    monkeypatch.setattr(warm_wire, "MAX_FRAME", 1000)
    listener = _plant(monkeypatch, private)
    big = warm.Request(**{**REQUEST.__dict__, "scripts": [("big.js", "x" * 2000)]})
    try:
        with pytest.raises(warm.HelperUnavailable, match="too large"):
            warm.run(big, say=lambda _t: None)
    finally:
        listener.close()
    assert listener.connections == 0
