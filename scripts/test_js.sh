#!/usr/bin/env bash
# The JavaScript/TypeScript side: the typings checked with the pinned TypeScript (the 43
# documentation examples with checkJs, and a strict file of real-code patterns and misuses).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

say() { printf 'test_js: %s\n' "$*" >&2; }

# The root package's devDependencies (typescript, @playwright/test) at their locked versions.
locked() {
  node -e 'const l=require("./package-lock.json").packages["node_modules/"+process.argv[1]]; console.log(l ? l.version : "")' "$1"
}
installed() {
  node -e 'try { console.log(require("./node_modules/"+process.argv[1]+"/package.json").version) } catch { console.log("") }' "$1"
}
for dep in typescript @playwright/test; do
  if [ "$(locked "$dep")" != "$(installed "$dep")" ]; then
    say "npm ci ($dep $(installed "$dep") != locked $(locked "$dep"))"
    npm ci --no-audit --no-fund >&2
    break
  fi
done

say "typings: the 43 documentation examples (checkJs, $(node_modules/.bin/tsc --version))"
node_modules/.bin/tsc -p tests/types/tsconfig.examples.json
say "typings: strict patterns and rejected misuses"
node_modules/.bin/tsc -p tests/types/tsconfig.strict.json
say "typings: ok"
