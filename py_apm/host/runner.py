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
from .scriptlimit import LOADED, run_with_limit
from .settle import QUIET_MS, SETTLE_JS, SETTLE_MS, TRACK_PENDING_JS

#: How long to wait for ``PyApm.ready``, and for a script's synchronous run (seconds), unless
#: ``--timeout`` says otherwise.
BOOT_TIMEOUT_S = 60.0
VIEWPORT = {"width": 1366, "height": 800}

EXIT_OK = 0
EXIT_SCRIPT_ERROR = 1
EXIT_USAGE = 2
EXIT_BOOT = 3

# Runs SCRIPT as a classic, sloppy-mode script (implicit globals work) from a blob URL, so a
# SyntaxError is reported like any other error. Errors are recorded from the window "error" and
# "unhandledrejection" events until the run is collected.
_RUN_JS = """
async ([source, name]) => {
  TRACK_PENDING
  const run = { errors: [] };
  window.__pyapmRun = run;
  const describe = (value, where) => {
    const isErr = value !== null && typeof value === "object";
    let message;
    try { message = isErr && "message" in value ? String(value.message) : String(value); }
    catch (_e) { message = "(unprintable value)"; }
    const code = isErr ? value.errorCode : undefined;
    return {
      name: isErr && value.name ? String(value.name) : null,
      message,
      errorCode: typeof code === "number" ? code : null,
      line: where && where.lineno ? where.lineno : null,
      column: where && where.colno ? where.colno : null,
      kind: where && where.kind ? where.kind : "error",
    };
  };
  // Where in SCRIPT: the event's position when the error was raised in it (SyntaxError...),
  // else the first frame of the stack that names it (errors thrown by shim.js for a call).
  const whereIn = (value, ev) => {
    if (ev && ev.filename && ev.filename.endsWith(name)) {
      return { lineno: ev.lineno, colno: ev.colno };
    }
    const isObj = value !== null && typeof value === "object";
    const stack = isObj && typeof value.stack === "string" ? value.stack : "";
    const at = stack.indexOf(name + ":");
    if (at < 0) return {};
    const m = /^:(\\d+):(\\d+)/.exec(stack.slice(at + name.length));
    return m ? { lineno: Number(m[1]), colno: Number(m[2]) } : {};
  };
  run.onError = (ev) => {
    const value = ev.error !== undefined && ev.error !== null ? ev.error : ev.message;
    run.errors.push(describe(value, whereIn(value, ev)));
  };
  run.onRejection = (ev) => run.errors.push(
    describe(ev.reason, { ...whereIn(ev.reason, null), kind: "unhandledrejection" }));
  window.addEventListener("error", run.onError);
  window.addEventListener("unhandledrejection", run.onRejection);
  run.track = trackPending();
  const text = source + "\\n//# sourceURL=" + name + "\\n";
  const url = URL.createObjectURL(new Blob([text], { type: "text/javascript" }));
  // Not awaited here: the runner waits for this console message with a time limit, in the
  // driver (a script that never ends keeps the page from answering anything).
  const s = document.createElement("script");
  s.src = url;
  s.onload = s.onerror = () => {
    s.remove();
    URL.revokeObjectURL(url);
    run.track.last = performance.now();
    console.debug("__pyapm_run_loaded__");
  };
  document.head.append(s);
  return run.errors.length;
}
"""

_RUN_JS = _RUN_JS.replace("TRACK_PENDING", TRACK_PENDING_JS.strip())

_COLLECT_JS = """
() => {
  const run = window.__pyapmRun || { errors: [] };
  if (run.onError) window.removeEventListener("error", run.onError);
  if (run.onRejection) window.removeEventListener("unhandledrejection", run.onRejection);
  return { state: PyApm.state(), errors: run.errors };
}
"""


#: What a page keeps across a reload besides storage and cookies (both cleared from outside).
CLEAR_PAGE_JS = "() => { sessionStorage.clear(); window.name = ''; }"


def clear_storage(page: Any, cdp: Any, url: str) -> None:
    """Before the next script's reload: stop what the last one left running (a loop in a
    timer would keep the page from answering), close the windows it opened, clear cookies,
    storage and ``window.name`` (the warm helper does the same between runs)."""
    cdp.send("Runtime.terminateExecution")
    for other in page.context.pages:
        if other is not page:
            other.close()
    page.context.clear_cookies()
    cdp.send("Storage.clearDataForOrigin", {"origin": url.rstrip("/"), "storageTypes": "all"})
    page.evaluate(CLEAR_PAGE_JS)


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


