"""`py-apm run` (py_apm/runner.py), run as a subprocess: its own Playwright, a real browser."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from gated_server import GatedServer

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
# shared/doc_examples/createSession__1.js (an implicit global: needs sloppy-mode script semantics)
DOC_EXAMPLE = (
    "x=new Map();\n"
    'x.set("parametersStr", \'[["entityName", "incident"], '
    '["entityId", "11bb11bb-cc22-dd33-ee44-55ff55ff55ff"]]\');\n'
    'Microsoft.Apm.createSession({templateName: "case_entity_session_default_template", '
    "sessionContext: x});\n"
    'console.log("all:", JSON.stringify(Microsoft.Apm.getAllSessions()));\n'
)

pytestmark = pytest.mark.skipif(
    not (REPO / "shim.js").is_file(), reason="py-apm run needs the real shim.js"
)


@pytest.fixture(scope="module", autouse=True)
def _own_warm_helper(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """These runs share one warm helper of their own, stopped at the end."""
    sock = tmp_path_factory.mktemp("helper") / "run.sock"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("PY_APM_RUN_SOCKET", str(sock))
        mp.setenv("PY_APM_RUN_IDLE", "60")
        yield
        subprocess.run(
            [sys.executable, "-m", "py_apm.host.runner", "--stop"],
            capture_output=True,
            timeout=60,
            cwd=REPO,
        )


def run(tmp_path: Path, script: str, *args: str) -> subprocess.CompletedProcess[str]:
    """Run ``python -m py_apm.host.runner`` on ``script`` (written to a file)."""
    path = tmp_path / "script.js"
    path.write_text(script, encoding="utf-8")
    return subprocess.run(
        [sys.executable, "-m", "py_apm.host.runner", str(path), *args],
        capture_output=True,
        text=True,
        timeout=180,
        cwd=REPO,
    )


def test_table_output_and_sloppy_globals(tmp_path: Path) -> None:
    """A doc example with an implicit global runs; the table shows sessions, tabs and focus."""
    shot = tmp_path / "shot.png"
    proc = run(tmp_path, DOC_EXAMPLE, "--screenshot", str(shot))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    out = proc.stdout
    assert '[log] all: ["session-id-0","session-id-1"]' in out
    assert "Workspace: 2 sessions, focused session-id-1" in out
    assert "* session-id-1" in out
    assert "case_entity_session_default_template" in out
    assert "* tab-id-1" in out and "entityrecord" in out and "anchor" in out
    assert shot.is_file() and shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_thrown_error_gives_exit_code_and_message(tmp_path: Path) -> None:
    """An Error the API throws (or rejects with, un-awaited) is printed with its errorCode and
    the line; exit code 1."""
    thrown, rejected = tmp_path / "thrown.js", tmp_path / "rejected.js"
    thrown.write_text("Microsoft.Apm.getFocusedSession();\nMicrosoft.Apm.getSession(42);\n")
    rejected.write_text(
        'Microsoft.Apm.getFocusedSession();\nMicrosoft.Apm.focusTab("tab-id-99");\n'
    )
    strict = tmp_path / "strict.js"  # a "use strict" prologue keeps its meaning
    strict.write_text('"use strict";\nundeclared = 1;\n')
    proc = subprocess.run(
        [sys.executable, "-m", "py_apm.host.runner", str(thrown), str(rejected), str(strict)],
        capture_output=True, text=True, timeout=180, cwd=REPO,
    )  # fmt: skip
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "thrown.js (line 2) threw an error: Error:" in proc.stdout
    assert "[errorCode 400]" in proc.stdout
    assert "rejected.js (line 2) threw an unhandled promise rejection: Error:" in proc.stdout
    assert "tab-id-99" in proc.stdout and "[errorCode 404]" in proc.stdout
    assert "strict.js (line 2) threw an error: ReferenceError: undeclared is not" in proc.stdout


def test_json_output_with_config_webresources_and_syntax_error(tmp_path: Path) -> None:
    """--json gives PyApm.state() + console + error; a SyntaxError is caught the same way."""
    script = 'Microsoft.Apm.createTab({templateName: "pyapm_hello"});\nconsole.warn("done");\n'
    proc = run(
        tmp_path,
        script,
        "--json",
        "--config",
        str(HERE / "page_config.json"),
        "--webresources",
        str(REPO / "web" / "webresources-sample"),
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    data = json.loads(proc.stdout)
    assert data["error"] is None and data["errors"] == []
    assert {"type": "warn", "text": "done"} in data["console"]
    home = data["sessions"][0]
    assert [t["pageType"] for t in home["tabs"]] == ["dashboard", "webresource"]
    assert home["tabs"][1]["url"].startswith("webresources/sample_hello.html")

    bad = run(tmp_path, "var a = ;\n", "--json")
    assert bad.returncode == 1
    error = json.loads(bad.stdout)["error"]
    assert error["name"] == "SyntaxError" and (error["line"], error["column"]) == (1, 9)


def test_missing_script_is_a_usage_error(tmp_path: Path) -> None:
    """A script that does not exist: exit code 2 and a one-line message, no browser."""
    proc = subprocess.run(
        [sys.executable, "-m", "py_apm.host.runner", str(tmp_path / "nope.js")],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=REPO,
    )
    assert proc.returncode == 2
    assert "cannot read" in proc.stderr


LEAVES = (
    "localStorage.setItem('k', 'v'); sessionStorage.setItem('k', 'v');\n"
    "window.name = 'kept?'; document.cookie = 'c=1';\n"
)
PROBES = (
    "console.log(localStorage.length, sessionStorage.length, JSON.stringify(window.name),\n"
    "  JSON.stringify(document.cookie));\n"
)
# Top-level declarations of every kind: `let`/`const`/`class` stay the script's own (it runs in
# a block), a `var` or a function is a global the page cannot drop (it is reloaded).
DECLARES = "var v = 1; let l = 1; const c = 1; class K {} function f() {}\n"
REDECLARES = (
    "let v = 2, f = 2, K = 2; const l = 2; class c {}\n"
    "console.log(JSON.stringify(['v', 'l', 'c', 'K', 'f'].filter((n) => n in window)));\n"
)

# Starts an endless loop as soon as the run has collected the workspace (PyApm.state() is the
# collection's last call into the page), i.e. just before the page is cleared for the next script.
LOOPS_AFTER_COLLECTION = (
    "const state = PyApm.state;\n"
    "PyApm.state = function (...a) { setTimeout(() => { for (;;) {} }, 0);"
    " return state.apply(this, a); };\n"
)
SECOND = "console.log('second ran');\n"

# Once the run has collected the workspace (PyApm.state() is the collection's last call into
# the page), starts chains of windows: each keeps creating sessions in the script's page
# (`opener`), and after 20 ms opens its successor (with the same opener).
# Closing the windows that exist at one moment does not end a chain; nothing of one script may
# reach a later script's page.
SPAWNS_WINDOWS = """
const hop = "try { opener.Microsoft.Apm.createSession({templateName: 'msdyn_chat_session'}); }" +
  " catch (e) {} if (!window.hopped) { window.hopped = 1; setTimeout(() => {" +
  " const n = opener.open('about:blank', '_blank');" +
  " if (n) { n.hop = window.hop; n.setInterval(n.hop, 5); } }, 20); }";
