"""The GitHub workflows: actionlint-clean, and the release does what docs/releasing.md says."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
WORKFLOWS = REPO / ".github" / "workflows"
ACTIONLINT = shutil.which("actionlint", path=str(Path(sys.executable).parent)) or shutil.which(
    "actionlint"
)


@pytest.mark.skipif(ACTIONLINT is None, reason="actionlint not installed (the dev extras have it)")
def test_actionlint_is_clean() -> None:
    files = sorted(str(p) for p in WORKFLOWS.glob("*.yml"))
    assert len(files) == 2
    done = subprocess.run(
        [str(ACTIONLINT), "-oneline", *files], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_release_builds_once_tests_those_files_then_publishes() -> None:
    text = (WORKFLOWS / "release.yml").read_text()
    assert 'tags: ["v*"]' in text
    jobs = text.split("\njobs:\n", 1)[1]
    order = [name for name in ("  build:", "  test:", "  publish-pypi:", "  publish-npm:")]
    assert [jobs.index(n) for n in order] == sorted(jobs.index(n) for n in order)
    test_job = jobs.split("  test:", 1)[1].split("  publish-pypi:", 1)[0]
    assert "PY_APM_DIST:" in test_job and "PY_APM_NPM_TARBALL=" in test_job
    assert "python -m build" not in test_job and "npm/build.py" not in test_job
    pypi = jobs.split("  publish-pypi:", 1)[1].split("  publish-npm:", 1)[0]
    assert "needs: test" in pypi and "id-token: write" in pypi
    assert "uses: pypa/gh-action-pypi-publish@release/v1" in pypi
    npm = jobs.split("  publish-npm:", 1)[1]
    assert "needs: test" in npm and "id-token: write" in npm
    assert "npm publish --provenance" in npm


def test_ci_runs_the_projects_own_entry_point() -> None:
    text = (WORKFLOWS / "ci.yml").read_text()
    assert "pull_request:" in text and "run: bash .ci/run" in text
    # setup's downloads come from the runner's cache, keyed on the files that pin them
    assert "cache: pip" in text and "cache-dependency-path: pyproject.toml" in text
    assert "cache: npm" in text
