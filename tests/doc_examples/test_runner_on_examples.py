"""`py-apm run` runs every documentation example (each on a fresh workspace) without an error."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

EXAMPLES = sorted((Path(__file__).parent / "examples").glob("*.js"))

LOGS = {
    "canCreateTab__1.js": ["true"],
    "getAllSessions__1.js": ["session-id-0"],
    "getFocusedSession__1.js": ["session-id-0"],
    "isDefault__1.js": ["true"],
    "sessionId__1.js": ["session-id-0"],
    "tabId__1.js": ["tab-id-0"],
    "getAllTabs__1.js": ["Dashboard"],
}
NEW_FOCUSED_SESSION = {
    "canCreateSession__1.js",
    "canCreateSession__2.js",
    "createSession__1.js",
    "createSession__3.js",
    "createTab__6.js",
    "createTab__7.js",
}
NEW_BACKGROUND_SESSION = {"createSession__2.js", "createSession__4.js"}
NEW_HOME_TAB = {
    "createTab__1.js",
    "createTab__2.js",
    "createTab__3.js",
    "createTab__4.js",
    "createTab__5.js",
}


def test_py_apm_run_on_every_doc_example() -> None:
    command = [
        sys.executable,
        "-m",
        "py_apm.host.cli",
        "run",
        *map(str, EXAMPLES),
        "--json",
        "--wait",
        "50",
        "--cold",  # one process: no helper left behind; its page is reset between scripts
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=600)
    results = {r["script"]: r for r in json.loads(done.stdout)}
    assert sorted(results) == sorted(p.name for p in EXAMPLES)
    failures = {}
    for name, result in results.items():
        sessions = result["sessions"]
        logs = [c["text"] for c in result["console"] if c["type"] == "log"]
        if result.get("errors"):
            failures[name] = result["errors"]
        if name in LOGS:
            assert logs == LOGS[name], name
        if name in NEW_FOCUSED_SESSION:
            assert result["focusedSessionId"] == "session-id-1", name
        if name in NEW_BACKGROUND_SESSION:
            assert len(sessions) == 2 and result["focusedSessionId"] == "session-id-0", name
        if name in NEW_HOME_TAB:
            assert [t["tabId"] for t in sessions[0]["tabs"]] == ["tab-id-0", "tab-id-1"], name
    # Examples that assume sessions or tabs which a fresh workspace does not have throw, as in
    # the real workspace (getSession("session-id-4") is null there too).
    assert set(failures) == {
        "focus__1.js",
        "getSession__1.js",
        "requestFocus__1.js",
        "getTab__1.js",
        "focusTab__2.js",
        "refreshTab__1.js",
    }, failures
    assert done.returncode == 1
