"""``py-apm init [DIR]``: write a starter project whose tests pass right away.

The starter is ``examples/user-project/`` of the repository (the wheel carries it as
``static/starter/``): a templates file, a web resource calling ``window.parent.Microsoft.Apm``, a
pytest test (``apm_page``) and a Playwright Test test (``apmPage``), ``pytest.ini`` and
``playwright.config.ts``; plus the typings (``types/``) for web resources written in TypeScript,
and lines for ``.gitignore``.

``init`` records what it wrote in ``.py-apm-init.json`` (each file's SHA-256). A later ``init``
(after an upgrade) replaces the files still as it wrote them, and keeps the ones the user edited,
saying so. The npm package's ``npx py-apm init --example`` writes the same files the same way.
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from .paths import find_layout
from .usage import OneLineParser

MANIFEST = ".py-apm-init.json"
#: The starter's lines for the project's .gitignore (stored without the dot: npm drops dotfiles).
GITIGNORE = "gitignore"


class StarterError(Exception):
    """The starter cannot be written; the message says why and what to do."""


def starter_dir() -> Path:
    """The starter project's files: the installed copy, else the checkout's example."""
    layout = find_layout()
    if layout.kind == "installed":
        return layout.base / "starter"
    return layout.base / "examples" / "user-project"


def starter_files() -> dict[str, bytes]:
    """``{relative path: bytes}`` of every file ``init`` writes (not the .gitignore lines)."""
    source = starter_dir()
    if not source.is_dir():
        raise StarterError(f"the starter project is missing ({source}): reinstall py-apm-emulator")
    files: dict[str, bytes] = {}
    for path in sorted(source.rglob("*")):
        rel = path.relative_to(source)
        skip = any(p.startswith(".") or p == "__pycache__" for p in rel.parts)
        if path.is_file() and not skip and rel.as_posix() != GITIGNORE:
            files[rel.as_posix()] = path.read_bytes()
    for typing in sorted((find_layout().root / "types").glob("*.d.ts")):
        files[f"types/{typing.name}"] = typing.read_bytes()
    return files


def gitignore_lines() -> list[str]:
    path = starter_dir() / GITIGNORE
    lines = path.read_text("utf-8").splitlines() if path.is_file() else []
    return [line for line in lines if line.strip() and not line.startswith("#")]


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass
class Outcome:
    """What ``install`` did, file by file."""

    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    gitignore_added: list[str] = field(default_factory=list)


def _load_manifest(target: Path) -> dict[str, str]:
    try:
        data = json.loads((target / MANIFEST).read_text("utf-8"))
        files = data.get("files", {}) if isinstance(data, dict) else {}
        return {str(k): str(v) for k, v in files.items()} if isinstance(files, dict) else {}
    except (OSError, ValueError):
        return {}


def install(
    target: Path, files: dict[str, bytes], gitignore: Iterable[str], version: str
) -> Outcome:
    """Write ``files`` into ``target``: new files are created; a file still as the last ``init``
    wrote it (its hash in the manifest) is replaced; any other existing file that differs is
    kept. Missing ``gitignore`` lines are appended to ``target/.gitignore``."""
    target.mkdir(parents=True, exist_ok=True)
    recorded = _load_manifest(target)
    manifest: dict[str, str] = {}
    done = Outcome()
    for rel, data in files.items():
        path = target / rel
        new = _sha(data)
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
            done.created.append(rel)
            manifest[rel] = new
            continue
        current = _sha(path.read_bytes())
        if current == new:
            done.unchanged.append(rel)
            manifest[rel] = new
        elif recorded.get(rel) == current:
            path.write_bytes(data)
            done.updated.append(rel)
            manifest[rel] = new
        elif recorded.get(rel) == new:
            done.unchanged.append(rel)  # the user's edit of a file the starter did not change
            manifest[rel] = new
        else:
            done.kept.append(rel)
            if rel in recorded:
                manifest[rel] = recorded[rel]  # still the user's edit next time
    ignore = target / ".gitignore"
    have = ignore.read_text("utf-8").splitlines() if ignore.is_file() else []
    done.gitignore_added = [line for line in gitignore if line not in have]
    if done.gitignore_added:
        text = ignore.read_text("utf-8") if ignore.is_file() else ""
        if text and not text.endswith("\n"):
            text += "\n"
        ignore.write_text(text + "\n".join(done.gitignore_added) + "\n", "utf-8")
    note = {"generator": f"py-apm-emulator {version}", "files": dict(sorted(manifest.items()))}
    (target / MANIFEST).write_text(json.dumps(note, indent=2) + "\n", "utf-8")
    return done


def report(done: Outcome, shown: str, out: TextIO) -> None:
    for word, names in (("created", done.created), ("updated", done.updated)):
        for name in names:
            print(f"  {word:<8} {shown}/{name}", file=out)
    for name in done.kept:
        print(
            f"  kept     {shown}/{name}: you edited it (delete it and run init again to get "
            "the new starter's copy)",
            file=out,
        )
    if done.gitignore_added:
        print(f"  added    {len(done.gitignore_added)} lines to {shown}/.gitignore", file=out)
    counts = (
        f"{len(done.created)} created, {len(done.updated)} updated, "
        f"{len(done.unchanged)} unchanged, {len(done.kept)} kept"
    )
    print(f"py-apm init: {counts}", file=out)


def main(argv: list[str], out: TextIO | None = None) -> int:
    """``py-apm init [DIR]``."""
    out = out or sys.stdout
    from py_apm import __version__

    parser = OneLineParser(
        prog="py-apm init",
        description="Write a starter project (a web resource, its templates, a pytest test and "
        "a Playwright Test test, their configuration, the typings) whose tests pass right away; "
        "run again after an upgrade to update the files you did not edit.",
    )
    parser.add_argument("dir", nargs="?", default=".", help="where (default: this folder)")
    args = parser.parse_args(argv)
    target = Path(args.dir).expanduser()
    if target.exists() and not target.is_dir():
        print(f"py-apm init: {target} is not a folder: give a folder name", file=sys.stderr)
        return 2
    try:
        done = install(target, starter_files(), gitignore_lines(), __version__)
    except (StarterError, OSError) as exc:
        print(f"py-apm init: {exc}", file=sys.stderr)
        return 1
    shown = args.dir.rstrip("/") or "."
    report(done, shown, out)
    where = "" if shown == "." else f"cd {shown} && "
    print(
        f"next: {where}pytest   (JavaScript: npm install py-apm-emulator @playwright/test", file=out
    )
    print("      && npx playwright test)", file=out)
    return 0
