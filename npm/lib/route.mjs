// Serve the py-apm site to a browser context by request interception: the context answers
// requests below `root` from files on disk, so no server process (and no port) is needed.

import { segmentsBelow } from "./site.mjs";

/** Route every request below `root` (an absolute URL ending in "/") through `find`. */
export async function serveSite(context, root, find) {
  await context.route(`${root}**`, async (route) => {
    const segments = segmentsBelow(root, route.request().url());
    const found = segments === null ? { status: 404 } : find(segments);
    if (found.status) {
      await route.fulfill({ status: found.status, body: "" });
      return;
    }
    await route.fulfill({
      path: found.path,
      contentType: found.type,
      headers: { "cache-control": "no-cache", "access-control-allow-origin": "*" },
    });
  });
}
