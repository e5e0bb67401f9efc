#!/usr/bin/env bash
# The JavaScript/TypeScript side. 1) The typings checked with the pinned TypeScript: the 43
# documentation examples with checkJs, and a strict file of real-code patterns and misuses.
# 2) The npm package: built, `npm pack`ed, installed into a project in a temporary folder outside
# the checkout (npm/tests/ plus a few documentation examples), whose typings check and Playwright
# Test suite run there with the system Chromium; prints tarball size, first-test time and the
# per-test overhead next to the pytest plugin's. 3) The starter: `npx py-apm init --example` in an
# empty project, then `npx playwright test` passes. PY_APM_KEEP_JS_PROJECT=1 keeps the folders;
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

say "typings: the 43 documentation examples (checkJs, $(node_modules/.bin/tsc --version))"
node_modules/.bin/tsc -p tests/types/tsconfig.examples.json
say "typings: strict patterns and rejected misuses"
node_modules/.bin/tsc -p tests/types/tsconfig.strict.json
say "typings: Microsoft.CIFramework against the CIF documentation's and samples' usage"
node_modules/.bin/tsc -p tests/types/tsconfig.cif.json
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

[ -x .venv/bin/python ] || { say ".venv missing: run scripts/setup.sh"; exit 1; }
if [ -n "${PY_APM_NPM_TARBALL:-}" ]; then
  tarball="$(cd "$(dirname "$PY_APM_NPM_TARBALL")" && pwd)/$(basename "$PY_APM_NPM_TARBALL")"
  say "npm package: the given tarball"
else
  say "npm package: build and npm pack"
  tarball="$(.venv/bin/python npm/build.py --pack)"
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
printf '{"name": "py-apm-user-project", "private": true, "type": "module"}\n' > "$project/package.json"

cd "$project"
say "installing the tarball with @playwright/test $(locked @playwright/test) into $project"
npm install --no-audit --no-fund --prefer-offline --save-exact "$tarball" \
  "@playwright/test@$(locked @playwright/test)" "typescript@$(locked typescript)" "@types/node@$TYPES_NODE" >&2
node -e 'const p=require("./node_modules/py-apm-emulator/package.json"); const py=require("./node_modules/pyodide/package.json");
  if (p.dependencies.pyodide !== py.version) { console.error(`pyodide ${py.version} != ${p.dependencies.pyodide}`); process.exit(1); }'

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
node_modules/.bin/tsc -p tsconfig.json

browser="${PY_APM_BROWSER:-$(command -v chromium || echo /usr/bin/chromium)}"
export PY_APM_BROWSER="$browser" PY_APM_SNAPSHOT_DIR="$project/snapshot"
say "Playwright Test with $browser: the whole suite (builds the memory snapshot)"
npx --no-install playwright test tests/overhead.spec.ts tests/route.spec.ts tests/workspace.spec.ts tests/softphone.spec.ts 2>&1 | tee run1.log >&2 || { say "playwright test failed"; exit 1; }
grep -q "py-apm: built .*snapshot" run1.log || { say "the first run did not build the snapshot"; exit 1; }
cp results.json cold.json

seed="${PY_APM_SHUFFLE_SEED:-$(date +%s)}"
say "leak canaries: apmPage isolation on 2 workers, fully parallel, shuffled (PY_APM_SHUFFLE_SEED=$seed)"
PY_APM_SHUFFLE_SEED="$seed" npx --no-install playwright test tests/isolation.spec.ts --workers 2 --reporter list >&2 \
  || { say "leak canaries failed (replay with PY_APM_SHUFFLE_SEED=$seed)"; exit 1; }

say "again, the overhead and baseline tests only (reuses the snapshot)"
npx --no-install playwright test tests/overhead.spec.ts tests/baseline.spec.ts 2>&1 | tee run2.log >&2 || { say "playwright test failed"; exit 1; }
if grep -q "py-apm: built" run2.log; then say "the second run rebuilt the snapshot"; exit 1; fi

say "npx py-apm snapshot public/py-apm: the snapshot into the folder init wrote; cache listing"
npx --no-install py-apm snapshot public/py-apm >&2
[ -s public/py-apm/py_apm.snapshot ] || { say "snapshot did not write public/py-apm/py_apm.snapshot"; exit 1; }
npx --no-install py-apm cache | tee cache.log >&2
grep -q "^  current .*(py_apm [0-9]" cache.log || { say "py-apm cache did not list the current snapshot"; exit 1; }

