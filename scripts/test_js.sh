#!/usr/bin/env bash
# The JavaScript/TypeScript side. 1) The shim's sources and the sample web resources' inline
# scripts checked with the pinned TypeScript (pytest's tests/tooling/test_npm_package.py checks
# the typings over the 43 documentation examples and a strict file of real-code patterns and
# misuses).
# 2) The npm package: built, `npm pack`ed, installed (one `npm install`) into a project in a
# temporary folder outside the checkout: npm/tests/ plus a few documentation examples, and the
# Node sample projects (examples/node-*) as its workspaces. There: `py-apm init` and `serve`, the
# typings, the Playwright Test suite and the apmPage leak canaries in one run on 2 workers
# (the snapshot from the user's cache), Vitest and Jest in Node mode. 3) The starter:
# `npx py-apm init --example` in an empty project, then `npx playwright test` passes and builds
# the missing memory snapshot on first use. The per-test cost of apmPage against Playwright's
# `page` is a `py-apm bench` row, not measured here. PY_APM_KEEP_JS_PROJECT=1 keeps the folders;
# PY_APM_NPM_TARBALL=<file> tests that tarball instead of building one (the release workflow).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
repo="$PWD"

say() { printf 'test_js: %s\n' "$*" >&2; }

# The root package's devDependencies (typescript, @playwright/test) at their locked versions.
locked() {
  node -e 'const l=require(process.argv[2]+"/package-lock.json").packages["node_modules/"+process.argv[1]]; console.log(l ? l.version : "")' "$1" "$repo"
}
installed() {
  node -e 'try { console.log(require(process.argv[2]+"/node_modules/"+process.argv[1]+"/package.json").version) } catch { console.log("") }' "$1" "$repo"
}
for dep in typescript @playwright/test; do
  if [ "$(locked "$dep")" != "$(installed "$dep")" ]; then
    say "npm ci ($dep $(installed "$dep") != locked $(locked "$dep"))"
    npm ci --no-audit --no-fund >&2
    break
  fi
done

say "shim/ sources: tsc --noEmit (checkJs, strict; shim/tsconfig.json)"
node_modules/.bin/tsc -p shim

