// What the faces share: property descriptors, the session context object, 501 refusals,
// argument checks, a tab's facts from PyApm.state(), and Xrm's ItemCollection.
import { MAX_DEPTH, MAX_SIZE } from "../encode.js";
import { apmError } from "../errors.js";
import { cachedGetter, connected, invoke, invoke1, notReady, promised } from "../wire.js";

// ---- Session, tab and context objects (decision 3) ------------------------------------------
/** @param {Function} fn @returns {PropertyDescriptor} */
export function method(fn) {
  return { value: fn, writable: true, configurable: true, enumerable: false };
}

// An enumerable property of a session/tab object: a cached read, and a write when settable.
/** @param {string} label @param {string} getMethod @param {string | null} setMethod @param {unknown} id @returns {PropertyDescriptor} */
export function property(label, getMethod, setMethod, id) {
  /** @type {PropertyDescriptor} */
  const d = { get: cachedGetter(label, getMethod, id), enumerable: true, configurable: true };
  if (setMethod) d.set = (/** @type {unknown} */ v) => { invoke(label, setMethod, [id, v]); };
  return d;
}

// A tab's `data` parsed when it is JSON of an object/array within the argument bounds (as
// the model parses it); deeper or bigger text stays text.
/** @param {unknown} value @returns {unknown} */
export function parseData(value) {
  if (typeof value !== "string" || value.length > MAX_SIZE) return value;
  const s = value.trim();
  if (!(s.startsWith("{") || s.startsWith("["))) return value;
  let parsed;
  try {
    parsed = JSON.parse(s);
  } catch (_) {
    return value;
  }
  /** @type {Array<[any, number]>} */
  const stack = [[parsed, 0]];
  while (stack.length) {
    const [v, depth] = /** @type {[any, number]} */ (stack.pop());
    if (v === null || typeof v !== "object") continue;
    if (depth >= MAX_DEPTH) return value;
    for (const k of Object.keys(v)) stack.push([v[k], depth + 1]);
  }
  return parsed;
}

// Own data properties, so a "__proto__" key is a key like any other (Object.assign would set
// the prototype instead).
/** @param {Record<string, unknown>} target @param {any} source */
function copyInto(target, source) {
  for (const k of Object.keys(source || {})) {
    Object.defineProperty(target, k,
      { value: source[k], enumerable: true, writable: true, configurable: true });
  }
  return target;
}

// The resolved value of session.getContext() (decisions 4 and 23).
/** @param {string} sid @param {any} raw @returns {object} */
export function contextObject(sid, raw) {
  let data = raw || {};
  const params = copyInto({}, data.parameters);
  const reload = () => {
    data = invoke1("context", "session.getContext", sid) || {};
    for (const k of Object.keys(params)) delete params[k];
    copyInto(params, data.parameters);
  };
  const ctx = {};
  Object.defineProperties(ctx, {
    templateName: { get: () => (data.templateName === undefined ? null : data.templateName), enumerable: true },
    parameters: { get: () => params, enumerable: true },
    get: method(function get(/** @type {string} */ key) {
      return Object.prototype.hasOwnProperty.call(params, key) ? params[key] : undefined;
    }),
    has: method(function has(/** @type {string} */ key) {
      return Object.prototype.hasOwnProperty.call(params, key);
    }),
    set: method(function set(/** @type {string | symbol} */ key, /** @type {unknown} */ value) {
      if (typeof key === "symbol") {
        if (!connected()) throw notReady("context.set");
        throw apmError(400, "context.set: key must be a string, got symbol");
      }
      data = invoke("context.set", "session.updateContext",
        [sid, copyInto({}, { [key]: value })]) || {};
      for (const k of Object.keys(params)) delete params[k];
      copyInto(params, data.parameters);
      return ctx;
    }),
    delete: method(function del(/** @type {string} */ key) {
      const had = Object.prototype.hasOwnProperty.call(params, key);
      invoke("context.delete", "session.deleteContext", [sid, key]);
      reload();
      return had;
    }),
    getTabContext: method(function getTabContext(/** @type {unknown} */ tabIdOrAnchor) {
      const tid = tabIdOrAnchor === "anchor" ? data.anchorTabId : tabIdOrAnchor;
      const tabs = data.tabs || {};
      if (typeof tid !== "string" || !Object.prototype.hasOwnProperty.call(tabs, tid)) return null;
      const copy = Object.assign({}, tabs[tid]);
      if ("data" in copy) copy.data = parseData(copy.data);
      return copy;
    }),
    resolveSlug: method(function resolveSlug(/** @type {unknown[]} */ ...args) {
      return promised(() => invoke("context.resolveSlug", "session.resolveSlug", [sid, ...args]));
    }),
  });
  return ctx;
}

