"""Whether a warm helper's socket can be trusted with a script, checked before connecting.

The socket lives in ``<tmp>/py-apm-<uid>/``. Another local user could create that folder (or a
symlink by that name) before our first run and listen there; a script sent to their socket
would hand them its secrets. So, before connecting: the folder must be a real directory (not a
symlink), owned by this user, mode 0700, and the socket must be a socket owned by this user.
After connecting, where the system says who listens (``SO_PEERCRED``), the peer must be this
user too. Anything else is refused with one line and the run goes cold.

The helper also leaves its pid in ``<socket>.pid`` so that ``py-apm run --stop`` reaches a
helper whose socket file was deleted (the pid is checked to be that helper's before it is
signalled).
"""

from __future__ import annotations

import os
import signal
import socket
import stat
import struct
import time
from pathlib import Path


class Untrusted(Exception):
    """The helper's folder or socket is not this user's own; ``str(err)`` says why."""


def _uid() -> int | None:
    return os.getuid() if hasattr(os, "getuid") else None


def check_dir(directory: Path) -> None:
    """Raise :class:`Untrusted` unless ``directory`` is a real, private directory of ours."""
    try:
        st = os.lstat(directory)
    except FileNotFoundError:
        return  # nothing there yet: whoever creates it (us, with 0700) is checked next time
    if stat.S_ISLNK(st.st_mode):
        raise Untrusted(f"{directory} is a symlink")
    if not stat.S_ISDIR(st.st_mode):
        raise Untrusted(f"{directory} is not a directory")
    uid = _uid()
    if uid is not None and st.st_uid != uid:
        raise Untrusted(f"{directory} belongs to another user (uid {st.st_uid})")
    if stat.S_IMODE(st.st_mode) & 0o077:
        raise Untrusted(f"{directory} is not private (mode {stat.S_IMODE(st.st_mode):o})")


def check_socket(path: Path) -> bool:
    """False when there is no socket at ``path``; raise :class:`Untrusted` when there is
    something that is not our own socket (its folder is checked first)."""
    check_dir(path.parent)
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return False
    if not stat.S_ISSOCK(st.st_mode):
        raise Untrusted(f"{path} is not a socket")
    uid = _uid()
    if uid is not None and st.st_uid != uid:
        raise Untrusted(f"{path} belongs to another user (uid {st.st_uid})")
    return True


def peer_uid(sock: socket.socket) -> int | None:
    """The uid of the process listening on a connected unix socket, where the system says."""
    option = getattr(socket, "SO_PEERCRED", None)
    if option is None:
        return None
    creds = sock.getsockopt(socket.SOL_SOCKET, option, struct.calcsize("3i"))
    return int(struct.unpack("3i", creds)[1])


def check_peer(sock: socket.socket) -> None:
    """Raise :class:`Untrusted` when another user listens on the other end."""
    uid, peer = _uid(), peer_uid(sock)
    if uid is not None and peer is not None and peer != uid:
        raise Untrusted(f"the process listening there belongs to another user (uid {peer})")


def make_private_dir(directory: Path) -> Path:
    """Create ``directory`` (mode 0700) if needed, then check it (:func:`check_dir`)."""
    try:
        directory.mkdir(mode=0o700, parents=True)
    except FileExistsError:
        pass
    check_dir(directory)
    return directory


# ---------------------------------------------------------------------------- pid file


def pid_path(sock_path: Path) -> Path:
    return sock_path.with_suffix(".pid")


def write_pid(sock_path: Path) -> None:
    """Called by the helper once it holds its lock."""
    tmp = pid_path(sock_path).with_suffix(".pid.part")
    tmp.write_text(str(os.getpid()), encoding="ascii")
    os.replace(tmp, pid_path(sock_path))


def helper_pid(sock_path: Path) -> int | None:
    """The pid in ``<socket>.pid`` if that process is alive and is the helper of this socket
    (its command line names it, where ``/proc`` says), else None."""
    try:
        pid = int(pid_path(sock_path).read_text(encoding="ascii").strip())
        os.kill(pid, 0)
    except (OSError, ValueError):
        return None
    cmdline = Path(f"/proc/{pid}/cmdline")
    if cmdline.parent.parent.is_dir():
        try:
            argv = cmdline.read_bytes().split(b"\0")
        except OSError:
            return None
        if b"py_apm.host.run_helper" not in argv or str(sock_path).encode() not in argv:
            return None
    return pid


def terminate(pid: int, timeout_s: float = 20.0) -> bool:
    """Ask the helper ``pid`` to exit (SIGTERM: it closes its browser) and wait for it; a
    stopped (SIGSTOP) helper is continued first so it can."""
    try:
        os.kill(pid, signal.SIGTERM)
        os.kill(pid, signal.SIGCONT)
    except OSError:
        return False
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except OSError:
            return True
        if _zombie(pid):
            return True
        time.sleep(0.05)
    return False


def _zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] == "Z"
    except (OSError, IndexError):
        return False
