// The site description (site.json, the same file py-apm serve reads): which request path is
// answered from which source, with which MIME type, cache and cross-origin headers, and the
// Host rules. The package build copies it beside this module; in a checkout it is read from
// py_apm/host/site.json.

import { existsSync, readFileSync } from "node:fs";
import { STATUS_CODES } from "node:http";
import { createHash } from "node:crypto";

/** This server's name in a route's `servers` list (a route without the list is everyone's). */
const SERVER = "node";

/**
 * A JSON file of py_apm/host that the Python side reads too (site.json, chromium.json), parsed:
 * the copy the package build put beside these modules, else the checkout's.
 * @param {string} name
 */
export function hostJson(name) {
  const beside = new URL(`./${name}`, import.meta.url);
  const file = existsSync(beside) ? beside : new URL(`../../py_apm/host/${name}`, import.meta.url);
  return JSON.parse(readFileSync(file, "utf8"));
}

/** site.json, as read. */
export const SITE = Object.freeze(hostJson("site.json"));

/**
 * @typedef {{fixed: string[], prefix: boolean, source: string, file: string[], depth: number | null,
 *   cache: string, cors: boolean, missing: number, anyCase: Set<string>, servers: string[]}} Route
 */

/** @returns {Route} */
function parseRoute(row) {
  const prefix = "prefix" in row;
  const fixed = (prefix ? row.prefix : row.path).split("/").slice(1);
  if (prefix) fixed.pop();
  return {
    fixed,
    prefix,
    source: row.from,
    file: row.file ? row.file.split("/") : [],
    depth: row.depth ?? null,
    cache: row.cache ?? "none",
    cors: !!row.cors,
    missing: row.missing ?? 404,
    anyCase: new Set(row.anyCase ?? []),
    servers: row.servers ?? [],
  };
}

const ROUTES = SITE.routes.map(parseRoute).filter((r) => r.servers.length === 0 || r.servers.includes(SERVER));

/**
 * The first route that takes `segments`, and the file's segments below its source; null: 404.
 * @param {string[]} segments
 * @returns {{route: Route, rest: string[]} | null}
 */
export function matchRoute(segments) {
  for (const route of ROUTES) {
    const n = route.fixed.length;
    if (segments.length < n || (!route.prefix && segments.length !== n)) continue;
    const same = route.fixed.every(
      (want, i) => segments[i] === want || (route.anyCase.has(want) && segments[i].toLowerCase() === want.toLowerCase()),
    );
    if (!same) continue;
    const rest = segments.slice(n);
    if (route.prefix && (rest.length === 0 || (route.depth !== null && rest.length !== route.depth))) continue;
    return { route, rest: route.prefix ? rest : route.file };
  }
  return null;
}

/** The MIME type of a file name (by its extension, any case). */
export function contentType(name) {
  const dot = name.lastIndexOf(".");
  return (dot >= 0 && SITE.types[name.slice(dot).toLowerCase()]) || SITE.defaultType;
}

// --- Host rules --------------------------------------------------------------------------------

/** The name part of a Host header (`[::1]:8765` -> `::1`, `Example:80` -> `example`). */
function hostName(value) {
  if (value.startsWith("[")) return value.includes("]") ? value.slice(1, value.indexOf("]")) : value;
  return (value.match(/:/g) || []).length === 1 ? value.slice(0, value.lastIndexOf(":")) : value;
}

/** Does a Host header (or an absolute-form target's authority) name this server, any port?
 * A missing one is allowed here (`refusal` has the HTTP/1.1 rule). */
export function hostAllowed(header, names = SITE.hosts.names) {
  if (header === undefined) return true;
  const value = header.trim().toLowerCase();
  const name = hostName(value);
  const port = value.startsWith("[") ? value.slice(value.indexOf("]") + 1) : value.slice(name.length);
  return names.includes(name) && (port === "" || /^:\d+$/.test(port));
}

/**
 * The status refusing a request that does not name this server, else null (py_apm/host/
 * httpguard.py `refusal`: 400 for two Host headers, a missing one in HTTP/1.1, a target that is
 * neither a path nor an http URL; 421 for another name in the Host header or the target).
 * @param {import("node:http").IncomingMessage} req
 */
export function refusal(req) {
  const hosts = [];
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    if (req.rawHeaders[i].toLowerCase() === "host") hosts.push(req.rawHeaders[i + 1]);
  }
  if (hosts.length > 1) return SITE.hosts.duplicate;
  if (!req.url.startsWith("/")) {
    const m = /^http:\/\/([^/?#@]+)(?:[/?#]|$)/i.exec(req.url);
    if (!m) return 400;
    if (!hostAllowed(m[1])) return SITE.hosts.refused;
  }
  if (hosts.length === 0) return req.httpVersion === "1.1" ? SITE.hosts.missingOnHttp11 : null;
  return hostAllowed(hosts[0]) ? null : SITE.hosts.refused;
}

/** The path of a request target (origin-form as is; absolute-form: the part after the host). */
export function targetPath(url) {
  if (url.startsWith("/")) return url;
  const m = /^http:\/\/[^/?#]*(.*)$/i.exec(url);
  return m ? m[1] : url;
}

// --- Answers -----------------------------------------------------------------------------------

/**
 * A found file: what to send, with the headers of its route.
 * @typedef {{file: import("./openbelow.mjs").OpenFile, route: Route}} Found
 */

function etagOf(file) {
  const tag = createHash("sha1").update(`${file.dev}:${file.ino}:${file.size}:${file.mtimeMs}`).digest("hex");
  return `"${tag.slice(0, 24)}"`;
}

function etagMatches(header, etag) {
  if (!header) return false;
  if (header.trim() === "*") return true;
  const bare = etag.replace(/^W\//, "");
  return header.split(",").some((t) => t.trim().replace(/^W\//, "") === bare);
}

/**
 * Status and headers for a found file (200, or 304 when `ifNoneMatch` names its ETag).
 * @param {Found} found
 * @param {string | undefined} ifNoneMatch
 */
export function fileAnswer(found, ifNoneMatch) {
  const { file, route } = found;
  const etag = etagOf(file);
  const notModified = etagMatches(ifNoneMatch, etag);
  const headers = { ETag: etag, "Cache-Control": SITE.cache[route.cache], ...SITE.headers };
  if (route.cors) Object.assign(headers, SITE.cors);
  headers["Last-Modified"] = new Date(file.mtimeMs).toUTCString();
  if (notModified) return { status: 304, headers: { ...headers, "Content-Length": "0" } };
  headers["Content-Type"] = contentType(file.name);
  headers["Content-Length"] = String(file.size);
  return { status: 200, headers };
}

/** A bare status answer (404, 421, ...): its headers and short text body. */
export function statusAnswer(status) {
  const body = status === 204 || status === 304 ? "" : `${status} ${STATUS_CODES[status] || "Error"}\n`;
  const headers = { ...SITE.headers };
  if (body) headers["Content-Type"] = SITE.statusType;
  if (status === 405) headers.Allow = [...SITE.methods.read, SITE.methods.preflight].join(", ");
  headers["Content-Length"] = String(Buffer.byteLength(body));
  headers["Cache-Control"] = SITE.cache.none;
  return { status, headers, body };
}

/** The answer to a CORS preflight for a file other origins may read. */
export function preflightAnswer(privateNetwork) {
  const headers = { ...SITE.headers, ...SITE.preflight };
  if (privateNetwork) Object.assign(headers, SITE.privateNetwork);
  headers["Content-Length"] = "0";
  return { status: 204, headers, body: "" };
}
