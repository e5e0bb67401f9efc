// Serve the py-apm site over HTTP from inside the test process: an in-process server on a free
// loopback port that lives as long as the Playwright worker (no separate process to manage).
// What it answers, with which headers, is the site description (description.mjs); it refuses
// what py-apm serve refuses (another Host: 421, as a DNS-rebinding page would send).

import { closeSync, createReadStream } from "node:fs";
import { createServer } from "node:http";
import { SITE, fileAnswer, hostAllowed, preflightAnswer, refusal, statusAnswer, targetPath } from "./description.mjs";
import { cleanSegments } from "./openbelow.mjs";

export { hostAllowed };

const MS = 1000;

function send(res, answer) {
  res.writeHead(answer.status, answer.headers);
  res.end(answer.body);
}

/** Answer one request with `find` (a resolver from makeSite). */
function handle(find, req, res) {
  const refused = refusal(req);
  if (refused !== null) {
    if (refused === 400) res.shouldKeepAlive = false;
    send(res, statusAnswer(refused));
    return;
  }
  const preflight = req.method === SITE.methods.preflight;
  if (!preflight && !SITE.methods.read.includes(req.method)) {
    send(res, statusAnswer(SITE.methods.other));
    return;
  }
  const segments = cleanSegments(targetPath(req.url));
  const found = segments === null ? { status: 404 } : find(segments);
  if (preflight) {
    if (found.file) closeSync(found.file.fd);
    const shared = !!found.file && found.route.cors;
    const privateNetwork = req.headers["access-control-request-private-network"] === "true";
    send(res, shared ? preflightAnswer(privateNetwork) : statusAnswer(404));
    return;
  }
  if (!found.file) {
    send(res, statusAnswer(found.status));
    return;
  }
  const answer = fileAnswer(found, req.headers["if-none-match"]);
  res.writeHead(answer.status, answer.headers);
  if (req.method === "HEAD" || answer.status !== 200 || found.file.size === 0) {
    closeSync(found.file.fd);
    res.end();
    return;
  }
  // Stream the file that was opened and checked (never the name again), as long as it was.
  const stream = createReadStream(null, { fd: found.file.fd, start: 0, end: found.file.size - 1 });
  stream.on("error", () => res.destroy()).pipe(res);
  res.on("close", () => stream.destroy());
}

/**
 * Start serving `find` on 127.0.0.1 (`port` 0: a free one); resolves to {root, close}.
 * `limits` overrides site.json's `connections` (seconds), e.g. shorter in tests.
 */
export async function startServer(find, { port = 0, keepAlive = false, limits: given = {} } = {}) {
  const limits = { ...SITE.connections, ...given };
  const server = createServer(
    {
      noDelay: true, // a small answer goes out at once (no wait for the ACK of the headers)
      requireHostHeader: false, // refusal() answers a missing Host, with the site's headers
      headersTimeout: limits.headersSeconds * MS, // a request whose headers never end
      requestTimeout: limits.requestSeconds * MS,
      keepAliveTimeout: limits.idleSeconds * MS,
      connectionsCheckingInterval: MS, // how often the two above are checked (default 30 s)
    },
    (req, res) => handle(find, req, res),
  );
  server.timeout = limits.idleSeconds * MS; // a connection silent that long (half-sent) is closed
  server.maxConnections = limits.max;
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
