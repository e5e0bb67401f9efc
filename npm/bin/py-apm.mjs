#!/usr/bin/env node
// `py-apm init <dir>`: copy the workspace page, shim.js, the py_apm bundle and the Pyodide runtime
// into a static folder, so any dev server serves the emulator (no Python needed).
// `py-apm serve`: serve them on 127.0.0.1 (web resources and a configuration file optional).

import { copyFileSync, existsSync, mkdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { startServer } from "../lib/http.mjs";
import { PYODIDE_FILES, SITE_FILES, makeSite, pyodideDir, siteDir } from "../lib/site.mjs";
import { ensureNodeSnapshot } from "../lib/node-snapshot.mjs";
import { ensureSnapshot, snapshotPath } from "../lib/snapshot.mjs";

const USAGE = `usage: py-apm init <dir>       copy the py-apm site into <dir> (e.g. public/py-apm)
       py-apm serve [--port N] [--webresources DIR] [--config FILE]
       py-apm snapshot
       py-apm --version

init: <dir> then holds index.html (the workspace page), shim.js, its scripts and styles, py_apm.zip
and pyodide/; a page loads the emulator with <script src="<URL of dir>/shim.js"></script>.
serve: the workspace at http://127.0.0.1:<port>/ (default 8765), DIR at /webresources/,
FILE (PyApm.configure options as JSON) applied when the page boots.
snapshot: build the memory snapshots py-apm boots from (about 4x faster) when missing: Node's
(Jest, Vitest, createApm) and, when @playwright/test is installed, the browser's (its Chromium,
or $PY_APM_BROWSER).`;

function version() {
  const pkg = JSON.parse(readFileSync(fileURLToPath(new URL("../package.json", import.meta.url)), "utf8"));
  return pkg.version;
}

function fail(message) {
  console.error(`py-apm: ${message}`);
  return 2;
}

function init(target) {
  const dir = resolve(target);
  mkdirSync(join(dir, "pyodide"), { recursive: true });
  for (const name of SITE_FILES) copyFileSync(join(siteDir, name), join(dir, name));
  const pyodide = pyodideDir();
  for (const name of PYODIDE_FILES) copyFileSync(join(pyodide, name), join(dir, "pyodide", name));
  const shown = relative(process.cwd(), dir) || ".";
  console.log(`py-apm ${version()}: copied the workspace and the Pyodide runtime into ${shown}/`);
  console.log(`Its index.html is the workspace; a page of yours loads the emulator with`);
  console.log(`  <script src="<the URL your server gives ${shown}/>shim.js"></script>`);
  return 0;
}

function isKind(path, kind) {
  try {
    return kind === "dir" ? statSync(path).isDirectory() : statSync(path).isFile();
  } catch {
    return false;
  }
}

async function serve(args) {
  const options = { port: 8765, webResources: undefined, configFile: undefined };
  for (let i = 0; i < args.length; i += 2) {
    const [flag, value] = [args[i], args[i + 1]];
    if (value === undefined) return fail(`${flag} needs a value\n${USAGE}`);
    if (flag === "--port" && /^\d+$/.test(value)) options.port = Number(value);
    else if (flag === "--webresources") options.webResources = resolve(value);
    else if (flag === "--config") options.configFile = resolve(value);
    else return fail(`unknown option ${flag} ${value}\n${USAGE}`);
  }
  if (options.webResources && !isKind(options.webResources, "dir")) return fail(`--webresources ${options.webResources}: not a directory`);
  if (options.configFile && !isKind(options.configFile, "file")) return fail(`--config ${options.configFile}: not a file`);
  // The memory snapshot when a test run has built it (pages boot ~4x faster); else a normal boot.
  const snapshot = snapshotPath();
  const site = makeSite({ ...options, snapshotFile: existsSync(snapshot) ? snapshot : null });
  const server = await startServer(site, { port: options.port, keepAlive: true });
  console.log(`py-apm ${version()}: the workspace is at ${server.root}`);
  console.log(`  <script src="${server.root}shim.js"></script>`);
  return new Promise(() => {}); // until interrupted
}

async function snapshot() {
  const log = (m) => console.error(m);
  const node = await ensureNodeSnapshot({ log });
  console.log(node ? `node: ${node}` : "node: not built");
  let playwright;
  try {
    playwright = await import("@playwright/test");
  } catch {
    console.log("browser: skipped (needs @playwright/test)");
    return node ? 0 : 1;
  }
  const browser = await playwright.chromium.launch({
    executablePath: process.env.PY_APM_BROWSER || undefined,
    args: ["--disable-gpu", "--disable-quic"],
  });
  try {
    const page = await ensureSnapshot(browser, { log });
    console.log(page ? `browser: ${page}` : "browser: not built");
    return node && page ? 0 : 1;
  } finally {
    await browser.close();
  }
}

async function main(argv) {
  const [command, ...rest] = argv;
  if (command === "--version" || command === "-V") {
    console.log(version());
    return 0;
  }
  if (command === "init" && rest.length === 1 && !rest[0].startsWith("-")) return init(rest[0]);
  if (command === "serve") return serve(rest);
  if (command === "snapshot" && rest.length === 0) return snapshot();
  console.error(USAGE);
  return command === undefined || command === "--help" || command === "-h" ? 0 : 2;
}

main(process.argv.slice(2)).then((code) => { process.exitCode = code; }, (e) => {
  console.error(`py-apm: ${e.message}`);
  process.exitCode = 1;
});
