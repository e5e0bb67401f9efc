#!/usr/bin/env node
// `py-apm init <dir>`: copy the workspace page, shim.js, the py_apm bundle and the Pyodide runtime
// into a static folder, so any dev server serves the emulator (no Python needed).
// `py-apm init --example [dir]`: write the starter project (tests that pass right away).
// `py-apm snapshot [dir]`: build the memory snapshots (into the cache: the browser's and Node's;
// the browser's into an init'ed <dir> too).
// `py-apm cache [--prune]`: the cached snapshots; `py-apm serve`: serve the site on 127.0.0.1.

import { copyFileSync, existsSync, readdirSync, readFileSync, statSync, unlinkSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { cacheEntries, pruneCache, showCache } from "../lib/cache.mjs";
import { chromiumArgs, headlessChromium } from "../lib/chromium.mjs";
import { startServer } from "../lib/http.mjs";
import { PYODIDE_FILES, SITE_FILES, makeSite, pyodideDir, siteDir } from "../lib/site.mjs";
import { ensureNodeSnapshot } from "../lib/node-snapshot.mjs";
import { ensureSnapshot, snapshotDir, snapshotPath, verifiedSnapshot } from "../lib/snapshot.mjs";
import { gitignoreLines, install, report } from "../lib/starter.mjs";

const USAGE = `usage: py-apm init <dir>             copy the py-apm site into <dir> (e.g. public/py-apm)
       py-apm init --example [dir]   write a starter project into dir (default: here)
       py-apm snapshot [dir]         build the memory snapshots, Node's too (into an init'ed <dir>: the page's)
       py-apm cache [--prune]        show the cached snapshots; --prune keeps the current one
       py-apm serve [--port N] [--webresources DIR] [--config FILE]
       py-apm --version

init: <dir> then holds index.html (the workspace page), shim.js, its scripts and styles, py_apm.zip
and pyodide/; a page loads the emulator with <script src="<URL of dir>/shim.js"></script>. Run
init again after an upgrade: it replaces the files you did not edit and keeps the others.
init --example: a web resource, its templates, a Playwright Test test and a pytest test, their
configuration; \`npx playwright test\` then passes.
serve: the workspace at http://127.0.0.1:<port>/ (default 8765), DIR at /webresources/,
FILE (PyApm.configure options as JSON) applied when the page boots.

exit codes: 0 done; 1 failed (the reason is printed); 2 usage error (the line printed says which)`;

const STARTER = fileURLToPath(new URL("../starter/", import.meta.url));
const TYPES = fileURLToPath(new URL("../types/", import.meta.url));

function version() {
  const pkg = JSON.parse(readFileSync(fileURLToPath(new URL("../package.json", import.meta.url)), "utf8"));
  return pkg.version;
}

function fail(message) {
  console.error(`py-apm: ${message} (see \`py-apm --help\`)`);
  return 2;
}

/** Every file below `dir`, as {relative path: absolute path}. */
function tree(dir, prefix = "") {
  const files = {};
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const rel = prefix + entry.name;
    if (entry.isDirectory()) Object.assign(files, tree(join(dir, entry.name), `${rel}/`));
    else if (entry.isFile()) files[rel] = join(dir, entry.name);
  }
  return files;
}

function init(target) {
  const dir = resolve(target);
  const files = {};
  for (const name of SITE_FILES) files[name] = join(siteDir, name);
  const pyodide = pyodideDir();
  for (const name of PYODIDE_FILES) files[`pyodide/${name}`] = join(pyodide, name);
  const shown = relative(process.cwd(), dir) || ".";
  const done = install(dir, files, { version: version() });
  report(done, shown);
  // A snapshot built for the files this init replaced would boot the old py_apm.
  const stale = join(dir, "py_apm.snapshot");
  if (done.updated.length && existsSync(stale)) {
    unlinkSync(stale);
    if (existsSync(`${stale}.json`)) unlinkSync(`${stale}.json`);
    console.log(`  removed  ${shown}/py_apm.snapshot (built for the old files): run \`npx py-apm snapshot ${shown}\``);
  }
  console.log(`Its index.html is the workspace; a page of yours loads the emulator with`);
  console.log(`  <script src="<the URL your server gives ${shown}/>shim.js"></script>`);
  if (!existsSync(stale)) console.log(`Pages boot ~4x faster with \`npx py-apm snapshot ${shown}\` (needs a Chromium)`);
  return 0;
}

function initExample(target) {
  const dir = resolve(target);
  const files = tree(STARTER);
  delete files.gitignore;
  for (const [rel, path] of Object.entries(tree(TYPES))) files[`types/${rel}`] = path;
  const shown = relative(process.cwd(), dir) || ".";
  report(install(dir, files, { gitignore: gitignoreLines(join(STARTER, "gitignore")), version: version() }), shown);
  const cd = shown === "." ? "" : `cd ${shown} && `;
  console.log(`next: ${cd}npx playwright test   (needs @playwright/test: npm install -D @playwright/test)`);
  return 0;
}