# The typings over the 43 documentation examples and the strict patterns and misuses
# (tests/types/tsconfig.*.json) are checked by pytest (tests/tooling/test_npm_package.py).
say "typings: the inline scripts of the sample web resources (web/webresources-sample, checkJs)"
samples="$(mktemp -d "${TMPDIR:-/tmp}/py-apm-js-samples-XXXXXX")"
python3 - "$samples" web/webresources-sample/*.html <<'PY'
import re, sys
from pathlib import Path
for page in sys.argv[2:]:
    scripts = re.findall(r"<script>(.*?)</script>", Path(page).read_text("utf-8"), re.S)
    Path(sys.argv[1], Path(page).stem + ".js").write_text("\n".join(scripts), "utf-8")
PY
node_modules/.bin/tsc --noEmit --strict false --allowJs --checkJs --types "" --lib es2022,dom \
  --moduleDetection force types/apm.d.ts types/pyapm.d.ts types/cif.d.ts "$samples"/*.js || { rm -rf "$samples"; exit 1; }
rm -rf "$samples"
say "typings: ok"

# ---- The npm package, packed and used by a project outside the checkout --------------------
# Pinned like the root devDependencies; @types/node only types the sample project's Node calls.
TYPES_NODE=20.19.43
EXAMPLES="createSession__1 createTab__1 canCloseTab__1 ON_TAB_SWITCH__1 updateContext__1"

if [ -n "${PY_APM_NPM_TARBALL:-}" ]; then
  tarball="$(cd "$(dirname "$PY_APM_NPM_TARBALL")" && pwd)/$(basename "$PY_APM_NPM_TARBALL")"
  say "npm package: the given tarball"
else
  say "npm package: build and npm pack"
  # The checkout's py_apm and the standard library only: no .venv needed (test.sh runs this while
  # the venv installs).
  tarball="$(PYTHONPATH="$repo" python3 npm/build.py --pack)"
fi
say "tarball $(basename "$tarball"): $(du -k "$tarball" | cut -f1) KB," \
    "$(tar tzf "$tarball" | wc -l) files ($(tar tzf "$tarball" | sed 's|^package/||' | cut -d/ -f1 | sort -u | tr '\n' ' '))"

project="$(mktemp -d "${TMPDIR:-/tmp}/py-apm-js-project-XXXXXX")"
starter="$(mktemp -d "${TMPDIR:-/tmp}/py-apm-js-starter-XXXXXX")"
serve_pid=""
cleanup() {
  [ -z "$serve_pid" ] || kill "$serve_pid" 2>/dev/null || true
  [ -n "${PY_APM_KEEP_JS_PROJECT:-}" ] || rm -rf "$project" "$starter"
}
trap cleanup EXIT
cp -r npm/tests/. "$project/"
mkdir "$project/examples"
for name in $EXAMPLES; do cp "tests/doc_examples/examples/$name.js" "$project/examples/"; done
# the sample channel provider and its configuration (tests/softphone.spec.ts)
cp web/webresources-sample/sample_softphone.html web/webresources-sample/sample.css "$project/webresources/"
cp examples/cif/softphone.config.json "$project/"
cp -r examples/node-vitest examples/node-jest "$project/"
printf '{"name": "py-apm-user-project", "private": true, "type": "module"}\n' > "$project/package.json"

# One install for the project and the Node samples: the tarball, the locked Playwright Test, and
# the samples' pinned runners (their devDependencies but py-apm-emulator). Not TypeScript: the
# checkout's (the same locked version) checks the project below, against the project's own
# node_modules (about 30 MB less to unpack).
samples_deps="$(node -e 'const ds = {}; for (const f of process.argv.slice(1)) Object.assign(ds, require(f).devDependencies);
  delete ds["py-apm-emulator"]; console.log(Object.entries(ds).map(([n, v]) => `${n}@${v}`).join(" "))' \
  "$project/node-vitest/package.json" "$project/node-jest/package.json")"
cd "$project"
say "installing the tarball with @playwright/test $(locked @playwright/test) and the Node samples' runners into $project"
# shellcheck disable=SC2086  # samples_deps: one word per package
npm install --no-audit --no-fund --prefer-offline --save-exact "$tarball" \
  "@playwright/test@$(locked @playwright/test)" "@types/node@$TYPES_NODE" $samples_deps >&2
node -e 'const p=require("./node_modules/py-apm-emulator/package.json"); const py=require("./node_modules/pyodide/package.json");
  if (p.dependencies.pyodide !== py.version) { console.error(`pyodide ${py.version} != ${p.dependencies.pyodide}`); process.exit(1); }'
# The samples as workspaces of the project, as in a monorepo (declared after the install, which
# would otherwise look for their "py-apm-emulator": "*" in the registry): Vite serves files
# outside a project's root (the hoisted node_modules) only below a workspace root.
node -e 'const f = process.argv[1], p = require(f); p.workspaces = ["node-vitest", "node-jest"];
  require("fs").writeFileSync(f, JSON.stringify(p, null, 2))' "$project/package.json"

say "npx py-apm init public/py-apm"
npx --no-install py-apm init public/py-apm >&2
for f in index.html shim.js py_apm.zip pyodide/pyodide.mjs pyodide/pyodide.asm.wasm pyodide/python_stdlib.zip; do
  [ -s "public/py-apm/$f" ] || { say "init did not copy $f"; exit 1; }
done

say "npx py-apm serve: the workspace, shim, runtime and web resources over HTTP; nothing outside"
node_modules/.bin/py-apm serve --port 0 --webresources webresources --config templates.json > serve.log 2>&1 &
serve_pid=$!
for _ in $(seq 100); do grep -q "workspace is at" serve.log && break; sleep 0.1; done
url="$(grep -o 'http://127.0.0.1:[0-9]*/' serve.log | head -1)"
status() { curl -s --path-as-is -o /dev/null -w '%{http_code}' "$url$1" || true; }
served="$(status '') $(status shim.js) $(status pyodide/pyodide.asm.wasm) $(status config.json)"
served="$served $(status webresources/contoso_case_panel.html) $(status webresources/../templates.json) $(status webresources/..%2ftemplates.json) $(status nope)"
kill "$serve_pid"; wait "$serve_pid" 2>/dev/null || true
serve_pid=""
[ "$served" = "200 200 200 200 200 404 404 404" ] || { say "py-apm serve answered: $served"; cat serve.log >&2; exit 1; }

