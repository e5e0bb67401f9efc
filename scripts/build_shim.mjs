// Bundles the shim's ES modules (shim/) into the one classic script pages load (shim.js):
// an IIFE, not minified, with the header that documents the script tag. The only way shim.js
// is made: scripts/setup.sh, the wheel and npm builds and the Python server in a checkout call
// this script (`node scripts/build_shim.mjs [--out FILE]`).
import { build } from "esbuild";
import { readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const args = process.argv.slice(2);
const at = args.indexOf("--out");
const outfile = at >= 0 ? args[at + 1] : join(root, "shim.js");

const header = await readFile(join(root, "shim", "header.js"), "utf-8");
await build({
  entryPoints: [join(root, "shim", "browser.js")],
  outfile,
  bundle: true,
  format: "iife",
  platform: "browser",
  target: "es2022",
  minify: false,
  legalComments: "none",
  charset: "utf8",
  banner: { js: header.trimEnd() + '\n"use strict";' },
  logLevel: "warning",
});