const state = PyApm.state;
PyApm.state = function (...a) {
  for (let i = 0; i < 3; i++) {
    const w = window.open("about:blank", "_blank");
    w.hop = hop;
    w.setInterval(hop, 5);
  }
  return state.apply(this, a);
};
"""
CHAT_SESSION = "Microsoft.Apm.createSession({templateName: 'msdyn_chat_session'})"
COUNTS_LATER = (
    "setTimeout(() => console.log('sessions', Microsoft.Apm.getAllSessions().length), 400);\n"
)


# Scripts run in this order: what one leaves, and what the next sees (each one's console.log).
LEAKS = [
    ("leaves.js", LEAVES + PROBES, ['1 1 "kept?" "c=1"']),
    ("probes.js", PROBES, ['0 0 "" ""']),
    ("declares.js", DECLARES, []),
    ("redeclares.js", REDECLARES, ["[]"]),
    ("loops.js", LOOPS_AFTER_COLLECTION, []),
    ("second.js", SECOND, ["second ran"]),
    ("spawns.js", SPAWNS_WINDOWS, []),
    ("later1.js", COUNTS_LATER, ["sessions 1"]),
    ("later2.js", COUNTS_LATER, ["sessions 1"]),
    ("later3.js", COUNTS_LATER, ["sessions 1"]),
]


def _check_leaks(results: list[dict], scripts: list[tuple[str, str, list[str]]] = LEAKS) -> None:
    assert [r["errors"] for r in results] == [[]] * len(scripts)
    logs = [[c["text"] for c in r["console"] if c["type"] == "log"] for r in results]
    assert logs == [want for _, _, want in scripts]


def test_nothing_of_a_script_reaches_a_later_one_warm(tmp_path: Path) -> None:
    """Each script of a run starts from a fresh workspace: no storage, cookie, window name or
    top-level declaration of an earlier one; a loop it left running does not stop the next;
    windows it opened (chains of them, on `opener`) cannot reach a later script."""
    paths = []
    for name, source, _ in LEAKS:
        paths.append(tmp_path / name)
        paths[-1].write_text(source, encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "py_apm.host.runner", *map(str, paths), "--json", "--wait", "1000"],
        capture_output=True, text=True, timeout=300, cwd=REPO,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr
    _check_leaks(json.loads(proc.stdout))


class Held(GatedServer):
    """A server whose ``/hold`` answers only once ``/release`` was asked (or after 30 s)."""

    def __init__(self) -> None:
        released = self.released = threading.Event()

        def gate(path: str) -> None:
            if path.startswith("/hold"):
                released.wait(30)
            else:
                released.set()

        super().__init__(gate, released.set)


def test_nothing_of_a_script_reaches_a_later_one_cold() -> None:
    """The same scripts through a cold run's lifecycle (one page, ``run_page.run_request``), in
    this process: the same isolation, and how it was had: each page is reset in place (no boot)
    unless the script left what the reset cannot undo: a reload after the top-level `var` and
    function and after a request still in flight (it is aborted: its answer, which comes while
    the next script runs, reaches nothing), a new context after the windows."""
    from py_apm.host.run_page import Pages, run_request

    held = Held()
    in_flight = [
        ("holds.js", f"fetch('{held.url}hold').then(() => {CHAT_SESSION});\n", []),
        (
            "releases.js",
            f"fetch('{held.url}release').then(() => setTimeout(() => console.log('sessions',"
            " Microsoft.Apm.getAllSessions().length), 300));\n",
            ["sessions 1"],
        ),
    ]
    scripts = LEAKS + in_flight
    req = {
        "scripts": [[name, source] for name, source, _ in scripts], "screenshot": None,
        "config": None, "webresources": None, "settle_ms": 1000, "boot_timeout_s": 120,
        "timeout_s": 60,
    }  # fmt: skip

    async def scenario() -> tuple[list[dict], dict[str, int]]:
        from playwright.async_api import async_playwright

        from py_apm.host.chromium import launch_args

        async with async_playwright() as pw:
            browser = await pw.chromium.launch(**launch_args(headless=True))
            pages = Pages(browser, None, None, pool=1)
            try:
                pages.warm_up()
                return await run_request(pages, req, lambda _t: None, refill=False), pages.counts
            finally:
                await pages.close()
                await browser.close()

    # A thread of its own: a sync Playwright test earlier in the session may leave its loop
    # running in this one, where asyncio.run refuses to start.
    try:
        with ThreadPoolExecutor(1) as pool:
            results, counts = pool.submit(asyncio.run, scenario()).result(timeout=300)
    finally:
        held.close()
    _check_leaks(results, scripts)
    # 11 changes of script: 2 reloads (after declares.js and holds.js), 1 new context (after
    # spawns.js); the others in place (one more boot when the page left looping answers late).
    assert counts["reload"] == 2 and counts["boot"] in (2, 3), counts
    assert counts["reset"] >= 7, counts