say "typings from the installed package (tsc, strict) over the project's tests"
"$repo/node_modules/.bin/tsc" -p tsconfig.json

# The system's headless shell when it has one (as py-apm's Python side prefers for headless runs:
# no browser window per context, about a fifth less CPU per page), else its full browser.
browser="${PY_APM_BROWSER:-$(command -v chromium-headless-shell || command -v chromium || echo /usr/bin/chromium)}"
export PY_APM_BROWSER="$browser"
unset PY_APM_SNAPSHOT_DIR
# The memory snapshot in the user's cache (scripts/setup.sh built it; the Python side's key and
# folder): a valid one is reused, a missing one built once by the first worker (the starter below
# checks a first-use build in an empty cache).
cached=0
npx --no-install py-apm cache 2>/dev/null | grep -q "^  current " && cached=1
seed="${PY_APM_SHUFFLE_SEED:-$(date +%s)}"
say "Playwright Test with $browser: the suite and the apmPage leak canaries, 2 workers, shuffled (PY_APM_SHUFFLE_SEED=$seed)"
PY_APM_SHUFFLE_SEED="$seed" npx --no-install playwright test --workers 2 \
  tests/route.spec.ts tests/workspace.spec.ts tests/softphone.spec.ts tests/isolation.spec.ts tests/chromium.spec.ts 2>&1 | tee run.log >&2 \
  || { say "playwright test failed (the leak canaries replay with PY_APM_SHUFFLE_SEED=$seed)"; exit 1; }
if [ "$cached" = 1 ] && grep -q "py-apm: built" run.log; then say "the run rebuilt the cached snapshot"; exit 1; fi

# ---- Node mode: the sample projects (examples/node-*) with the packed tarball ----------------
# Each runs as its user would (`npx vitest run`, `npx jest`). The Node snapshot goes to the user's
# cache (as for a user; pytest's Node backend then finds it): the first file builds it when
# missing, the others wait for it.
say "Node mode: examples/node-vitest and examples/node-jest with the tarball"
started=$(date +%s)
(cd "$project/node-vitest" && npx --no-install vitest run 2>&1 | tee node.log >&2) || { say "vitest sample failed"; exit 1; }
vitest_s=$(( $(date +%s) - started ))
started=$(date +%s)
(cd "$project/node-jest" && npx --no-install jest 2>&1 | tee node.log >&2) || { say "jest sample failed"; exit 1; }
# An error thrown outside a test (a callback after the environment's teardown) fails no test.
if grep -h "^[A-Za-z]*Error: " node-vitest/node.log node-jest/node.log >&2; then
  say "the Node samples printed an uncaught error"; exit 1
fi
say "Node mode: ok (vitest ${vitest_s} s, jest $(( $(date +%s) - started )) s)"

say "npx py-apm snapshot public/py-apm: the snapshot into the folder init wrote; cache listing"
npx --no-install py-apm snapshot public/py-apm >&2
[ -s public/py-apm/py_apm.snapshot ] || { say "snapshot did not write public/py-apm/py_apm.snapshot"; exit 1; }
npx --no-install py-apm cache | tee cache.log >&2
grep -q "^  current .*(py_apm [0-9]" cache.log || { say "py-apm cache did not list the current snapshot"; exit 1; }

say "the starter: npx py-apm init --example in an empty project, then npx playwright test (empty snapshot cache)"
cd "$starter"
printf '{"name": "py-apm-starter-check", "private": true}\n' > package.json
npm install --no-audit --no-fund --prefer-offline --save-exact "$tarball" "@playwright/test@$(locked @playwright/test)" >&2
npx --no-install py-apm init --example >&2
for f in apm-templates.json webresources/contoso_case_panel.html tests/case_panel.spec.ts playwright.config.ts types/apm.d.ts .py-apm-init.json; do
  [ -s "$f" ] || { say "init --example did not write $f"; exit 1; }
done
PY_APM_SNAPSHOT_DIR="$starter/snapshot-cache" npx --no-install playwright test 2>&1 | tee starter.log >&2 \
  || { say "the starter's tests failed"; exit 1; }
grep -q "2 passed" starter.log || { say "the starter did not run its 2 tests"; exit 1; }
grep -q "py-apm: built .*snapshot" starter.log || { say "the starter's first run did not build the missing snapshot"; exit 1; }
say "npm package: ok"
