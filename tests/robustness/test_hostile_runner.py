"""`py-apm run` with a script that never ends: stopped after `--timeout`, reported as the
script's error (exit 1), with the workspace it left and a second script still run; the same
through the warm helper (one of the test's own) and in a cold run."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from run_helper import Helper


@pytest.mark.browser
@pytest.mark.parametrize("mode", ["warm", "cold"])
def test_a_script_that_never_ends_is_stopped(tmp_path: Path, mode: str) -> None:
    helper = Helper(tmp_path)
    endless = helper.script(
        'Microsoft.Apm.createSession({templateName: "msdyn_chat_session"});\nwhile (true) {}\n',
        "endless.js",
    )
    after = helper.script(
        'console.log("still runs", Microsoft.Apm.getAllSessions().length);\n', "after.js"
    )
    try:
        # --timeout is the script's limit; the boot has its own bound (a busy machine boots
        # slowly, and the boot is not what is tested).
        done = helper.run_files(
            "--json", "--timeout", "2", "--boot-timeout", "120",
            *(["--cold"] if mode == "cold" else []), str(endless), str(after),
            timeout=240,
        )  # fmt: skip
    finally:
        helper.stop(timeout=60)
    assert done.returncode == 1, done.stderr[-2000:]
    first, second = json.loads(done.stdout)
    assert [e["message"] for e in first["errors"]] == [
        "the script did not finish within 2 s (--timeout) and was stopped"
    ]
    assert len(first["sessions"]) == 2  # what it did before the loop stays
    assert second["errors"] == [] and second["console"][-1]["text"] == "still runs 1"
