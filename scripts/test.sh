#!/usr/bin/env bash
# Set up (idempotent), lint, and run the tests. Extra arguments go to pytest.
# Exit status: pytest's (5 = no tests collected), else 1 if ruff found problems.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/setup.sh

ruff_rc=0
.venv/bin/python -m ruff check . || ruff_rc=$?

pytest_rc=0
.venv/bin/python -m pytest -q "$@" || pytest_rc=$?

if [ "$pytest_rc" -ne 0 ]; then exit "$pytest_rc"; fi
if [ "$ruff_rc" -ne 0 ]; then echo "test.sh: ruff check failed" >&2; exit 1; fi
