// The Pyodide memory snapshot with py_apm imported: pages boot from it about 4x faster. Built
// once in the browser the tests use, cached on disk under a key of the Pyodide build and the
// py_apm bundle (the Python side uses the same directory and key), reused by every run.

import { createHash } from "node:crypto";
import {
  closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync,
  writeSync,
} from "node:fs";
import { homedir, hostname } from "node:os";
import { dirname, join } from "node:path";
import { bundleEtag, makeSite, siteDir, snapshotKey, SNAPSHOT_FORMAT } from "./site.mjs";
import { startServer } from "./http.mjs";

// One lock and one digest record for every builder: py_apm/host/buildlock.py and
// py_apm/host/snapshot.py implement the same protocol on the same files.
const LOCK_NAME = ".build.lock";
const LOCK_STALE_MS = 300_000;
const RETRY_AFTER_MS = 600_000;
/** Snapshots of other versions kept besides the current one after a build (as the Python side). */
const KEEP_OTHERS = 2;
const BUILD_TIMEOUT_MS = 120_000;

/** `$PY_APM_SNAPSHOT_DIR`, else `$XDG_CACHE_HOME/py-apm/snapshot` (`~/.cache/...`). */
export function snapshotDir() {
  if (process.env.PY_APM_SNAPSHOT_DIR) return process.env.PY_APM_SNAPSHOT_DIR;
  return join(process.env.XDG_CACHE_HOME || join(homedir(), ".cache"), "py-apm", "snapshot");
}

export function snapshotPath() {
  return join(snapshotDir(), `py_apm-${snapshotKey()}.snapshot`);
}

const sleep = (ms) => new Promise((done) => setTimeout(done, ms));

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return e.code === "EPERM"; // another user's process: alive
  }
}

function stale(lock) {
  try {
    const { pid, host, time } = JSON.parse(readFileSync(lock, "utf8"));
    if (Date.now() - time * 1000 > LOCK_STALE_MS) return true;
    return host === hostname() && !alive(pid);
  } catch {
    try {
      return Date.now() - statSync(lock).mtimeMs > LOCK_STALE_MS; // being written, or garbage
    } catch {
      return false;
    }
  }
}

/** Take the builders' lock of `dir` (exclusive create); false when another builder holds it. */
export function tryBuildLock(dir) {
  const lock = join(dir, LOCK_NAME);
  let fd;
  try {
    fd = openSync(lock, "wx");
  } catch (e) {
    if (e.code !== "EEXIST") throw e;
    if (stale(lock)) {
      try { unlinkSync(lock); } catch { /* gone meanwhile */ }
    }
    return false;
  }
  writeSync(fd, JSON.stringify({ pid: process.pid, host: hostname(), time: Date.now() / 1000 }));
  closeSync(fd);
  // No build runs now: what a killed builder left behind goes.
  for (const name of readdirSync(dir)) {
    if (name.endsWith(".part")) {
      try { unlinkSync(join(dir, name)); } catch { /* gone meanwhile */ }
    }
  }
  return true;
}

export function releaseBuildLock(dir) {
  try { unlinkSync(join(dir, LOCK_NAME)); } catch { /* already removed */ }
}

const sha256 = (path) => createHash("sha256").update(readFileSync(path)).digest("hex");

/**
 * Why the snapshot at `path` must not be used, or null: its record (`<path>.json`, written by
 * the builder) must name the current py_apm sources and the file's bytes must hash to it.
 */
export function snapshotProblem(path) {
  if (!existsSync(path) || !existsSync(`${path}.json`)) return "missing";
  let record;
  try {
    record = JSON.parse(readFileSync(`${path}.json`, "utf8"));
  } catch {
    return "its digest record is unreadable";
  }
  if (record.format !== SNAPSHOT_FORMAT) return `it is in another format (${JSON.stringify(record.format)})`;
  if (record.sources !== bundleEtag()) return "it was built from other py_apm code";
  if (record.size !== statSync(path).size || record.sha256 !== sha256(path)) {
    return "its bytes do not match the digest recorded when it was built (corrupted)";
  }
  return null;
}

/** The snapshot's path when it exists and passes its integrity check, else null. */
export function verifiedSnapshot(path = snapshotPath(), log = () => {}) {
  const problem = snapshotProblem(path);
  if (problem === null) return path;
  if (problem !== "missing") log(`py-apm: not using the memory snapshot ${path}: ${problem}; pages boot without it`);
  return null;
}

/**
 * Put a built snapshot (`part`) in place under `path`, its digest record first, so that a file
 * under the final name always has its record. Used by the browser and the Node builders.
 */
export function commitSnapshot(part, path) {
  const record = { format: SNAPSHOT_FORMAT, sources: bundleEtag(), size: statSync(part).size, sha256: sha256(part) };
  writeFileSync(`${path}.json.${process.pid}.part`, JSON.stringify(record));
  renameSync(`${path}.json.${process.pid}.part`, `${path}.json`);
  renameSync(part, path); // atomic: a reader sees the whole file or none
}

