// Serve the py-apm site over HTTP from inside the test process: an in-process server on a free
// loopback port that lives as long as the Playwright worker (no separate process to manage).

import { createReadStream } from "node:fs";
import { createServer } from "node:http";

// The names this loopback server answers to: a page of another site that rebinds its own name
// to 127.0.0.1 sends that name, and gets 421 (as the Python server does).
const LOOPBACK_NAMES = new Set(["127.0.0.1", "localhost", "::1"]);

// What other origins may read (a page elsewhere that includes shim.js boots from these); the
// workspace page, the configuration (records) and the web resources stay same-origin.
const SHARED = new Set(["shim.js", "py_apm.zip", "py_apm.snapshot", "pyodide"]);

/** Does a request's Host header name this server (any port)? A missing one is allowed. */
export function hostAllowed(header) {
  if (header === undefined) return true;
  const value = header.trim().toLowerCase();
  const m = /^(\[[^\]]*\]|[^:]*)(:\d+)?$/.exec(value);
  return !!m && LOOPBACK_NAMES.has(m[1].replace(/^\[|\]$/g, ""));
}

/** Start serving `find` on 127.0.0.1 (`port` 0: a free one); resolves to {root, close}. */
export async function startServer(find, { port = 0, keepAlive = false } = {}) {
  const server = createServer((req, res) => {
    let found;
    let segments = [];
    try {
      const { pathname } = new URL(req.url, "http://localhost");
      segments = pathname.slice(1).split("/").map(decodeURIComponent);
      found = find(segments);
    } catch {
      found = { status: 400 };
    }
    if (req.method !== "GET" && req.method !== "HEAD") found = { status: 405 };
    if (!hostAllowed(req.headers.host)) found = { status: 421 };
    if (found.status) {
      res.writeHead(found.status, { "content-length": 0 });
      res.end();
      return;
    }
    const headers = { "content-type": found.type, "cache-control": "no-cache", "x-content-type-options": "nosniff" };
    if (SHARED.has(segments[0])) {
      headers["access-control-allow-origin"] = "*";
      headers["cross-origin-resource-policy"] = "cross-origin";
    }
    res.writeHead(200, headers);
    if (req.method === "HEAD") {
      res.end();
      return;
    }
    createReadStream(found.path).on("error", () => res.destroy()).pipe(res);
  });
  await new Promise((done, fail) => {
    server.once("error", fail);
    server.listen(port, "127.0.0.1", done);
  });
  if (!keepAlive) server.unref(); // inside a test worker: never keeps the process alive
  return {
    root: `http://127.0.0.1:${server.address().port}/`,
    close: () => new Promise((done) => {
      server.close(() => done());
      server.closeAllConnections(); // the browser keeps idle connections open
    }),
  };
}
