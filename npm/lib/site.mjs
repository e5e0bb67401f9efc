// The py-apm site: which file answers which path below the site's root URL, by the routes of
// the site description (site.json, read by description.mjs; docs/server.md lists them). Used by
// the HTTP server (http.mjs), the Playwright fixture's request interception (route.mjs) and
// `py-apm init` (a copy into a static folder). The sources of the routes, in this package:
//
//   root, web, bundle   site/: shim.js, the workspace page (its paths made relative), its scripts
//                       and styles, py_apm.zip
//   pyodide             the Pyodide runtime (the exact `pyodide` dependency)
//   snapshot            the memory snapshot for this Pyodide + py_apm, when built
//   config              the configuration the page applies at boot, when given
//   webresources        the user's web resources, when given

import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { matchRoute } from "./description.mjs";
import { cleanSegments, openBelow, openFile } from "./openbelow.mjs";

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

/** Scripts in site/ that this package runs itself (the snapshot builders, the failure report's
 * formatter, the shim for Node): never served, never copied by init. */
const OWN_SCRIPTS = new Set(["make-snapshot.js", "make-snapshot.node.mjs", "failure-report.js", "shim.node.mjs"]);

/** The site's own files (beside the pyodide/ folder): what the package build put in site/,
 * except the package's own scripts. */
export const SITE_FILES = Object.freeze(
  readdirSync(siteDir, { withFileTypes: true })
    .filter((entry) => entry.isFile() && !OWN_SCRIPTS.has(entry.name))
    .map((entry) => entry.name)
    .sort(),
);

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
export const SNAPSHOT_FORMAT = "sparse-1";

/** The py_apm bundle's etag (the Python server's for the same zip): the digest of the py_apm
 * sources a snapshot must be built from. */
export function bundleEtag() {
  const bundle = readFileSync(join(siteDir, "py_apm.zip"));
  return `"${createHash("sha256").update(bundle).digest("hex").slice(0, 32)}"`;
}

/** The key naming one (Pyodide build, py_apm bundle, file format) triple; the same key as the
 * Python side's, so both share one snapshot cache. */
export function snapshotKey(dir = pyodideDir()) {
  const key = `${pyodideBuildId(dir)}\n${bundleEtag()}\n${SNAPSHOT_FORMAT}`;
  return createHash("sha256").update(key).digest("hex").slice(0, 20);
}

/**
 * A resolver for request paths below the site root: `(segments) => found | {status}`, where
 * `found` is `{file, route}` with `file` open (the caller closes `file.fd`).
 * options: {webResources?: dir, configFile?: file, snapshotFile?: file or null}
 */
export function makeSite(options = {}) {
  const pyodide = pyodideDir();
  const folders = { root: siteDir, web: siteDir, pyodide, webresources: options.webResources };
  function open(route, rest) {
    if (route.source === "config") return openFile(options.configFile);
    if (route.source === "snapshot") return openFile(options.snapshotFile);
    // Its digest record, which the page checks the snapshot against (shim/snapshot.js).
    if (route.source === "snapshotRecord") return openFile(options.snapshotFile && `${options.snapshotFile}.json`);
    if (route.source === "bundle") return openBelow(siteDir, ["py_apm.zip"]);
    if (!(route.source in folders)) throw new Error(`site.json: unknown source ${route.source}`);
    // site/ is flat and holds the package's own files too: only the site's files are served.
    if (folders[route.source] === siteDir && !(rest.length === 1 && SITE_FILES.includes(rest[0]))) return null;
    return openBelow(folders[route.source], rest);
  }
  return function find(segments) {
    const matched = matchRoute(segments.length === 0 ? [""] : segments);
    if (matched === null) return { status: 404 };
    const file = open(matched.route, matched.rest);
    return file === null ? { status: matched.route.missing } : { file, route: matched.route };
  };
}

/** The decoded segments of `url` below `root` (both absolute URLs), or null when outside it or
 * not an acceptable path (the rules of cleanSegments). */
export function segmentsBelow(root, url) {
  const u = new URL(url);
  const r = new URL(root);
  if (u.origin !== r.origin || !u.pathname.startsWith(r.pathname)) return null;
  return cleanSegments(`/${u.pathname.slice(r.pathname.length)}`);
}