function recentFailure(path) {
  try {
    if (Date.now() - statSync(`${path}.failed`).mtimeMs > RETRY_AFTER_MS) return null;
    return readFileSync(`${path}.failed`, "utf8").trim() || "unknown error";
  } catch {
    return null;
  }
}

async function build(browser, path) {
  const server = await startServer(makeSite({}));
  const context = await browser.newContext({ acceptDownloads: true });
  try {
    const page = await context.newPage();
    await page.goto(server.root + "blank.html");
    const source = readFileSync(join(siteDir, "make-snapshot.js"), "utf8");
    const arg = { pyodideURL: server.root + "pyodide/", packageURL: server.root + "py_apm.zip" };
    const [download, size] = await Promise.all([
      page.waitForEvent("download", { timeout: BUILD_TIMEOUT_MS }),
      page.evaluate(`(${source.trim()})(${JSON.stringify(arg)})`),
    ]);
    const part = `${path}.${process.pid}.part`;
    await download.saveAs(part);
    if (statSync(part).size !== size) {
      unlinkSync(part);
      throw new Error(`snapshot download truncated (expected ${size} bytes)`);
    }
    commitSnapshot(part, path);
  } finally {
    await context.close();
    await server.close();
  }
}

/** Leave the versions beside a new snapshot (read by `py-apm cache`), and delete older
 * snapshots beyond KEEP_OTHERS. Best effort: a failure here costs nothing but disk. */
function afterBuild(path) {
  try {
    const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
    const note = { py_apm: pkg.version, pyodide: pkg.dependencies.pyodide, built: new Date().toISOString().slice(0, 19) + "Z" };
    writeFileSync(path.replace(/\.snapshot$/, ".json"), JSON.stringify(note) + "\n");
    const dir = snapshotDir();
    const others = readdirSync(dir)
      .filter((n) => n.startsWith("py_apm-") && n.endsWith(".snapshot") && join(dir, n) !== path)
      .map((n) => ({ path: join(dir, n), mtime: statSync(join(dir, n)).mtimeMs }))
      .sort((a, b) => b.mtime - a.mtime);
    for (const old of others.slice(KEEP_OTHERS)) {
      unlinkSync(old.path);
      try { unlinkSync(old.path.replace(/\.snapshot$/, ".json")); } catch { /* no note */ }
      try { unlinkSync(`${old.path}.json`); } catch { /* no digest record */ }
    }
  } catch {
    /* see above */
  }
}

/**
 * The snapshot's path, built with `browser` when missing; null when it cannot be built (pages
 * then boot without it, only slower). Safe to call from several workers at once.
 */
export async function ensureSnapshot(browser, { log = () => {} } = {}) {
  let path;
  try {
    path = snapshotPath();
  } catch (e) {
    log(`py-apm: no memory snapshot (${String((e && e.message) || e).split("\n")[0]}); pages boot without it`);
    return null;
  }
  return buildOnce(path, (target) => build(browser, target), { log, what: "pages" });
}

/**
 * `path` when it exists and passes its integrity check, else built by `make(path)` under the
 * one build lock of the cache folder (one builder across processes and across the npm and
 * Python builders; the others wait for its file); null when it cannot be built. A failed build
 * is remembered and not retried for a while. `make` puts its file in place with
 * `commitSnapshot`. Shared by the browser snapshot and the Node one (node-snapshot.mjs).
 */
export async function buildOnce(path, make, { log = () => {}, what = "pages", timeoutMs = BUILD_TIMEOUT_MS } = {}) {
  try {
    if (verifiedSnapshot(path, log)) return path;
    const failed = recentFailure(path);
    if (failed) throw new Error(`the last build failed: ${failed}; not retried for ${RETRY_AFTER_MS / 60_000} minutes`);
    const dir = dirname(path);
    mkdirSync(dir, { recursive: true });
    const deadline = Date.now() + timeoutMs + 30_000;
    while (snapshotProblem(path) !== null) {
      if (tryBuildLock(dir)) {
        try {
          if (snapshotProblem(path) !== null) {
            const started = Date.now();
            try {
              await make(path);
            } catch (e) {
              try { writeFileSync(`${path}.failed`, String((e && e.message) || e).slice(0, 500)); } catch { /* a full disk */ }
              throw e;
            }
            try { unlinkSync(`${path}.failed`); } catch { /* none */ }
            log(`py-apm: built ${path} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
            afterBuild(path);
          }
        } finally {
          releaseBuildLock(dir);
        }
        break;
      }
      if (Date.now() > deadline) throw new Error("timed out waiting for another worker's build");
      await sleep(200);
    }
    return verifiedSnapshot(path, log);
  } catch (e) {
    log(`py-apm: no memory snapshot (${String((e && e.message) || e).split("\n")[0]}); ${what} boot without it`);
    return null;
  }
}
