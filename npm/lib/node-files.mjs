// How the shim (and the snapshot builder) find their files in Node: the URLs they are given and
// a fetch that reads file: URLs (Node's own fetch has no file: scheme).

import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { pyodideDir } from "./site.mjs";

/** The shim's data-pyodide in Node: the loader adapters in lib/pyodide/ (see pyodide.mjs there). */
export const PYODIDE_URL = new URL("./pyodide/", import.meta.url).href;

/** A file: URL as the file to read: the runtime's other files are the installed package's. */
function pathOf(url) {
  if (url.startsWith(PYODIDE_URL)) return join(pyodideDir(), decodeURIComponent(url.slice(PYODIDE_URL.length)));
  return fileURLToPath(url);
}

/** `fetch` with file: URLs read from disk (200, or 404 when missing); others go to fetch. */
export async function fileFetch(input, init) {
  const url = String(input instanceof Request ? input.url : input);
  if (!url.startsWith("file:")) return fetch(input, init);
  try {
    return new Response(await readFile(pathOf(url)), { status: 200 });
  } catch (e) {
    if (e && (e.code === "ENOENT" || e.code === "EISDIR")) return new Response(null, { status: 404 });
    throw e;
  }
}
