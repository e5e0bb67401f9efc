"""`py-apm run` runs documentation examples as scripts of their own, each on a fresh workspace.

Every example runs verbatim in test_doc_examples.py (in a tab's frame, in Chromium and in Node,
each checked for its effect). Here one run of the CLI takes a dozen of them, one of each kind the
runner treats apart: examples that log, that open a session (focused or not) or a tab, that
subscribe to an event, that declare top-level `var`s (the page is reloaded after them: a `var`
cannot be taken back in place) and that throw because a fresh workspace lacks what they assume.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

FOLDER = Path(__file__).parent / "examples"
EXAMPLES = [
    FOLDER / f"{name}.js"
    for name in (
        "canCreateTab__1", "getAllSessions__1", "getAllTabs__1", "tabId__1",
        "createSession__1", "createSession__2", "createTab__1", "createTab__2",
        "ON_TAB_SWITCH__1", "resolveSlug__1", "focus__1", "getSession__1",
    )
]  # fmt: skip

LOGS = {
    "canCreateTab__1.js": ["true"],
    "getAllSessions__1.js": ["session-id-0"],
    "getAllTabs__1.js": ["Dashboard"],
    "tabId__1.js": ["tab-id-0"],
}
NEW_FOCUSED_SESSION = {"createSession__1.js"}
NEW_BACKGROUND_SESSION = {"createSession__2.js"}
NEW_HOME_TAB = {"createTab__1.js", "createTab__2.js"}


def test_py_apm_run_on_doc_examples_of_each_kind() -> None:
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
    assert set(failures) == {"focus__1.js", "getSession__1.js"}, failures
    assert done.returncode == 1
