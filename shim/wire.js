// The wire: the one way into Python (member codes, the call, its result or error), the change
// payloads Python sends back, and the return contracts (design.md sections 2-3).
import { apmError } from "./errors.js";
import { encodeArgs, isPrimitive, promiseArgument } from "./encode.js";
import { callingTab, framesUnhooked } from "./frames.js";
import { win } from "./win.js";

// ---- State --------------------------------------------------------------------------------
const ERR = "$pyapmError";
/** @typedef {(code: number, ...args: unknown[]) => any} PyCall */
/** @type {PyCall | null} */
let callFn = null; // the two long-lived proxies: entry.call / entry.call_encoded
/** @typedef {(code: number, json: string) => any} EncodedCall */
/** @type {EncodedCall | null} */
let encodedFn = null;
/** @type {(() => unknown) | null} */
let optionsFn = null; // entry.options (read after reset)
/** @type {Function | null} */
let PyProxyClass = null;
/** @type {any} */
let runtime = null; // the pyodide handle: only for the live-proxy count (PyApm.__proxyTracing)
/** @type {Error | null} */
let bootError = null;
/** @type {string | null} */
let fatalError = null; // set when the Python runtime reported a fatal error: it is gone
// The return contract (decisions 1 and 2): "runtime" (actions return Promises) or
// "documented" (every member synchronous). Learnt from configure/reset results.
let returns = "runtime";
/** @typedef {{revision: number, reset: boolean, items: any[]}} RawPayload */
/** @type {RawPayload[]} */
let pending = []; // listener payloads waiting to be dispatched after the current call
let dispatching = false;
export /** @type {Record<string, number>} */
const CODE = Object.create(null); // bridge member name -> code (numbers cross cheaper)
// Bumped by every change payload. Every change of the workspace sends one (revision or output),
// so a property read (title, canClose, isDefault: unlogged, side-effect free) answered in the
// same epoch is still true and is served without crossing into Python again.
let epoch = 0;

// ---- Errors -------------------------------------------------------------------------------
/** @param {string} label */
export function notReady(label) {
  if (fatalError) {
    return apmError(500, `${label}: the Python runtime stopped after a fatal error ` +
      `(${fatalError}); reload the page to start py-apm again`);
  }
  if (bootError) {
    return apmError(412, `${label}: py-apm failed to start (${bootError.message}); see PyApm.ready`);
  }
  return apmError(412, `${label}: py-apm is still loading; await PyApm.ready before calling it. ` +
    "Code that calls Microsoft.Apm while the page loads runs unchanged as a web-resource tab " +
    "of a ready workspace: `py-apm serve --open page.html`, or in pytest the " +
    "apm_open_webresource fixture");
}

// Pyodide cannot be used after a fatal error (its proxies answer undefined): stop calling in,
// so every later call throws one clear error instead.
/** @param {any} e */
export function markFatal(e) {
  if (fatalError) return;
  let text = "unknown cause";
  try {
    text = String((e && e.message) || e).split("\n")[0].slice(0, 200) || text;
  } catch (_) { /* keep the default */ }
  fatalError = text;
  callFn = null;
  encodedFn = null;
  optionsFn = null;
  if (onFatal !== null) onFatal();
}

/** @param {string} method @param {any} e @returns {Error} */
export function internalError(method, e) {
  if (e && e.pyodide_fatal_error) {
    markFatal(e);
    return notReady(method);
  }
  if (win.PyApm && win.PyApm.debug) console.error("[py-apm] internal error in", method, e);
  if (e && typeof e.errorCode === "number" && !(e.type && e.name === "PythonError")) return e;
  let text = "";
  try {
    // PythonError: the traceback's last line ("Type: message"); other errors: the first line.
    const lines = String((e && e.message) || e).trim().split("\n").filter((l) => l.trim());
    text = (e && e.type ? lines[lines.length - 1] : lines[0] || "").trim().slice(0, 300);
    if (e && e.type && !text.startsWith(e.type)) text = `${e.type}: ${text}`;
    else if (!(e && e.type) && e && e.name && !text.startsWith(e.name)) text = `${e.name}: ${text}`;
  } catch (_) {
    text = "unknown error";
  }
  return apmError(500, `py-apm internal error in ${method}: ${text}`);
}

// ---- Connecting (boot) and hooks (index.js) -----------------------------------------------
/**
 * What the boot hands over once Python is ready: the long-lived proxies of py_apm.bridge.entry,
 * Pyodide's PyProxy class and the Pyodide handle.
 * @param {{call: PyCall, encoded: EncodedCall, options: () => unknown}} fns
 * @param {Function} proxyClass
 * @param {any} pyodide
 */
export function connect(fns, proxyClass, pyodide) {
  PyProxyClass = proxyClass;
  runtime = pyodide;
  callFn = fns.call;
  encodedFn = fns.encoded;
  optionsFn = fns.options;
}

