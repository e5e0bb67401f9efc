// The py-apm site: which file answers which path below the site's root URL. Used by the
// Playwright fixture (request interception) and by `py-apm init` (a copy into a static folder).
//
//   /  index.html           the workspace page
//   shim.js py_apm.zip and the workspace page's scripts, styles and blank page
//   pyodide/<file>          the Pyodide runtime (the exact `pyodide` dependency)
//   py_apm.snapshot         the memory snapshot for this Pyodide + py_apm, when built
//   config.json             the configuration the page applies at boot, when given
//   webresources/<path>     the user's web resources, when given

import { createHash } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, extname, join, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

const require = createRequire(import.meta.url);

/** The package's own copy of the site (shim, workspace page, py_apm bundle). */
export const siteDir = fileURLToPath(new URL("../site/", import.meta.url));

/** Where the exact Pyodide this package depends on is installed. */
export function pyodideDir() {
  return dirname(require.resolve("pyodide/package.json"));
}

/** The Pyodide runtime files the shim loads (all a copy needs). */
export const PYODIDE_FILES = Object.freeze([
  "pyodide.mjs",
  "pyodide.asm.mjs",
  "pyodide.asm.wasm",
  "python_stdlib.zip",
  "pyodide-lock.json",
  "package.json",
]);

/** The site's own files (beside the pyodide/ folder): what the package build put in site/,
 * except the snapshot builders and the shim for Node (used by this package, not by pages). */
export const SITE_FILES = Object.freeze(
  readdirSync(siteDir, { withFileTypes: true })
    .filter((entry) => entry.isFile() && !["make-snapshot.js", "make-snapshot.node.mjs", "shim.node.mjs"].includes(entry.name))
    .map((entry) => entry.name)
    .sort(),
);

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".wasm": "application/wasm",
  ".zip": "application/zip",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".gif": "image/gif",
  ".ico": "image/x-icon",
  ".txt": "text/plain; charset=utf-8",
  ".map": "application/json",
};

export function contentType(path) {
  return TYPES[extname(path).toLowerCase()] || "application/octet-stream";
}

/** `root/segments...` when it is a file inside `root`, else null (no traversal, no folders). */
export function safeFile(root, segments) {
  if (!root) return null;
  if (segments.some((s) => s === "" || s === "." || s === ".." || s.includes("\\") || s.includes("\0"))) {
    return null;
  }
  const base = resolve(root);
  const path = resolve(base, ...segments);
  if (!path.startsWith(base + sep)) return null;
  try {
    return statSync(path).isFile() ? path : null;
  } catch {
    return null;
  }
}

/** The Pyodide build id compiled into pyodide.js: a snapshot is only valid for that build. */
export function pyodideBuildId(dir = pyodideDir()) {
  try {
    const found = /BUILD_ID:"([0-9a-f]{64})"/.exec(readFileSync(join(dir, "pyodide.js"), "latin1"));
    return found ? found[1] : "unknown";
  } catch {
    return "unknown";
  }
}

/** The snapshot file format's name (py_apm/host/snapshot.py FORMAT), part of the key. */
const SNAPSHOT_FORMAT = "sparse-1";

/** The key naming one (Pyodide build, py_apm bundle, file format) triple; the same key as the
 * Python side's, so both share one snapshot cache. */
export function snapshotKey(dir = pyodideDir()) {
  const bundle = readFileSync(join(siteDir, "py_apm.zip"));
  const etag = `"${createHash("sha256").update(bundle).digest("hex").slice(0, 32)}"`;
  const key = `${pyodideBuildId(dir)}\n${etag}\n${SNAPSHOT_FORMAT}`;
  return createHash("sha256").update(key).digest("hex").slice(0, 20);
}

/**
 * A resolver for paths below the site root: `(segments) => {path, type} | {status}`.
 * options: {webResources?: dir, configFile?: file, snapshotFile?: file or null}
 */
export function makeSite(options = {}) {
  const pyodide = pyodideDir();
  return function find(segments) {
    const [head, ...rest] = segments;
    let path = null;
    if (segments.length === 0 || (segments.length === 1 && head === "")) {
      path = join(siteDir, "index.html");
    } else if (head === "favicon.ico" && rest.length === 0) {
      return { status: 204 };
    } else if (head === "pyodide") {
      path = safeFile(pyodide, rest);
    } else if (head === "webresources") {
      path = safeFile(options.webResources, rest);
    } else if (head === "py_apm.snapshot" && rest.length === 0) {
      path = options.snapshotFile || null;
    } else if (head === "config.json" && rest.length === 0) {
      path = options.configFile || null;
    } else if (rest.length === 0 && SITE_FILES.includes(head)) {
      path = join(siteDir, head);
    }
    return path ? { path, type: contentType(path) } : { status: 404 };
  };
}

/** The path segments of `url` below `root` (both absolute URLs), or null when outside it. */
export function segmentsBelow(root, url) {
  const u = new URL(url);
  const r = new URL(root);
  if (u.origin !== r.origin || !u.pathname.startsWith(r.pathname)) return null;
  const rel = u.pathname.slice(r.pathname.length);
  try {
    return rel === "" ? [] : rel.split("/").map(decodeURIComponent);
  } catch {
    return null;
  }
}
