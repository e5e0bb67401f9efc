#!/usr/bin/env bash
# Idempotent setup: Chromium (apt, when root and none is found; its headless shell beside Debian's
# Chromium), Pyodide and esbuild (npm ci), shim.js (built from shim/), .venv with py-apm
# installed editable with its dev extras (by a pinned uv, else pip). Re-running is cheap: each
# step is skipped when its inputs (package-lock.json, pyproject.toml) have not changed.
# `setup.sh node` does only the Node half (Chromium, npm ci, shim.js), `setup.sh python` only the
# rest (.venv, the snapshot), `setup.sh venv` only .venv: scripts/test.sh makes .venv beside the
# Node half, then starts the JS checks, which need no .venv, beside the snapshot and pytest.
# Env: PY_APM_PYTHON (interpreter for .venv), PY_APM_BROWSER (a Chromium to use, skips apt),
# PY_APM_NO_UV (pip makes .venv, not uv).
set -euo pipefail
half="${1:-}"
case "$half" in
  "" | node | python | venv) ;;
  *) printf 'usage: scripts/setup.sh [node | python | venv]\n' >&2; exit 2 ;;
esac
cd "$(dirname "${BASH_SOURCE[0]}")/.."

say() { printf 'setup: %s\n' "$*" >&2; }
# timed WHAT COMMAND...: runs a step that does work, then says how many seconds it took.
timed() {
  local what="$1" started=$SECONDS
  shift
  "$@"
  say "$what: $((SECONDS - started)) s"
}

stamp_of() { cat "$@" 2>/dev/null | sha256sum | cut -d' ' -f1; }

if [ -z "$half" ] || [ "$half" = node ]; then  # ---- the Node half (steps 1 to 2d) -----------------
# --- 1. a Chromium for Playwright -------------------------------------------------------------
have_browser() {
  if [ -n "${PY_APM_BROWSER:-}" ] && [ -x "${PY_APM_BROWSER}" ]; then return 0; fi
  local name
  for name in chromium chromium-browser google-chrome google-chrome-stable; do
    command -v "$name" >/dev/null 2>&1 && return 0
  done
  local cache="${PLAYWRIGHT_BROWSERS_PATH:-${XDG_CACHE_HOME:-$HOME/.cache}/ms-playwright}"
  compgen -G "$cache/chromium-*/chrome-linux*/chrome" >/dev/null 2>&1 && return 0
  return 1
}

# Debian's Chromium and, when the index has it, its headless shell, in one apt run. It runs
# beside npm ci and the shim's build (a new machine's apt install takes about half a minute).
apt_chromium() {
  local started=$SECONDS shell=""
  apt-get update
  if apt-cache show chromium-headless-shell >/dev/null 2>&1; then shell=chromium-headless-shell; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y chromium $shell \
    || { [ -n "$shell" ] && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium; }
  say "apt-get install chromium $shell: $((SECONDS - started)) s"
}
apt_pid=""
apt_log=""
if have_browser; then
  :
