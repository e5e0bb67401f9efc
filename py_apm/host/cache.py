"""``py-apm cache [--prune]``: what py-apm keeps in the user's cache, and clearing old versions.

The cache holds memory snapshots (``py_apm-<key>.snapshot``, about 15 MB each, one per Pyodide
build and py_apm bundle; ``snapshot.py``). Each build leaves a note beside its snapshot
(``py_apm-<key>.json``: the py_apm and Pyodide versions it was built for), which this command
reads; the npm package writes the same notes into the same folder. ``--prune`` deletes every
snapshot but the current version's, and files a crashed build left behind.
"""

from __future__ import annotations

import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from .paths import pyodide_dir, pyodide_version, snapshot_dir
from .usage import OneLineParser

#: Leftovers of a build that did not finish (a download saved under a temporary name).
PARTIAL = (".part",)
NOTE_SUFFIX = ".json"


def write_note(snapshot: Path) -> None:
    """Record beside ``snapshot`` which versions it was built for (read by ``py-apm cache``)."""
    from py_apm import __version__

    note = {
        "py_apm": __version__,
        "pyodide": pyodide_version(pyodide_dir()),
        "built": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    try:
        snapshot.with_suffix(NOTE_SUFFIX).write_text(json.dumps(note) + "\n", "utf-8")
    except OSError:
        pass  # only the listing loses its versions


def remove_note(snapshot: Path) -> None:
    snapshot.with_suffix(NOTE_SUFFIX).unlink(missing_ok=True)


@dataclass(frozen=True)
class Entry:
    """One cached snapshot: its file, size, whether the current version boots from it, and the
    versions its note gives ("?" without a note)."""

    path: Path
    size: int
    current: bool
    py_apm: str
    pyodide: str


def entries(directory: Path | None = None, current_key: str | None = None) -> list[Entry]:
    """The snapshots in ``directory`` (default: the cache's), the current ones first."""
    from .snapshot import SUFFIX, current

    directory = directory or snapshot_dir()
    key = current_key if current_key is not None else current().key
    found = []
    for path in sorted(directory.glob(f"py_apm-*{SUFFIX}")):
        try:
            note = json.loads(path.with_suffix(NOTE_SUFFIX).read_text("utf-8"))
        except (OSError, ValueError):
            note = {}
        if not isinstance(note, dict):
            note = {}
        found.append(
            Entry(
                path=path,
                size=path.stat().st_size,
                current=path.stem.endswith(key),
                py_apm=str(note.get("py_apm", "?")),
                pyodide=str(note.get("pyodide", "?")),
            )
        )
    found.sort(key=lambda e: (not e.current, e.path.name))
    return found


def leftovers(directory: Path) -> list[Path]:
    """Files a build that died left behind (never the lock, which a running build holds)."""
    return sorted(p for p in directory.glob("*") if p.suffix in PARTIAL and p.is_file())


def prune(directory: Path | None = None, current_key: str | None = None) -> list[Path]:
    """Delete every snapshot but the current version's (and its note), and build leftovers;
    return what was deleted."""
    directory = directory or snapshot_dir()
    removed = []
    for entry in entries(directory, current_key):
        if not entry.current:
            entry.path.unlink(missing_ok=True)
            remove_note(entry.path)
            removed.append(entry.path)
    for path in leftovers(directory):
        path.unlink(missing_ok=True)
        removed.append(path)
    return removed


def _mb(size: int) -> str:
    return f"{size / 1e6:.1f} MB"


def show(out: TextIO, directory: Path, listed: list[Entry]) -> None:
    total = sum(e.size for e in listed)
    print(f"py-apm cache: {directory} ({len(listed)} snapshots, {_mb(total)})", file=out)
    for e in listed:
        state = "current" if e.current else "old    "
        versions = f"py_apm {e.py_apm}, Pyodide {e.pyodide}"
        print(f"  {state} {_mb(e.size):>8}  {e.path.name}  ({versions})", file=out)
    old = [e for e in listed if not e.current]
    if old:
        freed = _mb(sum(e.size for e in old))
        print(f"`py-apm cache --prune` deletes the {len(old)} old ones ({freed})", file=out)


def main(argv: list[str], out: TextIO | None = None) -> int:
    """``py-apm cache [--prune]``."""
    out = out or sys.stdout
    parser = OneLineParser(
        prog="py-apm cache",
        description="Show the memory snapshots py-apm keeps in the user's cache (sizes, "
        "versions); --prune keeps only the current version's.",
    )
    parser.add_argument(
        "--prune", action="store_true", help="delete all snapshots but the current version's"
    )
    args = parser.parse_args(argv)
    directory = snapshot_dir()
    if args.prune:
        removed = prune(directory)
        freed = sum(1 for p in removed if p.suffix != ".part")
        print(f"py-apm cache: deleted {freed} old snapshots from {directory}", file=out)
    show(out, directory, entries(directory) if directory.is_dir() else [])
    return 0
