"""The client side of the warm ``py-apm run``: find (or start) the helper and hand it scripts.

The helper (:mod:`py_apm.host.run_helper`) keeps one headless Chromium with workspace pages that
have already booted, so a run costs a page reset instead of a browser launch and a boot. It
listens on a unix socket in a directory only this user can enter (``0700``: the permission is
the authentication, no token is needed; :mod:`py_apm.host.warm_trust` checks the folder and the
socket before connecting) and exits after :data:`DEFAULT_IDLE_S` seconds without a run
(``$PY_APM_RUN_IDLE`` overrides), or on ``py-apm run --stop``.

This module must stay cheap to import: the warm path of ``py-apm run`` is a Python start-up, one
socket round trip and the script's own run, so nothing here imports Playwright.
"""

from __future__ import annotations

import hashlib
import os
import socket
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import warm_trust, warm_wire
from .paths import find_layout

if TYPE_CHECKING:
    import subprocess

SOCKET_ENV = "PY_APM_RUN_SOCKET"
IDLE_ENV = "PY_APM_RUN_IDLE"
HELPER_ENV = "PY_APM_RUN_HELPER"
HANDSHAKE_ENV = "PY_APM_RUN_HANDSHAKE"
#: Seconds without a run after which the helper closes its browser and exits (10 minutes: long
#: enough for an edit-run loop, short enough not to keep ~0.5 GB of Chromium around for nothing).
DEFAULT_IDLE_S = 600.0
#: How long a client waits for a helper it started to listen.
START_TIMEOUT_S = 30.0
#: Seconds to connect, and for a helper to take a run (answer "ready"; ``$PY_APM_RUN_HANDSHAKE``
#: overrides); past them the run is cold (the helper has not started it, and never will: it
#: waits for "go").
CONNECT_TIMEOUT_S = 2.0
HANDSHAKE_S = 5.0
#: During a run the helper says it is alive every second; this much silence means it is stopped
#: or gone.
SILENCE_S = 10.0


class HelperUnavailable(Exception):
    """No helper can be used here (no unix sockets, an unsafe socket directory, a failed start)."""


@dataclass(frozen=True)
class Request:
    """One ``py-apm run`` invocation, as the helper receives it."""

    scripts: list[tuple[str, str]]
    screenshot: str | None
    config: str | None
    webresources: str | None
    settle_ms: int
    boot_timeout_s: float  # the wait for a booted page
    timeout_s: float  # each script's limit

    def to_json(self) -> dict[str, Any]:
        """The wire form (paths absolute: the helper has its own working directory)."""

        def absolute(path: str | None) -> str | None:
            return None if path is None else str(Path(path).expanduser().resolve())

        return {
            "scripts": [list(s) for s in self.scripts],
            "screenshot": absolute(self.screenshot),
            "config": absolute(self.config),
            "webresources": absolute(self.webresources),
            "settle_ms": self.settle_ms,
            "boot_timeout_s": self.boot_timeout_s,
            "timeout_s": self.timeout_s,
        }


def _seconds(env: str, default: float) -> float:
    """``$env`` seconds (a positive number), else ``default``."""
    try:
        value = float(os.environ.get(env, ""))
    except ValueError:
        return default
    return value if value > 0 else default


def idle_timeout() -> float:
    """``$PY_APM_RUN_IDLE`` seconds (a positive number), else :data:`DEFAULT_IDLE_S`."""
    return _seconds(IDLE_ENV, DEFAULT_IDLE_S)


def handshake_timeout() -> float:
    """``$PY_APM_RUN_HANDSHAKE`` seconds (a positive number), else :data:`HANDSHAKE_S`."""
    return _seconds(HANDSHAKE_ENV, HANDSHAKE_S)


def socket_path() -> Path:
    """``$PY_APM_RUN_SOCKET``, else ``<tmp>/py-apm-<uid>/run-<checkout hash>.sock``."""
    env = os.environ.get(SOCKET_ENV)
    if env:
        return Path(env).expanduser()
    if not hasattr(socket, "AF_UNIX") or not hasattr(os, "getuid"):
        raise HelperUnavailable("this platform has no unix sockets")
    import tempfile

    tag = hashlib.sha1(str(find_layout().root).encode()).hexdigest()[:12]
    return Path(tempfile.gettempdir()) / f"py-apm-{os.getuid()}" / f"run-{tag}.sock"