node - cold.json results.json <<'JS'
const fs = require("fs");
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2; };
function load(file) {
  const report = JSON.parse(fs.readFileSync(file, "utf8"));
  const runs = [];
  const walk = (suite) => {
    for (const spec of suite.specs || []) for (const t of spec.tests) for (const r of t.results) {
      runs.push({ title: spec.title, start: Date.parse(r.startTime), duration: r.duration });
    }
    for (const child of suite.suites || []) walk(child);
  };
  report.suites.forEach(walk);
  runs.sort((a, b) => a.start - b.start);
  // The first test ends when the second starts (worker fixtures are not in its duration).
  return { report, runs, first: runs[1].start - Date.parse(report.stats.startTime) };
}
// Median reported duration of a group's tests but its first (which boots the page).
const perTest = (runs, prefix) => median(runs.filter((r) => r.title.startsWith(prefix)).slice(1).map((r) => r.duration));
const cold = load(process.argv[2]);
const warm = load(process.argv[3]);
const s = (ms) => (ms / 1000).toFixed(1);
const apm = perTest(warm.runs, "overhead");
const bare = perTest(warm.runs, "baseline");
console.error(`test_js: cold run: ${cold.runs.length} tests in ${s(cold.report.stats.duration)} s; first test done ${s(cold.first)} s after start (browser launch, snapshot build, boot)`);
console.error(`test_js: warm run: first test done ${s(warm.first)} s after start (browser launch, boot from the cached snapshot)`);
console.error(`test_js: per-test: apmPage test ${apm.toFixed(0)} ms vs a Playwright \`page\` test opening a static page ${bare.toFixed(0)} ms (medians of 50)`);
// 50 tests of each (the first, which boots, left out), same run: the isolated apmPage's total
// against Playwright's page (target <= 1.5x).
const total = (runs, prefix) => runs.filter((r) => r.title.startsWith(prefix)).slice(1).reduce((s, r) => s + r.duration, 0);
const ratio = total(warm.runs, "overhead") / total(warm.runs, "baseline");
console.error(`test_js: 50 tests: apmPage ${s(total(warm.runs, "overhead"))} s vs page ${s(total(warm.runs, "baseline"))} s = ${ratio.toFixed(2)}x (target <= 1.5x: ${ratio <= 1.5 ? "MET" : "NOT MET"})`);
JS

# The same figure for the pytest plugin, measured now (the `py-apm bench` row), for comparison.
"$repo/.venv/bin/python" - <<'PY' || say "pytest comparison failed (not a JS failure)"
from py_apm.host.bench import pytest_overhead

fixture, body, first = pytest_overhead(30)
print(f"test_js: per-test: pytest apm_page test {fixture + body:.0f} ms (fixture {fixture:.0f} ms "
      f"+ the same one-evaluate body {body:.0f} ms); first test set up in {first / 1000:.1f} s",
      file=__import__("sys").stderr)
PY
say "the starter: npx py-apm init --example in an empty project, then npx playwright test"
cd "$starter"
printf '{"name": "py-apm-starter-check", "private": true}\n' > package.json
npm install --no-audit --no-fund --prefer-offline --save-exact "$tarball" "@playwright/test@$(locked @playwright/test)" >&2
npx --no-install py-apm init --example >&2
for f in apm-templates.json webresources/contoso_case_panel.html tests/case_panel.spec.ts playwright.config.ts types/apm.d.ts .py-apm-init.json; do
  [ -s "$f" ] || { say "init --example did not write $f"; exit 1; }
done
npx --no-install playwright test 2>&1 | tee starter.log >&2 || { say "the starter's tests failed"; exit 1; }
grep -q "2 passed" starter.log || { say "the starter did not run its 2 tests"; exit 1; }
say "npm package: ok"

# ---- Node mode: the sample projects (examples/node-*) with the packed tarball ----------------
# Both share one install (their pinned runners and the tarball) in a folder outside the checkout;
# each runs as its user would (`npx vitest run`, `npx jest`). The Node snapshot goes to the user's
# cache (as for a user; pytest's Node backend then finds it): the first file builds it when
# missing, the others wait for it.
say "Node mode: examples/node-vitest and examples/node-jest with the tarball"
nodeproj="$project/node-samples"
mkdir -p "$nodeproj"
cp -r "$repo/examples/node-vitest" "$repo/examples/node-jest" "$nodeproj/"
deps="$(node -e 'const ds = {}; for (const f of process.argv.slice(1)) Object.assign(ds, require(f).devDependencies);
  delete ds["py-apm-emulator"]; console.log(Object.entries(ds).map(([n, v]) => `${n}@${v}`).join(" "))' \
  "$nodeproj/node-vitest/package.json" "$nodeproj/node-jest/package.json")"
printf '{"name": "py-apm-node-samples", "private": true}\n' > "$nodeproj/package.json"
(cd "$nodeproj" && npm install --no-audit --no-fund --prefer-offline --save-exact "$tarball" $deps >&2)
# One install above both, as in a monorepo: Vite serves files outside a project's root (the
# hoisted node_modules) only below a workspace root, which `workspaces` declares.
node -e 'const f = process.argv[1], p = require(f); p.workspaces = ["node-vitest", "node-jest"];
  require("fs").writeFileSync(f, JSON.stringify(p, null, 2))' "$nodeproj/package.json"
unset PY_APM_SNAPSHOT_DIR
started=$(date +%s)
(cd "$nodeproj/node-vitest" && npx --no-install vitest run >&2) || { say "vitest sample failed"; exit 1; }
vitest_s=$(( $(date +%s) - started ))
started=$(date +%s)
(cd "$nodeproj/node-jest" && npx --no-install jest >&2) || { say "jest sample failed"; exit 1; }
say "Node mode: ok (vitest ${vitest_s} s, jest $(( $(date +%s) - started )) s)"
