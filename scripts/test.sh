#!/usr/bin/env bash
# Set up (idempotent), lint, and run the tests. Extra arguments go to pytest; paths among them
# (tests/x.py, tests/x.py::test_y, a folder) are taken from the caller's directory.
# Phases: the Node half of the setup and, beside it, .venv; the JS checks (scripts/test_js.sh)
# from then on, beside the rest of the setup, then lint (ruff, mypy) and the docs build beside
# them too (their output is printed when they end); pytest, the apm_page leak canaries among its
# tests.
# The end prints one line of seconds per phase, a line naming each failed phase, and pytest's
# summary again as the closing line.
# Exit status: pytest's (5 = no tests collected), else 1 if the JS checks, the docs build, ruff
# or mypy failed.
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
# Bytecode is written (into the ignored __pycache__ folders): with PYTHONDONTWRITEBYTECODE set,
# every Python process of the run (the pytest workers, each `py-apm run`, warm helper and inner
# pytest run) compiles every module it imports from source again, about 1 CPU-second each.
export PYTHONDONTWRITEBYTECODE=
# Likewise for the Node.js that Python's Playwright starts for every browser it drives (a
# version that reads this; the system's Node 20 ignores it): about 0.2 CPU-second a start.
export NODE_COMPILE_CACHE="${NODE_COMPILE_CACHE:-$PWD/build/node-compile-cache}"

logs="$(mktemp -d "${TMPDIR:-/tmp}/py-apm-test-XXXXXX")"
trap 'rm -rf "$logs"' EXIT
times=()
now() { date +%s; }
# timed NAME COMMAND...: runs it, appends "NAME Ns" to times, returns its status.
timed() {
  local name="$1" started rc=0
  shift
  started=$(now)
  "$@" || rc=$?
  times+=("$name $(($(now) - started)) s")
  return "$rc"
}
# in_background NAME COMMAND...: runs it with its output into $logs/NAME.log; $logs/NAME.rc and
# $logs/NAME.s hold its status and seconds when it ends.
in_background() {
  local name="$1"
  shift
  (
    started=$(now) rc=0
    "$@" >"$logs/$name.log" 2>&1 || rc=$?
    echo "$(($(now) - started))" >"$logs/$name.s"
    echo "$rc" >"$logs/$name.rc"
  ) &
}
# collect NAME: waits for it, prints its output and adds its time; returns its status.
collect() {
  local name="$1"
  wait "$2" || true
  cat "$logs/$name.log"
  times+=("$name $(cat "$logs/$name.s") s")
  return "$(cat "$logs/$name.rc")"
}

# .venv is made beside the Node half of the setup (on a new machine, its apt install of Chromium
# takes about half a minute). The JS checks (which need no .venv) then run beside the rest of the
# setup (the snapshot) and pytest, at a lower priority: the setup and pytest are the longest
# path, and the JS checks take the time their processes leave idle (waiting on a subprocess, a
# browser or a timer) instead of slowing them.
in_background venv bash scripts/setup.sh venv
venv_pid=$!
timed node-setup bash scripts/setup.sh node || { wait "$venv_pid" || true; exit 1; }
in_background js nice -n 10 bash scripts/test_js.sh
js_pid=$!
collect venv "$venv_pid" >&2 || { wait "$js_pid" || true; exit 1; }
timed setup bash scripts/setup.sh python || { wait "$js_pid" || true; exit 1; }

# Lint, format and types: each failure is reported, none stops the tests from running.
lint() {
  local rc=0
  .venv/bin/python -m ruff check . || rc=1
  .venv/bin/python -m ruff format --check --quiet . || { echo "test.sh: run \`ruff format\`" >&2; rc=1; }
  .venv/bin/python -m mypy || rc=$((rc | 2))
  return "$rc"
}
# The documentation site (mkdocs.yml): a broken link or anchor, or a page left out of the nav,
# fails the strict build (not --quiet: it hides the warnings that --strict counts).
docs() { NO_MKDOCS_2_WARNING=1 .venv/bin/python -m mkdocs build --strict; }

# Lint, docs and the JS checks (which mostly wait on npm and on the browser) run beside the
# pytest runs below, their output held until pytest ends (its summary stays the closing line).
in_background lint lint
lint_pid=$!
in_background docs docs
docs_pid=$!

if [ "${#args[@]}" -eq 0 ]; then
  # The apm_page leak canaries (tests/isolation, docs/isolation.md) run in a shuffled order:
  # PY_APM_SHUFFLE_SEED replays one (tests/isolation/conftest.py prints it in the header).
  export PY_APM_SHUFFLE_SEED="${PY_APM_SHUFFLE_SEED:-$(date +%s)}"
  # The whole suite on two pytest-xdist workers (PY_APM_TEST_WORKERS), one per core: what a
  # worker leaves idle the JS checks take (a third worker, with its own browser, boots and Node,
  # cost about 30 CPU-seconds more for no shorter run). A module's tests stay on one worker
  # (--dist loadfile), so a module-scoped boot, helper, build or venv is made once, not once per
  # worker.
  # A canary module then runs on a worker whose apm_page earlier modules' tests used too.
  args=(-n "${PY_APM_TEST_WORKERS:-2}" --dist loadfile)
fi

color=()
if [ -t 1 ]; then color=(--color=yes); fi
pytest_rc=0
run_pytest() { .venv/bin/python -m pytest -q ${color[@]+"${color[@]}"} ${args[@]+"${args[@]}"} | tee "$logs/pytest.log"; }
timed pytest run_pytest || pytest_rc=$?

js_rc=0
collect js "$js_pid" || js_rc=$?
lint_rc=0
collect lint "$lint_pid" || lint_rc=$?
docs_rc=0
collect docs "$docs_pid" || docs_rc=$?

failed() { echo "test.sh: $*" >&2; }
echo "test.sh: seconds per phase: $(IFS=,; echo "${times[*]}" | sed 's/,/, /g')" >&2
[ "$js_rc" -eq 0 ] || failed "scripts/test_js.sh failed (its last 'test_js:' line says where)"
[ "$docs_rc" -eq 0 ] || failed "mkdocs build --strict failed"
[ $((lint_rc & 1)) -eq 0 ] || failed "ruff check or ruff format --check failed"
[ $((lint_rc & 2)) -eq 0 ] || failed "mypy failed"
[ "$pytest_rc" -eq 0 ] || [ "$pytest_rc" -eq 5 ] \
  || failed "pytest failed (its leak canaries replay with PY_APM_SHUFFLE_SEED=${PY_APM_SHUFFLE_SEED:-})"
# pytest's summary, again, as the closing line.
tail -n 1 "$logs/pytest.log"

if [ "$pytest_rc" -ne 0 ]; then exit "$pytest_rc"; fi
if [ "$js_rc" -ne 0 ] || [ "$docs_rc" -ne 0 ] || [ "$lint_rc" -ne 0 ]; then
  exit 1
fi