/** A Chromium to build the snapshot with (headlessChromium), else Playwright's own. */
async function launchChromium() {
  let chromium;
  try {
    ({ chromium } = await import("@playwright/test"));
  } catch {
    throw new Error("py-apm snapshot needs Playwright: npm install -D @playwright/test");
  }
  return chromium.launch({ executablePath: headlessChromium(), args: [...chromiumArgs] });
}

async function snapshot(args) {
  if (args.length > 1 || (args[0] || "").startsWith("-")) return fail(`snapshot takes one folder at most, got ${args.join(" ")}`);
  const dir = args[0] ? resolve(args[0]) : null;
  if (dir) {
    const zip = join(dir, "py_apm.zip");
    if (!existsSync(zip) || !readFileSync(zip).equals(readFileSync(join(siteDir, "py_apm.zip")))) {
      console.error(`py-apm: ${args[0]} holds no site of py-apm ${version()}: run \`npx py-apm init ${args[0]}\` first`);
      return 1;
    }
  }
  if (!dir) {
    // Node's (Jest, Vitest, createApm), built in Node: no browser needed.
    const node = await ensureNodeSnapshot({ log: (line) => console.error(line) });
    if (!node) return 1;
    console.log(node);
  }
  let path = snapshotPath();
  if (!existsSync(path)) {
    const browser = await launchChromium();
    try {
      path = await ensureSnapshot(browser, { log: (line) => console.error(line) });
    } finally {
      await browser.close();
    }
  }
  if (!path) return 1;
  if (dir) {
    copyFileSync(path, join(dir, "py_apm.snapshot"));
    // Its digest record: the page boots from the snapshot only when its bytes match it.
    copyFileSync(`${path}.json`, join(dir, "py_apm.snapshot.json"));
    console.log(join(dir, "py_apm.snapshot"));
  } else {
    console.log(path);
  }
  return 0;
}

function cache(args) {
  if (args.length > 1 || (args.length === 1 && args[0] !== "--prune")) return fail(`cache takes --prune only, got ${args.join(" ")}`);
  if (args[0] === "--prune") {
    console.log(`py-apm cache: deleted ${pruneCache().length} old snapshots from ${snapshotDir()}`);
  }
  showCache(cacheEntries());
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
    if (value === undefined) return fail(`${flag} needs a value`);
    if (flag === "--port" && /^\d+$/.test(value) && Number(value) <= 65535) options.port = Number(value);
    else if (flag === "--port") return fail(`--port ${value}: not a port: give 0-65535 (0 = any free one)`);
    else if (flag === "--webresources") options.webResources = resolve(value);
    else if (flag === "--config") options.configFile = resolve(value);
    else return fail(`unknown option ${flag} ${value}`);
  }
  if (options.webResources && !isKind(options.webResources, "dir")) return fail(`--webresources ${options.webResources}: not a directory`);
  if (options.configFile && !isKind(options.configFile, "file")) return fail(`--config ${options.configFile}: not a file`);
  // The memory snapshot when a test run has built it (pages boot ~4x faster); else a normal boot.
  const snapshotFile = verifiedSnapshot(undefined, (line) => console.error(line));
  const site = makeSite({ ...options, snapshotFile });
  const server = await startServer(site, { port: options.port, keepAlive: true });
  console.log(`py-apm ${version()}: the workspace is at ${server.root}`);
  console.log(`  <script src="${server.root}shim.js"></script>`);
  return new Promise(() => {}); // until interrupted
}

async function main(argv) {
  const [command, ...rest] = argv;
  if (command === "--version" || command === "-V") {
    console.log(version());
    return 0;
  }
  if (command === "init" && rest[0] === "--example" && rest.length <= 2) return initExample(rest[1] || ".");
  if (command === "init" && rest.length === 1 && !rest[0].startsWith("-")) return init(rest[0]);
  if (command === "init") return fail("init takes <dir>, or --example [dir]");
  if (command === "snapshot") return snapshot(rest);
  if (command === "cache") return cache(rest);
  if (command === "serve") return serve(rest);
  if (command === "--help" || command === "-h") {
    console.log(USAGE);
    return 0;
  }
  if (command === undefined) {
    console.error(USAGE);
    return 2;
  }
  return fail(`unknown command ${command}`);
}

main(process.argv.slice(2)).then((code) => { process.exitCode = code; }, (e) => {
  console.error(`py-apm: ${String((e && e.message) || e).split("\n")[0]}`);
  process.exitCode = 1;
});