def private_dir(directory: Path) -> Path:
    """Create ``directory`` (mode 0700) or check that an existing one is a real directory of
    ours, private (:mod:`py_apm.host.warm_trust`)."""
    try:
        return warm_trust.make_private_dir(directory)
    except warm_trust.Untrusted as exc:
        raise HelperUnavailable(f"unsafe socket folder: {exc}") from exc


#: The py_apm package the helper imports (what its pages' bundle is made of).
_PACKAGE = Path(__file__).resolve().parents[1]
_ENVIRONMENT = ("PY_APM_BROWSER", "PY_APM_SNAPSHOT_DIR", "PY_APM_ROOT", "PY_APM_PYODIDE_DIR")


def fingerprint() -> str:
    """What the helper's pages were booted from: the checkout, its Python, the environment that
    picks the browser and the runtime, and the modification times of everything a page loads
    (py_apm, shim.js, web/, the Pyodide install). A helper that answers for another fingerprint
    is stale and is replaced."""
    layout = find_layout()
    parts = [str(layout.root), sys.executable]
    # The helper keeps the environment of the run that started it: these change what it runs.
    parts += [f"{k}={os.environ.get(k, '')}" for k in _ENVIRONMENT]
    stack = [_PACKAGE, layout.web]
    while stack:
        try:
            entries = list(os.scandir(stack.pop()))
        except OSError:
            continue
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                if entry.name != "__pycache__":
                    stack.append(Path(entry.path))
            elif not entry.name.endswith((".pyc", ".png")):
                parts.append(f"{entry.path}:{entry.stat().st_mtime_ns}")
    for path in (layout.shim, layout.pyodide / "package.json"):
        try:
            parts.append(f"{path}:{path.stat().st_mtime_ns}")
        except OSError:
            parts.append(f"{path}:missing")
    return hashlib.sha1("\n".join(sorted(parts)).encode()).hexdigest()


def _connect(path: Path) -> socket.socket | None:
    """A connection to the helper at ``path``, or None when nothing listens there. The folder
    and the socket are checked BEFORE connecting, the listener's user after (where the system
    says); :class:`HelperUnavailable` when any is not this user's own."""
    try:
        if not warm_trust.check_socket(path):
            return None
    except warm_trust.Untrusted as exc:
        raise HelperUnavailable(f"refusing the warm helper socket: {exc}") from exc
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(CONNECT_TIMEOUT_S)
    try:
        sock.connect(str(path))
        warm_trust.check_peer(sock)
    except OSError:
        sock.close()
        return None
    except warm_trust.Untrusted as exc:
        sock.close()
        raise HelperUnavailable(f"refusing the warm helper socket: {exc}") from exc
    return sock


def start_helper(path: Path) -> subprocess.Popen[bytes]:
    """Start the helper detached from this process (its own session; it outlives us)."""
    import subprocess

    private_dir(path.parent)
    log = path.with_suffix(".log")
    command = [sys.executable, "-m", "py_apm.host.run_helper", str(path), str(idle_timeout())]
    fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
    with os.fdopen(fd, "wb") as err:
        return subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=err,
            start_new_session=True,
            cwd=str(path.parent),
        )


def _wait_for(path: Path, proc: subprocess.Popen[bytes]) -> socket.socket:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        sock = _connect(path)
        if sock is not None:
            return sock
        if proc.poll() is not None:
            tail = path.with_suffix(".log").read_text("utf-8", "replace").strip().splitlines()
            if proc.returncode == 0:
                # It found another helper holding the lock (one whose socket file is gone
                # and is on its way out): this run goes cold rather than wait.
                raise HelperUnavailable("another helper is shutting down")
            raise HelperUnavailable(
                "the helper exited: " + (tail[-1] if tail else f"code {proc.returncode}")
            )
        time.sleep(0.02)
    raise HelperUnavailable(f"the helper did not listen on {path} within {START_TIMEOUT_S:g} s")


def _say(text: str) -> None:
    print(f"py-apm run: {text}", file=sys.stderr, flush=True)


