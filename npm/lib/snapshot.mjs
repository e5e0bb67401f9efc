// The Pyodide memory snapshot with py_apm imported: pages boot from it about 4x faster. Built
// once in the browser the tests use, cached on disk under a key of the Pyodide build and the
// py_apm bundle (the Python side uses the same directory and key), reused by every run.

import {
  closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync,
} from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { makeSite, siteDir, snapshotKey } from "./site.mjs";
import { startServer } from "./http.mjs";

const LOCK_STALE_MS = 180_000;
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

/** Take the build lock (one builder across Playwright workers); false when another holds it. */
function tryLock(lock) {
  try {
    closeSync(openSync(lock, "wx"));
    return true;
  } catch (e) {
    if (e.code !== "EEXIST") throw e;
    try {
      if (Date.now() - statSync(lock).mtimeMs > LOCK_STALE_MS) unlinkSync(lock); // a dead builder's
    } catch {
      /* gone meanwhile */
    }
    return false;
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
    renameSync(part, path); // atomic: a reader sees the whole file or none
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
    if (existsSync(path)) return path;
    mkdirSync(snapshotDir(), { recursive: true });
    const lock = `${path}.lock`;
    const deadline = Date.now() + BUILD_TIMEOUT_MS + 30_000;
    while (!existsSync(path)) {
      if (tryLock(lock)) {
        try {
          if (!existsSync(path)) {
            const started = Date.now();
            await build(browser, path);
            log(`py-apm: built ${path} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
            afterBuild(path);
          }
        } finally {
          try { unlinkSync(lock); } catch { /* already removed */ }
        }
        break;
      }
      if (Date.now() > deadline) throw new Error("timed out waiting for another worker's build");
      await sleep(200);
    }
    return path;
  } catch (e) {
    log(`py-apm: no memory snapshot (${String((e && e.message) || e).split("\n")[0]}); pages boot without it`);
    return null;
  }
}
