"""Request paths made safe: decoded segments, and files that stay inside their root."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from urllib.parse import unquote, urlsplit


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


def safe_file(root: Path | None, segments: Iterable[str]) -> Path | None:
    """``root/segments`` if it is a regular file whose real path stays inside ``root``."""
    if root is None:
        return None
    parts = list(segments)
    if not parts or any(p in ("", ".", "..") for p in parts):
        return None
    try:
        real_root = root.resolve(strict=True)
        candidate = real_root.joinpath(*parts).resolve(strict=True)
    except (OSError, RuntimeError):
        return None
    if not candidate.is_relative_to(real_root) or not candidate.is_file():
        return None
    return candidate
