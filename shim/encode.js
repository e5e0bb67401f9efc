// Arguments as JSON data for Python: the copy of a caller's values (design.md section 2).
import { apmError } from "./errors.js";

// ---- Argument encoding (design.md section 2) ----------------------------------------------
/** @param {unknown} v */
export function isPrimitive(v) {
  const t = typeof v;
  return t === "string" || t === "boolean" || t === "undefined" || v === null ||
    (t === "number" && Number.isFinite(v));
}

/** @param {any} v */
function isThenable(v) {
  if (v === null || (typeof v !== "object" && typeof v !== "function")) return false;
  try {
    return typeof v.then === "function";
  } catch (_) {
    return false; // a throwing getter or Proxy trap: reported when the argument is copied
  }
}

// The names of a member's user-visible parameters (a session/tab member's first argument is
// its own id, given by the shim), for the message about a Promise passed as one of them.
/** @type {Record<string, Array<string | null>>} */
const PARAMS = {
  getSession: ["sessionId"], createSession: ["SessionInput"], createTab: ["AppTabInput"],
  closeTab: ["tabId"], focusTab: ["tabId"], refreshTab: ["tabId"],
  getEventPublisherTopic: ["eventName"], "session.getTab": [null, "tabId"],
  "session.updateContext": [null, "input"], "session.resolveSlug": [null, "input"],
  "session.createTab": [null, "AppTabInput"], "session.getAllTabsForTemplate": [null, "templateName"],
  "session.setTitle": [null, "title"], "session.setCanClose": [null, "canClose"],
  "tab.setTitle": [null, "title"], "tab.setCanClose": [null, "canClose"],
};
/** @type {Record<string, string>} */
const PRODUCER = { tabId: "createTab(...)", sessionId: "createSession(...)" };

// Decision 1: `focusTab(createTab(...))` is a 400 that says what to await, not a puzzling
// "must be a string, got object".
/** @param {string} label @param {string} method @param {unknown[]} args */
export function promiseArgument(label, method, args) {
  for (let i = 0; i < args.length; i++) {
    if (!isThenable(args[i])) continue;
    const name = (PARAMS[method] && PARAMS[method][i]) || `argument ${i + 1}`;
    const producer = PRODUCER[name];
    const hint = producer ? `await ${producer} first (it resolves with the id)` : "await it first";
    return apmError(400, `${label}: ${name} is a Promise; ${hint}`);
  }
  return null;
}

// Bounds on a caller's object argument, checked while it is copied and before anything is
// stringified or parsed (py_apm/model/limits.py checks them again and names the argument):
// nesting levels, and characters as JSON (a configuration may be bigger than other arguments).
export const MAX_DEPTH = 64;
export const MAX_SIZE = 1 << 20;
const MAX_CONFIG_SIZE = 8 << 20;
const CONFIG_MEMBERS = new Set(["pyapm.configure", "pyapm.reset"]);
const MARKER = "$pyapm:";
const TOO_LARGE = { tooLarge: true };
const opaque = (/** @type {string} */ kind) => ({ "$pyapm:js": kind });

/** @param {any} e */
function thrownMarker(e) {
  let text;
  try {
    text = e instanceof Error || (e && typeof e.message === "string")
      ? `${e.name || "Error"}: ${e.message}` : String(e);
  } catch (_) {
    text = "a value that cannot be printed";
  }
  return { "$pyapm:thrown": text.slice(0, 300) };
}

// One argument as plain JSON data: every property read once (getters, Proxy traps and toJSON
// run once, and what they throw is reported, not raised), Maps and values without a JSON form
// as markers, a caller's own keys starting with the marker prefix escaped (so markers cannot
// be forged), cycles, depth and size cut short with markers Python turns into 400s.
// The walk's state lives here, not in closures: this runs on every call with an object.
let budget = 0;
/** @type {object[]} */
const path = []; // the objects being copied, outermost first (a cycle repeats one of them)

/** @param {number} n */
function spend(n) {
  budget -= n;
  if (budget < 0) throw TOO_LARGE;
}