// ---- Shared by the AppRuntime and Xrm faces -----------------------------------------------
// One workspace, three faces: Microsoft.Apm (above), Microsoft.AppRuntime.Sessions and
// Xrm.App.sessions call the same bridge members; their actions always return Promises (their
// typings say so), whatever `returns` is.

// A member a typing declares that py-apm cannot emulate meaningfully: a clear Error, never
// `undefined` (501: not implemented by the emulator).
/** @param {string} member @param {string} why */
export function notEmulated(member, why) {
  return apmError(501, `${member} is not emulated by py-apm: ${why}`);
}
/**
 * A refused member (named "refused": the bundler renames one of two same-named functions).
 * @param {string} member @param {string} why @param {boolean} async a rejected Promise, else a throw
 */
function refusal(member, why, async) {
  const fn = async
    ? () => Promise.reject(notEmulated(member, why))
    : () => { throw notEmulated(member, why); };
  Object.defineProperty(fn, "name", { value: "refused" });
  return method(fn);
}
/** @param {string} member @param {string} why */
export const refusedSync = (member, why) => refusal(member, why, false);
/** @param {string} member @param {string} why */
export const refusedAsync = (member, why) => refusal(member, why, true);

/** @param {unknown} v */
export function typeName(v) {
  return v === null ? "null" : Array.isArray(v) ? "array" : typeof v;
}

/** @param {string} label @param {string} name @param {unknown} v @returns {string} */
export function requireString(label, name, v) {
  if (typeof v !== "string") throw apmError(400, `${label}: ${name} must be a string, got ${typeName(v)}`);
  return v;
}

// A tab as PyApm.state() shows it, with its session (tab facts only the state carries: page
// type, parameters, url).
/** @param {string} label @param {unknown} tid @returns {{session: any, tab: any}} */
export function findTab(label, tid) {
  requireString(label, "tabId", tid);
  for (const s of invoke(label, "pyapm.state", []).sessions) {
    for (const t of s.tabs) if (t.tabId === tid) return { session: s, tab: t };
  }
  throw apmError(404, `${label}: tab '${tid}' is not open`);
}

/** @param {any} tab */
export function pageInputOf(tab) {
  /** @type {Record<string, unknown>} */
  const input = { pageType: tab.pageType };
  for (const [k, v] of Object.entries(tab.parameters)) input[k] = k === "data" ? parseData(v) : v;
  return input;
}

// The tab's URL: what its iframe shows (web resources, websites), else the app's address of
// the page (main.aspx?pagetype=...&etn=...&id=...).
/** @type {Record<string, string>} */
const URL_KEYS = { entityName: "etn", entityId: "id" };
/** @param {any} tab @returns {string} */
export function currentUrl(tab) {
  if (tab.url) return tab.url;
  const q = new URLSearchParams({ pagetype: tab.pageType });
  for (const [k, v] of Object.entries(tab.parameters)) q.set(URL_KEYS[k] || k, /** @type {string} */ (v));
  return "main.aspx?" + q.toString();
}

// Xrm's Collection.ItemCollection: get() all, get(index), get(id), get(filter); getLength; forEach.
/** @template T @param {string} label @param {T[]} items @param {(item: T) => string} key */
export function itemCollection(label, items, key) {
  const c = {};
  Object.defineProperties(c, {
    get: method(function get(/** @type {unknown} */ arg) {
      if (arg === undefined) return items.slice();
      if (typeof arg === "number") return arg in items ? items[arg] : null;
      if (typeof arg === "string") return items.find((x) => key(x) === arg) || null;
      if (typeof arg === "function") return items.filter((x, i) => arg(x, i));
      throw apmError(400, `${label}.get: argument must be an index, an id or a function, got ${typeName(arg)}`);
    }),
    getLength: method(function getLength() { return items.length; }),
    forEach: method(function forEach(/** @type {unknown} */ fn) {
      if (typeof fn !== "function") throw apmError(400, `${label}.forEach: argument must be a function, got ${typeName(fn)}`);
      items.forEach((x, i) => fn(x, i));
    }),
  });
  return c;
}
