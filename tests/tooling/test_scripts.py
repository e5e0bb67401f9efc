"""scripts/serve.sh keeps the caller's directory: relative paths mean what the caller typed;
scripts/test.sh times its phases, names a failed one and ends with pytest's summary;
scripts/setup.sh's halves each do only their own steps."""

from __future__ import annotations

import hashlib
import os
import shutil
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


# scripts/test.sh's phases with every tool stubbed: `.venv/bin/python -m <tool>` exits with the
# status the test gives that tool (FAIL_<TOOL>), pytest prints a summary line.
_STUB_PYTHON = """#!/usr/bin/env bash
tool="$2"
if [ "$tool" = pytest ]; then
  echo "pytest args: ${*:3}" >&2
  echo "3 passed in 0.02s"
fi
var="FAIL_$(echo "$tool" | tr a-z A-Z)"
exit "${!var:-0}"
"""


def _test_sh(tmp_path: Path, **fail: int) -> subprocess.CompletedProcess[str]:
    (tmp_path / "scripts").mkdir(exist_ok=True)
    shutil.copy(REPO / "scripts" / "test.sh", tmp_path / "scripts" / "test.sh")
    # `setup.sh venv` (.venv, FAIL_VENV) beside `setup.sh node` (the Node half), then
    # `setup.sh python` (the rest, FAIL_SETUP)
    (tmp_path / "scripts" / "setup.sh").write_text(
        '[ "${1:-}" = node ] && exit 0\n'
        '[ "${1:-}" = venv ] && { echo "venv ran" >&2; exit "${FAIL_VENV:-0}"; }\n'
        'echo "setup ran" >&2\nexit "${FAIL_SETUP:-0}"\n'
    )
    (tmp_path / "scripts" / "test_js.sh").write_text('exit "${FAIL_JS:-0}"\n')
    python = tmp_path / ".venv" / "bin" / "python"
    python.parent.mkdir(parents=True, exist_ok=True)
    python.write_text(_STUB_PYTHON)
    python.chmod(0o755)
    env = {**os.environ, **{f"FAIL_{k.upper()}": str(v) for k, v in fail.items()}}
    script = tmp_path / "scripts" / "test.sh"
    return subprocess.run(
        ["bash", str(script)], cwd=tmp_path, capture_output=True, text=True, env=env, timeout=60
    )


def test_test_sh_times_each_phase_and_ends_with_pytests_summary(tmp_path: Path) -> None:
    done = _test_sh(tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "3 passed in 0.02s"
    timing = [line for line in done.stderr.splitlines() if "seconds per phase" in line]
    assert len(timing) == 1
    phases = [part.split()[0] for part in timing[0].split(": ", 2)[2].split(", ")]
    assert phases[:3] == ["node-setup", "venv", "setup"]
    assert sorted(phases) == sorted(["node-setup", "venv", "setup", "js", "lint", "docs", "pytest"])
    assert "failed" not in done.stderr
    # one pytest run: the whole suite, the leak canaries (tests/isolation) included, shuffled
    (run,) = [line for line in done.stderr.splitlines() if line.startswith("pytest args:")]
    assert "--dist loadfile" in run and "--ignore" not in run and "tests/isolation" not in run


@pytest.mark.parametrize("step", ["venv", "setup"])
def test_test_sh_stops_when_the_setup_fails(tmp_path: Path, step: str) -> None:
    done = _test_sh(tmp_path, **{step: 1})
    assert done.returncode == 1
    assert f"{step} ran" in done.stderr and "passed" not in done.stdout
    assert "seconds per phase" not in done.stderr


def test_test_sh_names_each_failed_phase_and_still_runs_pytest(tmp_path: Path) -> None:
    done = _test_sh(tmp_path, js=1, mkdocs=1, ruff=1, mypy=1)
    assert done.returncode == 1
    failed = [x for x in done.stderr.splitlines() if x.startswith("test.sh:") and "failed" in x]
    assert [line.split(" (")[0] for line in failed] == [
        "test.sh: scripts/test_js.sh failed",
        "test.sh: mkdocs build --strict failed",
        "test.sh: ruff check or ruff format --check failed",
        "test.sh: mypy failed",
    ], done.stderr
    assert done.stdout.splitlines()[-1] == "3 passed in 0.02s"


def test_test_sh_exits_with_pytests_status(tmp_path: Path) -> None:
    done = _test_sh(tmp_path, pytest=3)
    assert done.returncode == 3
    assert "test.sh: pytest failed" in done.stderr
    assert "PY_APM_SHUFFLE_SEED=" in done.stderr  # to replay the canaries' order


# scripts/setup.sh with npm, node and .venv stubbed: each logs what it was asked to do.
_STUB = """#!/usr/bin/env bash
echo "$(basename "$0") $*" >> "$STUB_LOG"
"""


@pytest.mark.parametrize(
    ("half", "wanted"),
    [
        ("node", ["npm ci --no-audit --no-fund --prefer-offline", "node scripts/build_shim.mjs"]),
        # test.sh runs it beside `setup.sh node`: a second npm ci in the same node_modules
        # would race the first one (files deleted under its feet, esbuild's binary busy)
        ("venv", []),
        ("python", ["py-apm snapshot --check"]),
    ],
)
def test_setup_sh_half_does_only_its_own_steps(
    tmp_path: Path, half: str, wanted: list[str]
) -> None:
    (tmp_path / "scripts").mkdir()
    shutil.copy(REPO / "scripts" / "setup.sh", tmp_path / "scripts" / "setup.sh")
    (tmp_path / "pyproject.toml").write_text("[project]\n")
    venv_bin = tmp_path / ".venv" / "bin"
    tools = tmp_path / "tools"
    for stub in (tools / "npm", tools / "node", venv_bin / "python", venv_bin / "py-apm"):
        stub.parent.mkdir(parents=True, exist_ok=True)
        stub.write_text(_STUB)
        stub.chmod(0o755)
    # .venv is up to date: its stamp is pyproject.toml's digest
    stamp = hashlib.sha256(b"[project]\n").hexdigest()
    (tmp_path / ".venv" / ".py-apm-setup-stamp").write_text(stamp + "\n")
    log = tmp_path / "calls.log"
    env = {
        **os.environ,
        "PATH": f"{tools}{os.pathsep}{os.environ['PATH']}",
        "PY_APM_BROWSER": shutil.which("true") or "/bin/true",  # a browser is there: no apt
        "STUB_LOG": str(log),
    }
    done = subprocess.run(
        ["bash", "scripts/setup.sh", half], cwd=tmp_path, capture_output=True, text=True,
        env=env, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    calls = log.read_text().splitlines() if log.exists() else []
    assert [c for c in calls if not c.startswith("python ")] == wanted, done.stderr
