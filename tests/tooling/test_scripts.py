"""scripts/serve.sh keeps the caller's directory: relative paths mean what the caller typed."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from .conftest import fetch

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.skipif(not (REPO / ".venv" / "bin" / "py-apm").is_file(), reason="no .venv")
def test_serve_sh_takes_paths_from_the_callers_directory(tmp_path):
    (tmp_path / "webresources").mkdir()
    (tmp_path / "webresources" / "mine.html").write_text("<p>mine</p>\n")
    proc = subprocess.Popen(
        [
            "bash",
            str(REPO / "scripts" / "serve.sh"),
            "--port",
            "0",
            "--no-snapshot",
            "--webresources",
            "webresources",
        ],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:"), (url, proc.stderr.read() if proc.stderr else "")
        got = fetch(url, "/webresources/mine.html")
        assert got.status == 200 and got.body == b"<p>mine</p>\n"
    finally:
        proc.terminate()
        proc.wait(timeout=10)
