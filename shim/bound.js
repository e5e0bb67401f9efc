// Faces bound to a workspace tab: `Microsoft.Apm`, `Microsoft.AppRuntime`, `Xrm.App.sessions`
// and every session, tab or context object (or Promise of one) they return, each member run as
// that tab's call (`callAs`): what a tab's frame reaches, through its own `Microsoft` when it
// loads shim.js, else through its hooked `parent` (frames.js). No stack is read.
import { Apm } from "./faces/apm.js";
import { AppRuntime } from "./faces/runtime.js";
import { XrmSessions } from "./faces/xrm.js";
import { takePending } from "./frames.js";
import { callAs } from "./wire.js";

/** @type {Map<string, WeakMap<object, object>>} */
const boundObjects = new Map(); // tab id -> (the page's object -> its bound twin)

/** @param {string} tab */
function twinsOf(tab) {
  let twins = boundObjects.get(tab);
  if (twins === undefined) {
    twins = new WeakMap();
    boundObjects.set(tab, twins);
  }
  return twins;
}

/**
 * `value` as tab `tab` sees it: an object with methods or accessors gets its bound twin (made
 * once per object and tab), a Promise resolves to the bound value; data is handed as it is.
 * @param {string} tab @param {any} value @returns {any}
 */
export function bindValue(tab, value) {
  if (value === null || typeof value !== "object") return value;
  if (value instanceof Promise) return value.then((v) => bindValue(tab, v));
  if (Array.isArray(value)) return value;
  const twins = twinsOf(tab);
  let twin = twins.get(value);
  if (twin === undefined) {
    twin = twinOf(tab, value, twins);
    twins.set(value, twin);
  }
  return twin;
}

/**
 * A twin with the same own properties, in the same order and with the same flags: methods and
 * accessors run as the tab's call and bind what they return; objects are bound; other data is
 * shared. An object without methods or accessors (parameters, plain data) is its own twin.
 * @param {string} tab @param {object} target @param {WeakMap<object, object>} twins
 */
function twinOf(tab, target, twins) {
  const keys = Reflect.ownKeys(target);
  const own = keys.map((k) => /** @type {PropertyDescriptor} */ (Reflect.getOwnPropertyDescriptor(target, k)));
  if (!own.some((d) => d.get || d.set || typeof d.value === "function" || (d.value !== null && typeof d.value === "object"))) {
    return target;
  }
  const twin = {};
  twins.set(target, twin); // (before its members: an object reachable from itself)
  /** @type {PropertyDescriptorMap} */
  const out = {};
  keys.forEach((key, i) => {
    const d = own[i];
    const flags = { enumerable: d.enumerable, configurable: d.configurable };
    if (d.get || d.set) {
      const { get, set } = d;
      out[/** @type {string} */ (key)] = {
        ...flags,
        get: get && function () { return bindValue(tab, callAs(tab, get, target, [])); },
        set: set && function (/** @type {unknown} */ v) { callAs(tab, set, target, [v]); },
      };
    } else if (typeof d.value === "function") {
      out[/** @type {string} */ (key)] = { ...flags, writable: d.writable, value: boundMethod(tab, d.value, target) };
    } else {
      out[/** @type {string} */ (key)] = { ...flags, writable: d.writable, value: bindValue(tab, d.value) };
    }
  });
  Object.defineProperties(twin, out);
  return twin;
}

/** @param {string} tab @param {Function} fn @param {object} target */
function boundMethod(tab, fn, target) {
  const bound = function (/** @type {unknown[]} */ ...args) { return bindValue(tab, callAs(tab, fn, target, args)); };
  Object.defineProperty(bound, "name", { value: fn.name });
  Object.defineProperty(bound, "length", { value: fn.length });
  return bound;
}

