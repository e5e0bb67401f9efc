// The Pyodide memory snapshot for Node: a browser-built one is refused by Pyodide in Node, so
// Node has its own file beside it (same cache folder, same key, same lock rules: snapshot.mjs),
// built by the same builder script the browser runs (site/make-snapshot.js), in a child process
// so the process that asked never holds a snapshot-making Pyodide.
//
//   node node-snapshot.mjs <out>     build the snapshot into <out> (what ensureNodeSnapshot runs)

import { execFile } from "node:child_process";
import { unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { resolveObjectURL } from "node:buffer";
import { fileURLToPath, pathToFileURL } from "node:url";
import { PYODIDE_URL, fileFetch } from "./node-files.mjs";
import { siteDir, snapshotKey } from "./site.mjs";
import { buildOnce, commitSnapshot, snapshotDir } from "./snapshot.mjs";

const BUILD_TIMEOUT_MS = 120_000;

/** The Node snapshot's file: the browser one's key, its own name. */
export function nodeSnapshotPath() {
  return join(snapshotDir(), `py_apm-node-${snapshotKey()}.snapshot`);
}

function runBuilder(path) {
  const part = `${path}.${process.pid}.part`;
  return new Promise((done, fail) => {
    execFile(process.execPath, [fileURLToPath(import.meta.url), part], { timeout: BUILD_TIMEOUT_MS }, (error, _out, err) => {
      if (error) {
        try { unlinkSync(part); } catch { /* never written */ }
        fail(new Error(`building the Node snapshot failed: ${(err || error.message).trim().split("\n").pop()}`));
        return;
      }
      commitSnapshot(part, path);
      done();
    });
  });
}

let ensured = null;

/**
 * The Node snapshot's path, built when missing (about 6 s, once per machine and py_apm
 * version); null when it cannot be built (py-apm then boots without it, only slower).
 */
export function ensureNodeSnapshot({ log = (m) => console.warn(m) } = {}) {
  if (ensured === null) ensured = buildOnce(nodeSnapshotPath(), runBuilder, { log, what: "Node tests" });
  return ensured;
}

/** Build the snapshot into `out` by running the browser's builder with what it needs from a page. */
async function buildInto(out) {
  const { default: builder } = await import("../site/make-snapshot.node.mjs");
  let saved = null;
  const document = {
    body: { appendChild: () => {} },
    createElement: () => ({
      click() {
        saved = resolveObjectURL(this.href);
      },
    }),
  };
  const size = await builder(document, fileFetch)({
    pyodideURL: PYODIDE_URL,
    packageURL: pathToFileURL(join(siteDir, "py_apm.zip")).href,
  });
  if (!saved || saved.size !== size) throw new Error("the builder handed over no snapshot");
  writeFileSync(out, Buffer.from(await saved.arrayBuffer()));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  buildInto(process.argv[2]).then(
    () => process.exit(0),
    (e) => {
      console.error(String((e && e.stack) || e));
      process.exit(1);
    },
  );
}
