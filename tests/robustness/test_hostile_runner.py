"""`py-apm run` with a script that never ends: stopped after `--timeout`, reported as the
script's error (exit 1), with the workspace it left and a second script still run; the same
through the warm helper and in a cold run."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.browser
@pytest.mark.parametrize("mode", ["warm", "cold"])
def test_a_script_that_never_ends_is_stopped(tmp_path: Path, mode: str) -> None:
    endless = tmp_path / "endless.js"
    endless.write_text(
        'Microsoft.Apm.createSession({templateName: "msdyn_chat_session"});\nwhile (true) {}\n'
    )
    after = tmp_path / "after.js"
    after.write_text('console.log("still runs", Microsoft.Apm.getAllSessions().length);\n')
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "py_apm.host.runner",
            "--json",
            "--timeout",
            "10",
            *(["--cold"] if mode == "cold" else []),
            str(endless),
            str(after),
        ],
        capture_output=True,
        text=True,
        timeout=240,
        cwd=REPO,
    )
    assert done.returncode == 1, done.stderr[-2000:]
    first, second = json.loads(done.stdout)
    assert [e["message"] for e in first["errors"]] == [
        "the script did not finish within 10 s (--timeout) and was stopped"
    ]
    assert len(first["sessions"]) == 2  # what it did before the loop stays
    assert second["errors"] == [] and second["console"][-1]["text"] == "still runs 1"