/** The boot failed: every call throws a 412 naming `cause` from now on. @param {Error} cause */
export function bootFailed(cause) {
  callFn = null;
  encodedFn = null;
  optionsFn = null;
  bootError = cause;
}

/** Is Python ready to be called? */
export function connected() {
  return callFn !== null;
}

/** The Pyodide handle once booted (test hooks only), else null. */
export function pyodideHandle() {
  return runtime;
}

/** Is `value` a Pyodide proxy? @param {unknown} value */
export function isPyProxy(value) {
  return PyProxyClass !== null && value instanceof PyProxyClass;
}

/** @typedef {{revision: number, reset: boolean, events: Array<{name: string, topic: string, data: Record<string, unknown>}>, notices: string[], warnings: string[]}} ChangePayload */

/** @type {(payload: ChangePayload) => void} */
let dispatcher = () => {};
/** @type {null | (() => void)} */
let onFatal = null;

/**
 * Set by the installer: who receives the decoded change payloads, and what marks the control
 * object not ready after a fatal error.
 * @param {(payload: ChangePayload) => void} dispatch
 * @param {() => void} fatal
 */
export function attach(dispatch, fatal) {
  dispatcher = dispatch;
  onFatal = fatal;
}

// ---- The one way into Python --------------------------------------------------------------
// label: what the user called (for 412 messages); method: bridge method; args: an array.
/** @param {string} label @param {string} method @param {unknown[]} args @returns {any} */
export function invoke(label, method, args) {
  if (callFn === null) throw notReady(label);
  if (caller === null && framesUnhooked !== 0) { // an unhooked tab frame through parent? (frames.js)
    const tab = callingTab(method);
    if (tab !== null) return callAs(tab, invoke, undefined, [label, method, args]);
  }
  let r;
  try {
    let simple = true;
    for (let i = 0; i < args.length; i++) {
      if (!isPrimitive(args[i])) {
        simple = false;
        break;
      }
    }
    const code = CODE[method];
    if (pyCaller !== caller) syncCaller();
    if (simple) {
      switch (args.length) {
        case 0: r = callFn(code); break;
        case 1: r = callFn(code, args[0]); break;
        case 2: r = callFn(code, args[0], args[1]); break;
        default: r = callFn(code, ...args);
      }
    } else {
      const promise = promiseArgument(label, method, args);
      if (promise) throw promise;
      r = /** @type {EncodedCall} */ (encodedFn)(code, encodeArgs(method, args));
    }
  } catch (e) {
    flush();
    throw internalError(method, e);
  }
  if (method === "pyapm.reset") pyCaller = null; // a fresh call log: no caller
  if (pending.length) flush();
  return unwrap(method, r);
}

// Hot paths: no array, no JSON.
/** @param {string} label @param {string} method @param {unknown} a @returns {any} */
export function invoke1(label, method, a) {
  if (callFn === null) throw notReady(label);
  if (!isPrimitive(a)) return invoke(label, method, [a]);
  if (caller === null && framesUnhooked !== 0) {
    const tab = callingTab(method);
    if (tab !== null) return callAs(tab, invoke1, undefined, [label, method, a]);
  }
  return call1(label, method, a, true);
}

// One primitive argument into Python. `tagged`: the model's caller is brought up to date
// first; an unlogged read (a member declared with log="none": its result does not depend on
// who calls) skips that, whatever the model's caller is.
/** @param {string} label @param {string} method @param {unknown} a @param {boolean} tagged @returns {any} */
function call1(label, method, a, tagged) {
  if (callFn === null) throw notReady(label);
  let r;
  try {
    if (tagged && pyCaller !== caller) syncCaller();
    r = callFn(CODE[method], a);
  } catch (e) {
    flush();
    throw internalError(method, e);
  }
  if (pending.length) flush();
  return unwrap(method, r);
}

/** @param {string} method @param {any} r */
function unwrap(method, r) {
  if (r !== null && typeof r === "object") {
    if (r[ERR] === true) throw apmError(r.errorCode, r.message);
    if (PyProxyClass !== null && r instanceof PyProxyClass) {
      try { /** @type {any} */ (r).destroy(); } catch (_) { /* already gone */ }
      throw apmError(500, `py-apm internal error in ${method}: a Python object leaked into JS`);
    }
  }
  return r;
}

// ---- Change payloads: events, warnings, page listeners -------------------------------------
// Called by Python inside a call; dispatched once the call returned. The payload comes flat
// (py_apm/bridge/entry.py payload_items): revision, reset, then tagged items.
/** @param {number} revision @param {boolean} reset @param {...any} items */
export function onPayload(revision, reset, ...items) {
  epoch++;
  pending.push({ revision, reset, items });
}

