#!/usr/bin/env bash
# Set up (idempotent), lint, and run the tests. Extra arguments go to pytest; paths among them
# (tests/x.py, tests/x.py::test_y, a folder) are taken from the caller's directory.
# Exit status: pytest's (5 = no tests collected), else 1 if the JS checks, the docs build or ruff
# failed.
set -euo pipefail
args=()
for arg in "$@"; do
  file="${arg%%::*}"
  if [ -n "$file" ] && [ "${arg:0:1}" != "-" ] && [ -e "$file" ]; then
    arg="$(cd "$(dirname "$file")" && pwd)/$(basename "$file")${arg:${#file}}"
  fi
  args+=("$arg")
done
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/setup.sh

# Lint, format and types: each failure is reported, none stops the tests from running.
ruff_rc=0
.venv/bin/python -m ruff check . || ruff_rc=$?
.venv/bin/python -m ruff format --check --quiet . || { echo "test.sh: run \`ruff format\`" >&2; ruff_rc=1; }
mypy_rc=0
.venv/bin/python -m mypy || mypy_rc=$?

# The JavaScript/TypeScript side: typings, the npm package and its Playwright Test fixture.
# Before pytest, so that pytest's summary is the run's closing line.
js_rc=0
bash scripts/test_js.sh || js_rc=$?

# The documentation site (mkdocs.yml): a broken link or anchor, or a page left out of the nav,
# fails the strict build (not --quiet: it hides the warnings that --strict counts).
docs_rc=0
NO_MKDOCS_2_WARNING=1 .venv/bin/python -m mkdocs build --strict || docs_rc=$?

# The leak canaries of apm_page (docs/isolation.md) on two pytest-xdist workers, shuffled by
# PY_APM_SHUFFLE_SEED (tests/isolation/conftest.py); the full run below leaves them out.
canary_rc=0
if [ "${#args[@]}" -eq 0 ]; then
  export PY_APM_SHUFFLE_SEED="${PY_APM_SHUFFLE_SEED:-$(date +%s)}"
  .venv/bin/python -m pytest tests/isolation -n 2 -q -p no:cacheprovider || canary_rc=$?
  # The whole suite on two pytest-xdist workers (PY_APM_TEST_WORKERS): 2 cores.
  args=(--ignore=tests/isolation -n "${PY_APM_TEST_WORKERS:-2}")
fi

pytest_rc=0
.venv/bin/python -m pytest -q ${args[@]+"${args[@]}"} || pytest_rc=$?

if [ "$pytest_rc" -ne 0 ]; then exit "$pytest_rc"; fi
if [ "$docs_rc" -ne 0 ]; then echo "test.sh: mkdocs build --strict failed" >&2; exit 1; fi
if [ "$js_rc" -ne 0 ]; then echo "test.sh: scripts/test_js.sh failed" >&2; exit 1; fi
if [ "$canary_rc" -ne 0 ]; then echo "test.sh: the apm_page leak canaries failed (PY_APM_SHUFFLE_SEED=$PY_APM_SHUFFLE_SEED)" >&2; exit 1; fi
if [ "$ruff_rc" -ne 0 ]; then echo "test.sh: ruff check failed" >&2; exit 1; fi
if [ "$mypy_rc" -ne 0 ]; then echo "test.sh: mypy failed" >&2; exit 1; fi