// ---- The top's `Microsoft` and `Xrm` -------------------------------------------------------
/** @type {Map<string, {page: any, apm: unknown, runtime: unknown, bound: any}>} */
const microsofts = new Map(); // tab id -> its `Microsoft` and what it was made from
/** @type {Map<string, {page: any, app: unknown, bound: any}>} */
const xrms = new Map(); // tab id -> its `Xrm` and what it was made from

/**
 * Forgets what was bound for tab `tab` (its tab closed), or for every tab (PyApm.reset): a run
 * that opens and closes web-resource tabs keeps nothing per closed tab; what a frame still
 * holds keeps working.
 * @param {string} [tab]
 */
export function forgetBound(tab) {
  for (const map of [boundObjects, microsofts, xrms]) {
    if (tab === undefined) map.clear();
    else map.delete(tab);
  }
}

/**
 * The page's `Microsoft` (`page`) as tab `tab` sees it: its own `Apm` and `AppRuntime` bound
 * (unless the page replaced them), everything else read through from the page's object.
 * @param {string} tab @param {any} page
 */
export function microsoftFor(tab, page) {
  if (page === null || typeof page !== "object") return page;
  const apm = page.Apm, runtime = page.AppRuntime;
  const known = microsofts.get(tab);
  if (known !== undefined && known.page === page && known.apm === apm && known.runtime === runtime) return known.bound;
  /** @type {PropertyDescriptorMap} */
  const own = {};
  const flags = { enumerable: true, configurable: true, writable: true };
  if (apm === Apm) own.Apm = { ...flags, value: bindValue(tab, Apm) };
  if (runtime === AppRuntime) own.AppRuntime = { ...flags, value: bindValue(tab, AppRuntime) };
  const bound = Object.create(page, own);
  microsofts.set(tab, { page, apm, runtime, bound });
  return bound;
}

/**
 * The page's `Xrm` (`page`) as tab `tab` sees it: `App.sessions` bound (when it is py-apm's),
 * everything else read through from the page's objects.
 * @param {string} tab @param {any} page
 */
export function xrmFor(tab, page) {
  if (page === null || typeof page !== "object") return page;
  const app = page.App;
  if (app === null || typeof app !== "object" || app.sessions !== XrmSessions) return page;
  const known = xrms.get(tab);
  if (known !== undefined && known.page === page && known.app === app) return known.bound;
  const flags = { enumerable: true, configurable: true, writable: true };
  const boundApp = Object.create(app, { sessions: { ...flags, value: bindValue(tab, XrmSessions) } });
  const bound = Object.create(page, { App: { ...flags, value: boundApp } });
  xrms.set(tab, { page, app, bound });
  return bound;
}

/** Bound `Xrm.App.sessions` of tab `tab` (a frame that loads shim.js). @param {string} tab */
export function sessionsFor(tab) {
  return bindValue(tab, XrmSessions);
}

/** What the top's `Xrm` getter hands out: the page's, or a hooked frame's bound twin. @param {any} page */
export function xrmRead(page) {
  const tab = takePending();
  return tab === null ? page : xrmFor(tab, page);
}

/** @type {any} */
let pageMicrosoft = null; // the page's own `Microsoft` (the top's accessor holds it)

/**
 * Makes `target.Microsoft` an accessor (same flags as a plain property): the page's object,
 * or, read by a hooked tab frame through `parent`, that tab's bound twin.
 * @param {any} target
 */
export function installMicrosoft(target) {
  pageMicrosoft = target.Microsoft;
  Object.defineProperty(target, "Microsoft", {
    configurable: true,
    enumerable: true,
    get() {
      const tab = takePending();
      return tab === null ? pageMicrosoft : microsoftFor(tab, pageMicrosoft);
    },
    set(value) { pageMicrosoft = value; },
  });
}

/** Tab `tab`'s `Microsoft` (a frame that loads shim.js: PyApm.__forFrame). @param {string} tab */
export function forFrame(tab) {
  return microsoftFor(tab, pageMicrosoft);
}
