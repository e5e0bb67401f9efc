// Serve the py-apm site to a browser context by request interception: the context answers
// requests below `root` from files on disk, so no server process (and no port) is needed. The
// answers carry the headers the HTTP server sends (description.mjs).

import { closeSync, readFileSync } from "node:fs";
import { SITE, fileAnswer, preflightAnswer, statusAnswer } from "./description.mjs";
import { segmentsBelow } from "./site.mjs";

/** Route every request below `root` (an absolute URL ending in "/") through `find`. */
export async function serveSite(context, root, find) {
  await context.route(`${root}**`, async (route) => {
    const request = route.request();
    const method = request.method();
    const known = method === SITE.methods.preflight || SITE.methods.read.includes(method);
    const segments = known ? segmentsBelow(root, request.url()) : null;
    const found = segments === null ? { status: known ? 404 : SITE.methods.other } : find(segments);
    let answer;
    let body = "";
    try {
      if (method === SITE.methods.preflight) {
        const shared = !!found.file && found.route.cors;
        const privateNetwork = (await request.headerValue("access-control-request-private-network")) === "true";
        answer = shared ? preflightAnswer(privateNetwork) : statusAnswer(404);
      } else if (!found.file) {
        answer = statusAnswer(found.status);
        body = answer.body;
      } else {
        // The file that was opened and checked, read whole (fulfill sends a body, not a stream).
        answer = fileAnswer(found, await request.headerValue("if-none-match"));
        if (answer.status === 200 && method !== "HEAD") body = readFileSync(found.file.fd);
      }
    } finally {
      if (found.file) closeSync(found.file.fd);
    }
    const headers = Object.fromEntries(Object.entries(answer.headers).map(([k, v]) => [k.toLowerCase(), v]));
    delete headers["content-length"]; // fulfill sets it from the body
    await route.fulfill({ status: answer.status, headers, body });
  });
}
