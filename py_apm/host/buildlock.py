"""The one lock of every snapshot builder: this package's and the npm package's
(``npm/lib/snapshot.mjs`` implements the same protocol on the same file).

The lock is the file ``<snapshot dir>/.build.lock``, created exclusively (``O_EXCL``) with
``{"pid", "host", "time"}`` in it and removed when the build ends. It is stale, and is taken
over, when its builder is a process of this machine that no longer runs, or when it is older
than :data:`STALE_S` (a builder of another machine sharing the cache, or a hung one). A builder
that holds it first deletes the ``*.part`` files a killed builder left behind.

A build that fails (a full disk...) is remembered in ``<snapshot>.failed`` for
:data:`RETRY_AFTER_S`: runs meanwhile do not try again (each try costs a Chromium launch).
"""

from __future__ import annotations

import json
import os
import socket
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

LOCK_NAME = ".build.lock"
#: A lock older than this is stale whoever holds it (a build takes well under a minute).
STALE_S = 300.0
#: How long a failed build is not retried.
RETRY_AFTER_S = 600.0


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # someone else's process: alive
    return True


def _stale(lock: Path) -> bool:
    try:
        record = json.loads(lock.read_text(encoding="utf-8"))
        pid, host, started = int(record["pid"]), str(record["host"]), float(record["time"])
    except (OSError, ValueError, KeyError, TypeError):
        # Being written right now, or garbage: stale only once old.
        try:
            return time.time() - lock.stat().st_mtime > STALE_S
        except OSError:
            return False
    if time.time() - started > STALE_S:
        return True
    return host == socket.gethostname() and not _alive(pid)


def _try_take(lock: Path) -> bool:
    try:
        fd = os.open(lock, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    except FileExistsError:
        if _stale(lock):
            try:
                lock.unlink()
            except FileNotFoundError:
                pass
        return False
    record = {"pid": os.getpid(), "host": socket.gethostname(), "time": time.time()}
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(json.dumps(record))
    return True


def clean_parts(directory: Path) -> None:
    """Delete what killed builders left (called while holding the lock: no build is running)."""
    for part in directory.glob("*.part"):
        try:
            part.unlink()
        except OSError:
            pass


@contextmanager
def build_lock(directory: Path, waiting: str | None = None) -> Iterator[None]:
    """Hold the builders' lock of ``directory`` for the ``with`` block."""
    directory.mkdir(parents=True, exist_ok=True)
    lock = directory / LOCK_NAME
    told = False
    while not _try_take(lock):
        if waiting and not told:
            print(waiting, file=sys.stderr, flush=True)
            told = True
        time.sleep(0.1)
    try:
        clean_parts(directory)
        yield
    finally:
        try:
            lock.unlink()
        except FileNotFoundError:
            pass


def failed_path(snapshot: Path) -> Path:
    return snapshot.with_name(snapshot.name + ".failed")


def recent_failure(snapshot: Path) -> str | None:
    """Why the last build of ``snapshot`` failed, if that was less than RETRY_AFTER_S ago."""
    marker = failed_path(snapshot)
    try:
        if time.time() - marker.stat().st_mtime > RETRY_AFTER_S:
            return None
        return marker.read_text(encoding="utf-8").strip() or "unknown error"
    except OSError:
        return None


def remember_failure(snapshot: Path, message: str) -> None:
    """Best effort: on a full disk even this small file may not be written (the process then
    remembers it, see ``snapshot_build``)."""
    try:
        failed_path(snapshot).write_text(message[:500], encoding="utf-8")
    except OSError:
        pass


def forget_failure(snapshot: Path) -> None:
    try:
        failed_path(snapshot).unlink()
    except OSError:
        pass