/** @param {Record<string, unknown>} out @param {string} key @param {unknown} value */
function own(out, key, value) {
  // an own key even for "__proto__", as JSON.parse would make it (assigning sets a prototype)
  Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
}

// `converted`: v is what a toJSON returned (JSON.stringify does not call toJSON on that again)
/** @param {any} v @param {string} key @param {number} depth @param {boolean} [converted] @returns {unknown} */
function copyValue(v, key, depth, converted) {
  switch (typeof v) {
    case "string":
      spend(v.length + 2);
      return v;
    case "boolean":
      spend(5);
      return v;
    case "undefined":
      return undefined;
    case "number":
      spend(8);
      if (Number.isFinite(v)) return v;
      return opaque(Number.isNaN(v) ? "NaN" : v > 0 ? "Infinity" : "-Infinity");
    case "function":
      return opaque("function");
    case "symbol":
      return opaque("symbol");
    case "bigint":
      return opaque("bigint");
    default:
      break;
  }
  if (v === null) {
    spend(4);
    return null;
  }
  try {
    if (!converted && typeof v.toJSON === "function") return copyValue(v.toJSON(key), key, depth, true);
    // (a top-level argument was checked by promiseArgument: its `then` is not read twice)
    if (depth > 0 && typeof v.then === "function") return opaque("Promise");
  } catch (e) {
    if (e === TOO_LARGE) throw e;
    return thrownMarker(e);
  }
  if (path.includes(v)) return opaque("cyclic");
  if (depth >= MAX_DEPTH) return opaque("too-deep");
  spend(2);
  path.push(v);
  try {
    return copyObject(v, depth);
  } catch (e) {
    if (e === TOO_LARGE) throw e;
    return thrownMarker(e); // a Proxy trap or a Map method threw
  } finally {
    path.pop();
  }
}

/** @param {any} v @param {number} depth @returns {unknown} */
function copyObject(v, depth) {
  if (Array.isArray(v)) {
    const n = v.length;
    const out = new Array(n);
    for (let i = 0; i < n; i++) {
      let x;
      try {
        x = v[i];
      } catch (e) {
        out[i] = thrownMarker(e);
        continue;
      }
      const c = copyValue(x, String(i), depth + 1);
      out[i] = c === undefined ? null : c;
    }
    return out;
  }
  const proto = Object.getPrototypeOf(v);
  // toString tag, not only instanceof: Maps from a frame's realm count too.
  if (v instanceof Map ||
      (proto !== Object.prototype && Object.prototype.toString.call(v) === "[object Map]")) {
    const entries = [];
    for (const [k, x] of Map.prototype.entries.call(v)) {
      entries.push([copyValue(k, "", depth + 1), copyValue(x, "", depth + 1)]);
    }
    return { "$pyapm:map": entries };
  }
  /** @type {Record<string, unknown>} */
  const out = {};
  const keys = Object.keys(v);
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i];
    const name = k.charCodeAt(0) === 36 && k.startsWith(MARKER) ? MARKER + k : k;
    let x;
    try {
      x = v[k];
    } catch (e) {
      own(out, name, thrownMarker(e));
      continue;
    }
    const c = copyValue(x, k, depth + 1);
    if (c === undefined) continue;
    spend(k.length + 4);
    if (name === "__proto__") own(out, name, c);
    else out[name] = c;
  }
  return out;
}

/** @param {unknown} value @param {number} size */
function encodeArg(value, size) {
  budget = size;
  path.length = 0;
  try {
    return copyValue(value, "", 0);
  } catch (e) {
    if (e === TOO_LARGE) return opaque("too-large");
    throw e;
  }
}

/** @param {string} method @param {unknown[]} args */
export function encodeArgs(method, args) {
  const size = CONFIG_MEMBERS.has(method) ? MAX_CONFIG_SIZE : MAX_SIZE;
  const out = new Array(args.length);
  for (let i = 0; i < args.length; i++) {
    const c = encodeArg(args[i], size);
    out[i] = c === undefined ? null : c;
  }
  return JSON.stringify(out);
}
