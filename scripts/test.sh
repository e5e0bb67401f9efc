#!/usr/bin/env bash
# Set up (idempotent), lint, and run the tests. Extra arguments go to pytest.
# Exit status: pytest's (5 = no tests collected), else 1 if the JS checks or ruff failed.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/setup.sh

ruff_rc=0
.venv/bin/python -m ruff check . || ruff_rc=$?

# The JavaScript/TypeScript side: typings, the npm package and its Playwright Test fixture.
# Before pytest, so that pytest's summary is the run's closing line.
js_rc=0
bash scripts/test_js.sh || js_rc=$?

pytest_rc=0
.venv/bin/python -m pytest -q "$@" || pytest_rc=$?

if [ "$pytest_rc" -ne 0 ]; then exit "$pytest_rc"; fi
if [ "$js_rc" -ne 0 ]; then echo "test.sh: scripts/test_js.sh failed" >&2; exit 1; fi
if [ "$ruff_rc" -ne 0 ]; then echo "test.sh: ruff check failed" >&2; exit 1; fi
