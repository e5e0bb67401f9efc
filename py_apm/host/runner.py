"""`py-apm run SCRIPT.js`: run a script in the emulated workspace and print what it did."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from . import warm
from .scriptlimit import BOOT_TIMEOUT_S
from .settle import SETTLE_MS

EXIT_OK = 0
EXIT_SCRIPT_ERROR = 1
EXIT_USAGE = 2
EXIT_BOOT = 3


class RunnerError(Exception):
    """py-apm itself could not run the script (no browser, boot failure...)."""


@dataclass
class RunResult:
    """What a script did: the workspace after it, its console output and the errors it threw."""

    state: dict[str, Any]
    console: list[dict[str, str]] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)
    screenshot: str | None = None

    @property
    def error(self) -> dict[str, Any] | None:
        """The first error the script threw, or None."""
        return self.errors[0] if self.errors else None

    def to_json(self) -> dict[str, Any]:
        """``PyApm.state()`` plus ``console``, ``error`` (and all ``errors``)."""
        out = dict(self.state)
        out["console"] = self.console
        out["error"] = self.error
        out["errors"] = self.errors
        if self.screenshot:
            out["screenshot"] = self.screenshot
        return out


def run_scripts(request: warm.Request) -> list[RunResult]:
    """Run each script of ``request`` in this process, each on a page that has just booted, in
    one browser (the same lifecycle as the warm helper's, ``run_page.py``)."""
    import asyncio

    from playwright.async_api import Error as PlaywrightError

    from .chromium import BrowserNotFound
    from .headless import LaunchError
    from .run_page import RunFailed, run_cold
    from .server import ServerSetupError

    try:
        done = asyncio.run(run_cold(request.to_json(), lambda _text: None))
    except (BrowserNotFound, ServerSetupError, LaunchError, RunFailed) as exc:
        raise RunnerError(str(exc)) from exc
    except PlaywrightError as exc:  # the browser itself went away
        first = (exc.message.strip() or type(exc).__name__).splitlines()[0]
        raise RunnerError(f"the browser failed: {first}") from exc
    return [RunResult(**r) for r in done]


# ---------------------------------------------------------------------------- text output


def _cell(value: Any, width: int = 44) -> str:
    """One table cell: control characters escaped, long text cut with an ellipsis."""
    text = value if isinstance(value, str) else json.dumps(value)
    text = "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in text)
    return text if len(text) <= width else text[: width - 1] + "…"


def _yes(flag: Any) -> str:
    return "yes" if flag else "no"


def _table(rows: list[list[str]], indent: str = "  ") -> list[str]:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return [
        indent + "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip()
        for r in rows
    ]


def format_workspace(state: dict[str, Any]) -> list[str]:
    """The workspace as a table: each session (``*`` = focused) followed by its tabs
    (``*`` = the session's focused tab)."""
    sessions = state.get("sessions") or []
    focused = state.get("focusedSessionId")
    plural = "s" if len(sessions) != 1 else ""
    rows = [["ID", "TITLE", "PAGE TYPE", "CAN CLOSE", "NOTIFICATION", "DETAIL"]]
    for s in sessions:
        mark = "* " if s.get("sessionId") == focused else "  "
        detail = "Home" if s.get("isDefault") else s.get("templateName") or "-"
        rows.append(
            [
                mark + str(s.get("sessionId")),
                _cell(s.get("title", "")),
                "",
                _yes(s.get("canClose")),
                _yes(s.get("notification")),
                _cell(detail, 60),
            ]
        )
        for t in s.get("tabs") or []:
            tmark = "* " if t.get("tabId") == s.get("focusedTabId") else "  "
            notes = ["anchor"] if t.get("isAnchor") else []
            if t.get("refreshCount"):
                notes.append(f"refreshed {t['refreshCount']}x")
            if t.get("url"):
                notes.append(str(t["url"]))
            rows.append(
                [
                    "    " + tmark + str(t.get("tabId")),
                    "  " + _cell(t.get("title", ""), 40),
                    str(t.get("pageType")),
                    _yes(t.get("canClose")),
                    "",
                    _cell(", ".join(notes) or "-", 80),
                ]
            )
    return [
        f"Workspace: {len(sessions)} session{plural}, focused {focused}, "
        f"revision {state.get('revision')}",
        "",
        *_table(rows),
        "",
        "  * = the focused session / the focused tab of each session",
    ]


def format_error(error: dict[str, Any], name: str) -> str:
    """One line describing an error the script threw."""
    where = f" (line {error['line']})" if error.get("line") else ""
    kind = "unhandled promise rejection" if error.get("kind") == "unhandledrejection" else "error"
    label = f"{error['name']}: " if error.get("name") else ""
    code = f" [errorCode {error['errorCode']}]" if error.get("errorCode") is not None else ""
    return f"{name}{where} threw an {kind}: {label}{error.get('message')}{code}"


def print_result(result: RunResult, name: str, out: TextIO) -> None:
    """Print the console output, the workspace table and the errors."""
    if result.console:
        print("Console:", file=out)
        for entry in result.console:
            print(f"  [{entry['type']}] {entry['text']}", file=out)
        print(file=out)
    for line in format_workspace(result.state):
        print(line, file=out)
    if result.errors:
        print(file=out)
        for error in result.errors:
            print(format_error(error, name), file=out)
    if result.screenshot:
        print(f"\nScreenshot: {result.screenshot}", file=out)


# ---------------------------------------------------------------------------- command line


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``py-apm run``."""
    parser = argparse.ArgumentParser(
        prog="py-apm run",
        description="Run a Microsoft.Apm script (a classic script) in the emulated workspace "
        "and print the console output and the resulting sessions and tabs.",
    )
    parser.add_argument(
        "script",
        nargs="+",
        help="JavaScript file(s) to run, each on a fresh workspace ('-' reads standard input)",
    )
    parser.add_argument("--screenshot", metavar="PNG", help="save a screenshot of the workspace")
    parser.add_argument(
        "--config", metavar="JSON", help="templates / options file (PyApm.configure)"
    )
    parser.add_argument("--webresources", metavar="DIR", help="folder served at /webresources/")
    parser.add_argument(
        "--json", action="store_true", help="print PyApm.state() + console + error as JSON"
    )
    parser.add_argument(
        "--wait",
        type=int,
        default=SETTLE_MS,
        metavar="MS",
        help="the most time to let asynchronous work finish after the script; the wait ends "
        f"as soon as nothing it started is pending (timers, requests, messages) (default "
        f"{SETTLE_MS})",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=BOOT_TIMEOUT_S,
        metavar="S",
        help="how long to wait for each script to finish (a script still running then is "
        "stopped and reported) and, unless --boot-timeout says otherwise, for Python to start "
        f"(default {BOOT_TIMEOUT_S:g})",
    )
    parser.add_argument(
        "--boot-timeout",
        type=float,
        default=None,
        metavar="S",
        help="how long to wait for Python to start in the workspace page (default: --timeout)",
    )
    warm.add_arguments(parser)
    return parser


def _run(args: argparse.Namespace, scripts: list[tuple[str, str]]) -> list[RunResult]:
    """In the warm helper unless ``--cold`` (or no helper can run here), else in this process."""
    request = warm.Request(
        scripts=scripts,
        screenshot=args.screenshot,
        config=args.config,
        webresources=args.webresources,
        settle_ms=max(0, args.wait),
        boot_timeout_s=args.timeout if args.boot_timeout is None else args.boot_timeout,
        timeout_s=args.timeout,
    )
    if not args.cold and warm.wanted():
        try:
            done = warm.run(request)
        except warm.HelperUnavailable as exc:
            print(f"py-apm run: no warm helper ({exc}); running cold", file=sys.stderr)
        except RuntimeError as exc:
            raise RunnerError(str(exc)) from exc
        else:
            return [RunResult(**r) for r in done]
    return run_scripts(request)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``py-apm run``; returns the exit code (1 when a script threw)."""
    parser = build_parser()
    if argv is None:
        argv = sys.argv[1:]
    if "--stop" in argv:
        print("py-apm run: " + ("stopped the warm helper" if warm.stop() else "no warm helper"))
        return EXIT_OK
    args = parser.parse_args(list(argv))
    scripts: list[tuple[str, str]] = []
    for script in args.script:
        if script == "-":
            scripts.append(("stdin.js", sys.stdin.read()))
            continue
        path = Path(script)
        try:
            scripts.append((path.name, path.read_text(encoding="utf-8")))
        except OSError as exc:
            print(f"py-apm run: cannot read {script}: {exc.strerror or exc}", file=sys.stderr)
            return EXIT_USAGE
    for flag, value, want_dir in (
        ("--config", args.config, False),
        ("--webresources", args.webresources, True),
    ):
        if value is not None:
            p = Path(value)
            if not (p.is_dir() if want_dir else p.is_file()):
                kind = "folder" if want_dir else "file"
                print(f"py-apm run: {flag} {value}: no such {kind}", file=sys.stderr)
                return EXIT_USAGE
    try:
        results = _run(args, scripts)
    except RunnerError as exc:
        print(f"py-apm run: {exc}", file=sys.stderr)
        return EXIT_BOOT
    several = len(results) > 1
    if args.json:
        data = [{"script": n, **r.to_json()} for (n, _), r in zip(scripts, results, strict=True)]
        print(json.dumps(data if several else data[0], indent=2, ensure_ascii=False))
    else:
        for (name, _), result in zip(scripts, results, strict=True):
            if several:
                print(f"=== {name}")
            print_result(result, name, sys.stdout)
            if several:
                print()
    return EXIT_SCRIPT_ERROR if any(r.errors for r in results) else EXIT_OK


if __name__ == "__main__":
    raise SystemExit(main())
