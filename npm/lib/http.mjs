// Serve the py-apm site over HTTP from inside the test process: an in-process server on a free
// loopback port that lives as long as the Playwright worker (no separate process to manage).

import { createReadStream } from "node:fs";
import { createServer } from "node:http";

/** Start serving `find` on 127.0.0.1 (`port` 0: a free one); resolves to {root, close}. */
export async function startServer(find, { port = 0, keepAlive = false } = {}) {
  const server = createServer((req, res) => {
    let found;
    try {
      const { pathname } = new URL(req.url, "http://localhost");
      found = find(pathname.slice(1).split("/").map(decodeURIComponent));
    } catch {
      found = { status: 400 };
    }
    if (req.method !== "GET" && req.method !== "HEAD") found = { status: 405 };
    if (found.status) {
      res.writeHead(found.status, { "content-length": 0 });
      res.end();
      return;
    }
    res.writeHead(200, { "content-type": found.type, "cache-control": "no-cache", "access-control-allow-origin": "*" });
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