def run(request: Request, say: Callable[[str], None] = _say) -> list[dict[str, Any]]:
    """Run ``request`` in the helper (started when there is none, replaced when stale).

    Returns one result dict per script. Raises :class:`HelperUnavailable` while the script
    certainly has not run (no helper, an untrusted socket, a script too big for a frame, no
    answer to the handshake): the caller may run it cold. Once the helper was told to go, a
    failure raises ``RuntimeError(message)`` instead and the script is never run again: a
    helper that dies or goes silent mid-run (no sign of life for :data:`SILENCE_S`) is
    reported, not retried.
    """
    path = socket_path()
    handshake_s = handshake_timeout()
    try:
        wire = warm_wire.encode({"run": request.to_json(), "fingerprint": fingerprint()})
    except warm_wire.FrameError as exc:
        raise HelperUnavailable(f"the script is too large for the helper: {exc}") from exc
    for _attempt in range(3):
        sock = _connect(path)
        if sock is None:
            say("starting the warm helper (Chromium + Python, once; later runs reuse it)")
            sock = _wait_for(path, start_helper(path))
        with sock:
            try:
                sock.settimeout(handshake_s)
                sock.sendall(wire)
                answer = warm_wire.receive(sock, handshake_s)
            except (OSError, warm_wire.FrameError) as exc:
                raise HelperUnavailable(
                    f"the helper did not take the run within {handshake_s:g} s ({exc})"
                ) from exc
            if answer.get("stale"):
                say("the warm helper was started from other files; replacing it")
                _wait_gone(path)
                continue
            if not answer.get("ready"):
                raise HelperUnavailable(f"unexpected answer from the helper: {answer}")
            try:
                warm_wire.send(sock, {"go": True}, handshake_s)
            except warm_wire.FrameError as exc:
                raise HelperUnavailable(f"the helper went away: {exc}") from exc
            return _results(sock, say)
    raise HelperUnavailable("the helper kept answering for other files")


def _results(sock: socket.socket, say: Callable[[str], None]) -> list[dict[str, Any]]:
    """The helper's answer to a run it has started; never falls back."""
    while True:
        try:
            message = warm_wire.receive(sock, SILENCE_S)
        except warm_wire.FrameError as exc:
            raise RuntimeError(
                f"the warm helper stopped answering during the run ({exc}); the script was "
                "not run again (it may have partly run)"
            ) from exc
        if "progress" in message:
            say(str(message["progress"]))
        elif "error" in message:
            raise RuntimeError(str(message["error"]))
        elif "results" in message:
            return list(message["results"])


def _wait_gone(path: Path, timeout_s: float = 10.0) -> None:
    """Wait until a stopping helper no longer accepts connections."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        sock = _connect(path)
        if sock is None:
            return
        sock.close()
        time.sleep(0.05)


def stop() -> bool:
    """Ask the helper to exit; True when one was running. Through its socket, else (socket
    file deleted, helper not answering) by signal to the pid it recorded."""
    try:
        path = socket_path()
        sock = _connect(path)
    except HelperUnavailable:
        return False
    if sock is not None:
        handshake_s = handshake_timeout()
        answered = False
        with sock:
            try:
                warm_wire.send(sock, {"stop": True}, handshake_s)
                warm_wire.receive(sock, handshake_s)  # "stopping"
                answered = True
                warm_wire.receive(sock, 30.0)  # closed once the browser is
            except warm_wire.FrameError:
                pass
        if answered:  # else (a stopped helper) its socket accepts on: the signal below
            _wait_gone(path)
    pid = warm_trust.helper_pid(path)
    if pid is not None:
        return warm_trust.terminate(pid)
    return sock is not None


def add_arguments(parser: Any) -> None:
    """``py-apm run``'s options for the helper."""
    parser.add_argument(
        "--cold",
        action="store_true",
        help="run in this process (launch Chromium and boot) instead of in the warm helper",
    )
    parser.add_argument(
        "--stop",
        action="store_true",
        help="stop the warm helper (it also exits by itself after "
        f"${IDLE_ENV} seconds without a run, default {DEFAULT_IDLE_S:g})",
    )


def wanted() -> bool:
    """False under ``$PY_APM_RUN_HELPER=off`` (every run cold, in its own process)."""
    return os.environ.get(HELPER_ENV, "").strip().lower() not in ("0", "off", "no", "false")