// A getter for an unlogged property read, cached until the next change payload.
/** @param {string} label @param {string} method @param {unknown} id */
export function cachedGetter(label, method, id) {
  let at = -1;
  /** @type {unknown} */
  let value;
  return () => {
    if (at === epoch) return value;
    const v = isPrimitive(id) ? call1(label, method, id, false) : invoke1(label, method, id);
    value = v;
    at = epoch;
    return v;
  };
}

/** @param {RawPayload} raw @returns {ChangePayload} */
function decodePayload({ revision, reset, items }) {
  /** @type {ChangePayload} */
  const p = { revision, reset, events: [], notices: [], warnings: [] };
  for (let i = 0; i < items.length;) {
    const kind = items[i++];
    if (kind === "e") {
      const name = items[i++], topic = items[i++], n = items[i++];
      /** @type {Record<string, unknown>} */
      const data = {};
      for (let k = 0; k < n; k++, i += 2) data[items[i]] = items[i + 1] === undefined ? null : items[i + 1];
      p.events.push({ name, topic, data });
    } else if (kind === "n") {
      p.notices.push(items[i++]);
    } else if (kind === "w") {
      p.warnings.push(items[i++]);
    } else {
      break; // unknown item: a shim/package mismatch; drop the rest rather than misread it
    }
  }
  return p;
}

// Payloads go out in revision order: a listener that calls the API queues the new payload
// behind the one being dispatched instead of dispatching it in the middle.
export function flush() {
  if (dispatching) return;
  dispatching = true;
  // A listener's own calls are tagged with whoever made them, not with this call's frame.
  const tagged = caller;
  if (tagged !== null) setCaller(null);
  try {
    while (pending.length) {
      const batch = pending;
      pending = [];
      for (const raw of batch) dispatcher(decodePayload(raw));
    }
  } finally {
    dispatching = false;
    if (tagged !== null) setCaller(tagged);
  }
}

// ---- Return contracts (decisions 1, 2, 25) -------------------------------------------------
// The change is applied synchronously by `run` in every contract; only the way the result
// (or the failure) reaches the caller differs.
/** @param {() => unknown} fn @returns {Promise<any>} */
export function promised(fn) {
  try {
    return Promise.resolve(fn());
  } catch (e) {
    return Promise.reject(e);
  }
}

export /** @returns {undefined} */
const toUndefined = () => undefined;

// An action of Microsoft.Apm or its session/tab objects: under the runtime contract a Promise
// of `runtimeValue(result)` that rejects on failure; under `returns: "documented"` the
// synchronous `documentedValue(result)`, failures thrown. Before ready: 412, thrown.
/** @param {string} label @param {() => any} run @param {(value: any) => any} runtimeValue @param {(value: any) => any} documentedValue */
export function action(label, run, runtimeValue, documentedValue) {
  if (callFn === null) throw notReady(label);
  if (returns === "documented") return documentedValue(run());
  return promised(() => runtimeValue(run()));
}

// Always a Promise (getContext, getAllTabsForTemplate, every action of the AppRuntime and Xrm
// faces, whose typings say so), whatever the contract.
/** @param {string} label @param {() => any} run */
export function always(label, run) {
  if (callFn === null) throw notReady(label);
  return promised(run);
}

/** @param {any} opts */
export function learnOptions(opts) {
  if (opts && typeof opts === "object" && (opts.returns === "runtime" || opts.returns === "documented")) {
    returns = opts.returns;
    return true;
  }
  return false;
}

export function readOptions() {
  if (optionsFn === null) return;
  try {
    learnOptions(optionsFn());
  } catch (_) { /* keep the last known mode */ }
}

// ---- The calling tab (the timeline's "frame", warning APM-W002) ---------------------------
// A frame's calls run with the model's caller set to the tab hosting the frame. The model's
// caller is only changed when a call needs another one than the last call had: a frame's calls
// in a row cost no extra crossing, a switch between the page and a frame one. A tab's frame
// reaches faces bound to its tab (bound.js: its own `Microsoft` when it loads shim.js, else
// through its hooked `parent`); an unhooked one is found from the call stack (frames.js).
/** @type {string | null} */
let caller = null; // the tab whose frame makes the current call
/** @type {string | null} */
let pyCaller = null; // the caller the model's call log holds

function syncCaller() {
  pyCaller = caller;
  /** @type {PyCall} */ (callFn)(CODE["pyapm.setCaller"], caller);
}

/** The calls made from now on are the frame of tab `tabId`'s (null: the page's). @param {string | null} tabId */
export function setCaller(tabId) {
  caller = tabId;
}

/** `fn.apply(self, args)` as tab `tabId`'s call (a bound face's member, or a call whose tab the
 * stack told: no closure).
 * @param {string} tabId @param {Function} fn @param {unknown} self @param {ArrayLike<unknown>} args */
export function callAs(tabId, fn, self, args) {
  const outer = caller;
  caller = tabId;
  try {
    return Reflect.apply(fn, self, args);
  } finally {
    caller = outer;
  }
}