def console_entry(msg: Any) -> dict[str, str]:
    """A Playwright console message as a run reports it (a failed load names its URL)."""
    kind = "warn" if msg.type == "warning" else msg.type
    text = msg.text
    where = (msg.location or {}).get("url") or ""
    if text.startswith("Failed to load resource") and where:
        text = f"{text}: {where}"
    return {"type": kind, "text": text}


def run_scripts(
    scripts: Sequence[tuple[str, str]],
    *,
    screenshot: str | None = None,
    config: str | None = None,
    webresources: str | None = None,
    settle_ms: int = SETTLE_MS,
    boot_timeout_s: float = BOOT_TIMEOUT_S,
) -> list[RunResult]:
    """Run each ``(name, source)`` on a fresh workspace (the page reloaded between scripts, so
    each gets its own global scope) in one browser; the screenshot is of the last one."""
    from playwright.sync_api import Error as PlaywrightError

    from .chromium import BrowserNotFound, require_browser
    from .headless import LaunchError, NotReady, headless, wait_ready
    from .server import ServerSetupError
    from .snapshot_build import ensure

    console: list[dict[str, str]] = []
    capturing = False
    results: list[RunResult] = []

    def on_console(msg: Any) -> None:
        if capturing and msg.text != LOADED:
            console.append(console_entry(msg))

    def open_workspace(page: Any, url: str | None) -> None:
        if url is not None:
            page.goto(url)
        else:
            page.reload()
        try:
            wait_ready(page, int(boot_timeout_s * 1000))
        except PlaywrightError as exc:
            raise RunnerError(f"the workspace page did not load py-apm: {exc.message}") from exc
        except NotReady as exc:
            raise RunnerError(f"py-apm did not start: {exc}") from exc

    try:
        require_browser()
        ensure()  # once per Pyodide + py_apm version: every later page boots ~4x faster
        with headless(webresources=webresources, config=config) as chromium:
            page = chromium.browser.new_page(viewport=VIEWPORT)
            page.on("console", on_console)
            if config is None:
                # The page asks for /config.json (data-config-optional); without --config
                # answer with no options rather than a 404.
                page.route("**/config.json", lambda route: route.fulfill(json={}))
            # Opened while the page is idle: it can still stop a script that never returns.
            cdp = page.context.new_cdp_session(page)
            for index, (name, source) in enumerate(scripts):
                if index:
                    clear_storage(page, cdp, chromium.url)
                open_workspace(page, chromium.url if index == 0 else None)
                console = []
                capturing = True
                stopped = run_with_limit(page, cdp, _RUN_JS, [source, name], boot_timeout_s)
                page.evaluate(SETTLE_JS, [settle_ms, QUIET_MS])
                collected = page.evaluate(_COLLECT_JS)
                collected["errors"] += stopped
                shot = None
                if screenshot and index == len(scripts) - 1:
                    page.wait_for_timeout(100)
                    page.screenshot(path=screenshot)
                    shot = screenshot
                capturing = False
                errors = collected["errors"]
                results.append(RunResult(collected["state"], console, errors, shot))
    except (BrowserNotFound, ServerSetupError, LaunchError) as exc:
        raise RunnerError(str(exc)) from exc
    return results


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
        help="how long to wait for Python to start, and for each script to finish; a script "
        f"still running then is stopped and reported (default {BOOT_TIMEOUT_S:g})",
    )
    warm.add_arguments(parser)
    return parser


def _run(args: argparse.Namespace, scripts: list[tuple[str, str]]) -> list[RunResult]:
    """In the warm helper unless ``--cold`` (or no helper can run here), else in this process."""
    options = {
        "screenshot": args.screenshot,
        "config": args.config,
        "webresources": args.webresources,
        "settle_ms": max(0, args.wait),
        "boot_timeout_s": args.timeout,
    }
    if not args.cold and warm.wanted():
        try:
            done = warm.run(warm.Request(scripts=scripts, **options))
        except warm.HelperUnavailable as exc:
            print(f"py-apm run: no warm helper ({exc}); running cold", file=sys.stderr)
        except RuntimeError as exc:
            raise RunnerError(str(exc)) from exc
        else:
            return [RunResult(**r) for r in done]
    return run_scripts(scripts, **options)


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
