"""Request paths made safe: decoded segments, and the one function that opens the file a path
names below its root.

:func:`open_below` opens first and checks what it opened: the real path of the open file (not
of the name, which another process may swap for a symlink between a check and an open) must lie
inside the root, and it must be a regular file. Symlinks that stay inside the root are followed;
anything that leads out of it is refused as if it did not exist.
"""

from __future__ import annotations

import os
import stat
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO
from urllib.parse import unquote, urlsplit

#: open(2) flags: read only; never block on a FIFO (it is refused after fstat anyway).
_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
_FLAGS |= getattr(os, "O_CLOEXEC", 0)


def clean_segments(raw_path: str) -> list[str] | None:
    """Split a request path into safe, decoded segments; None when it is not acceptable.

    Rejects backslashes, NUL, control characters, ``.``/``..`` and empty segments (``//`` or an
    absolute path smuggled in), drive letters and anything still percent-encoded after one
    decoding (double encoding). A trailing slash gives a last segment of ``""``.
    """
    path = urlsplit(raw_path).path
    if not path.startswith("/"):
        return None
    try:
        decoded = unquote(path, errors="strict")
    except UnicodeDecodeError:
        return None
    if any(ch in decoded for ch in ("\\", "%", ":")) or any(ord(ch) < 32 for ch in decoded):
        return None
    segments = decoded.split("/")[1:]
    for i, seg in enumerate(segments):
        if seg in (".", ".."):
            return None
        if seg == "" and i != len(segments) - 1:
            return None
    return segments


@dataclass
class OpenFile:
    """A regular file opened below a root: read it from ``file`` (the caller closes it)."""

    file: BinaryIO
    stat: os.stat_result
    name: str

    def close(self) -> None:
        self.file.close()


def open_below(root: Path | None, segments: Sequence[str]) -> OpenFile | None:
    """Open ``root/segments`` when it is a regular file whose real path lies inside ``root``'s
    real path; else None. The check is made on the opened file itself (race-free)."""
    if root is None:
        return None
    parts = list(segments)
    if not parts or any(p in ("", ".", "..") or "/" in p or "\0" in p for p in parts):
        return None
    try:
        real_root = os.path.realpath(root, strict=True)
        candidate = os.path.join(real_root, *parts)
        fd = os.open(candidate, _FLAGS)
    except (OSError, ValueError):
        return None
    try:
        st = os.fstat(fd)
        real = _opened_path(fd, candidate, st)
        if stat.S_ISREG(st.st_mode) and real is not None and _inside(real, real_root):
            return OpenFile(os.fdopen(fd, "rb"), st, parts[-1])
    except OSError:
        pass
    os.close(fd)
    return None


def open_file(path: Path | None) -> OpenFile | None:
    """A single file named by the server's own settings (``--config``, the snapshot): opened
    through :func:`open_below` in its own folder, so a swap for a symlink is caught too."""
    return None if path is None else open_below(path.parent, [path.name])


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def _opened_path(fd: int, candidate: str, st: os.stat_result) -> str | None:
    """The real path of the file open as ``fd``, from the kernel where it says (Linux, macOS);
    elsewhere the real path of ``candidate`` when it is still that same file (dev, inode)."""
    if sys.platform.startswith("linux"):
        try:
            return os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            pass
    if sys.platform == "darwin":
        import fcntl

        try:
            raw = fcntl.fcntl(fd, fcntl.F_GETPATH, bytes(1024))  # type: ignore[attr-defined]
            return os.fsdecode(raw.rstrip(b"\0"))
        except OSError:
            pass
    real = os.path.realpath(candidate)
    try:
        now = os.stat(real)
    except OSError:
        return None
    return real if (now.st_dev, now.st_ino) == (st.st_dev, st.st_ino) else None