elif [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  say "installing chromium with apt-get (beside npm ci)"
  apt_log="$(mktemp "${TMPDIR:-/tmp}/py-apm-apt-XXXXXX")"
  apt_chromium >"$apt_log" 2>&1 &
  apt_pid=$!
else
  say "WARNING: no Chromium found; browser tests will fail. Run \`sudo apt-get install -y chromium\`" \
      "or \`.venv/bin/playwright install chromium\`, or set PY_APM_BROWSER"
fi

# --- 2. Pyodide from npm (node_modules/pyodide) -----------------------------------------------
# Skipped when the installed pyodide already has the version pinned in package-lock.json (npm ci
# would delete and re-create node_modules, under the feet of a running server).
pinned_pyodide() {
  python3 -c 'import json,sys; print(json.load(open("package-lock.json"))["packages"]["node_modules/pyodide"]["version"])' 2>/dev/null
}
installed_pyodide() {
  python3 -c 'import json; print(json.load(open("node_modules/pyodide/package.json"))["version"])' 2>/dev/null
}
if [ -f node_modules/pyodide/pyodide.asm.wasm ] && [ -n "$(pinned_pyodide)" ] \
   && [ "$(pinned_pyodide)" = "$(installed_pyodide)" ] && [ -f node_modules/esbuild/package.json ]; then
  :
else
  command -v npm >/dev/null 2>&1 || { say "npm not found: install Node.js (>= 18) and npm"; exit 1; }
  say "npm ci"
  # --prefer-offline: the lock pins every version, so a cached tarball needs no registry check.
  timed "npm ci" npm ci --no-audit --no-fund --prefer-offline >&2  # stdout stays for the commands that print a URL
fi

# --- 2b. shim.js: bundled from the ES modules in shim/ by the pinned esbuild ---------------------
node scripts/build_shim.mjs >&2

# --- 2c. the apt install of step 1, once it is done -----------------------------------------------
if [ -n "$apt_pid" ]; then
  apt_rc=0
  wait "$apt_pid" || apt_rc=$?
  cat "$apt_log" >&2
  rm -f "$apt_log"
  [ "$apt_rc" -eq 0 ] || { say "apt-get could not install chromium (exit $apt_rc)"; exit 1; }
fi

# --- 2d. Chromium's headless shell, beside Debian's Chromium ---------------------------------------
# Headless runs prefer it (py_apm/host/chromium.py): the browser without its windows, about a
# fifth less CPU per page. Optional: without it they use the full browser.
if [ -z "${PY_APM_BROWSER:-}" ] && ! command -v chromium-headless-shell >/dev/null 2>&1 \
   && [ "$(id -u)" = "0" ] && dpkg -s chromium >/dev/null 2>&1 \
   && apt-cache show chromium-headless-shell >/dev/null 2>&1; then
  say "installing chromium-headless-shell with apt-get"
  # Bounded: an unreachable mirror costs this optional step a minute at most.
  DEBIAN_FRONTEND=noninteractive timeout 60 apt-get install -y -o Acquire::Retries=0 \
    -o Acquire::http::Timeout=15 -o Acquire::https::Timeout=15 chromium-headless-shell >&2 \
    || say "note: chromium-headless-shell not installed; headless runs use the full browser"
fi

fi  # ----------------------------------------------- the end of the Node half -------------------
[ "$half" != node ] || exit 0

# --- 3. .venv with py-apm[dev] --------------------------------------------------------------------
pick_python() {
  local cand
  for cand in "${PY_APM_PYTHON:-}" python3.13 python3.12 python3.11 python3; do
    [ -n "$cand" ] || continue
    command -v "$cand" >/dev/null 2>&1 || continue
    if "$cand" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null; then
      echo "$cand"; return 0
    fi
  done
  return 1
}

# uv, pinned, put into build/uv by pip once: it makes the venv and installs the dev extras in a
# few CPU-seconds where pip takes about 25 (pip weighs every file an index lists for each package
# and unpacks one file at a time). Without it (no index reachable, PY_APM_NO_UV set) pip does both.
UV_VERSION=0.13.10
uv_bin() {
  local uv=build/uv/bin/uv
  [ -z "${PY_APM_NO_UV:-}" ] || return 1
  if [ "$("$uv" --version 2>/dev/null)" != "uv $UV_VERSION" ]; then
    rm -rf build/uv
    "$1" -m pip install --quiet --disable-pip-version-check --target build/uv "uv==$UV_VERSION" \
      >/dev/null 2>&1 || return 1
  fi
  "$uv" --version >/dev/null 2>&1 && echo "$uv"
}

venv_stamp=".venv/.py-apm-setup-stamp"
want="$(stamp_of pyproject.toml)"
if [ "$(cat "$venv_stamp" 2>/dev/null)" != "$want" ] || ! .venv/bin/python -c 'import py_apm.host.cli' 2>/dev/null; then
  py="$(pick_python)" || { say "Python >= 3.11 not found (set PY_APM_PYTHON)"; exit 1; }
  installed=""
  if uv="$(uv_bin "$py")"; then
    if [ ! -x .venv/bin/python ]; then
      say "creating .venv with $py (uv $UV_VERSION)"
      "$uv" venv --quiet --python "$py" .venv >&2 || rm -rf .venv
    fi
    if [ -x .venv/bin/python ]; then
      say "uv pip install -e '.[dev]'"
      timed "uv pip install" "$uv" pip install --quiet --python .venv/bin/python -e '.[dev]' >&2 \
        && installed=1 || say "uv could not install; pip does"
    fi
  fi
  if [ -z "$installed" ]; then
    if [ ! -x .venv/bin/python ] || ! .venv/bin/python -m pip --version >/dev/null 2>&1; then
      say "creating .venv with $py"
      rm -rf .venv
      "$py" -m venv .venv
    fi
    say "pip install -e '.[dev]'"
    # --no-compile: byte-compiling every installed module is a quarter of pip's CPU time; Python
    # compiles the modules a run imports, once, when it first imports them.
    timed "pip install" .venv/bin/python -m pip install --quiet --disable-pip-version-check --no-compile \
      -e '.[dev]' >&2
  fi
  echo "$want" > "$venv_stamp"
fi

[ "$half" != venv ] || exit 0

# --- 4. the Pyodide memory snapshot (pages boot ~4x faster; optional) --------------------------
# Rebuilt only when Pyodide or the browser half of py_apm changed (its file name carries both).
if ! .venv/bin/py-apm snapshot --check >/dev/null 2>&1; then
  say "building the Pyodide memory snapshot"
  timed "snapshot" .venv/bin/py-apm snapshot >/dev/null || say "WARNING: no memory snapshot; pages boot without it (slower)"
fi
