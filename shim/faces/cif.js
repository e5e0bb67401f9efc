// The Microsoft.CIFramework (Channel Integration Framework 2.0) face: one object per channel
// provider over the `cif.*` bridge members (docs/design.md section 2, docs/cif.md).
//
// Every member returns a Promise except addHandler/removeHandler (undefined, or a rejected
// Promise on bad arguments). Python checks and answers; this module shapes what the provider
// gets (a Map for getSession, an Error with msdyn_name/errorCode/get()/toString() on failure),
// keeps the handler functions, settles pending notifyEvent Promises from the CIF_NOTIFICATION
// events and runs the notification countdowns. Provider frames on another origin reach the same
// faces through the postMessage protocol of cif_messages.js.

import { listenForProviders } from "./cif_messages.js";
import { CIF } from "./table.js";

/**
 * @typedef {object} CifDeps
 * @property {(label: string, method: string, args: unknown[]) => any} invoke  the one way into Python (throws an Error with errorCode)
 * @property {(e: unknown) => void} report  report an error thrown by a handler
 * @property {() => Promise<unknown>} ready  resolves once the workspace can answer
 * @property {() => boolean} isReady
 * @property {() => number} timeoutMs  cifTimeoutMs
 * @property {() => number} pageWidth  the workspace page's width (setWidth's "half the screen")
 */

/** @typedef {import("./table.js").Row} Row */

/** The CIF table's rows by JS name. @type {Map<string, Row>} */
const ROWS = new Map(CIF.framework.members.map((row) => [row.name, row]));

/**
 * A CIF error (CIF-D3): an Error whose message is the library's text, with errorCode,
 * msdyn_name, get(key) like the library's Map, and toString() giving the JSON text.
 * @param {string} api
 * @param {number} code
 * @param {string} message
 */
export function cifError(api, code, message) {
  const name = ROWS.get(api)?.errorName || api;
  const e = new Error(message);
  Object.defineProperties(e, {
    errorCode: { value: code, enumerable: true, writable: true, configurable: true },
    msdyn_name: { value: name, enumerable: true, writable: true, configurable: true },
    get: { value: (/** @type {string} */ key) => (key === "message" ? message : key === "msdyn_name" ? name : undefined) },
    toString: { value: () => JSON.stringify({ message, msdyn_name: name }) },
  });
  return e;
}

/** @param {Record<string, unknown>} data */
function sessionMap(data) {
  const m = new Map();
  m.set("sessionId", data.sessionId).set("focused", data.focused);
  if ("context" in data) m.set("context", data.context);
  m.set("conversationId", data.conversationId);
  for (const [k, v] of m) Object.defineProperty(m, k, { value: v, enumerable: true });
  Object.defineProperty(m, "isFocused", { value: data.focused, enumerable: true });
  return m;
}

/**
 * The CIF machinery of one workspace window.
 * @param {CifDeps} deps
 */
export function createCif(deps) {
  /** @type {Map<string, Map<string, Function[]>>} provider -> event name -> handlers */
  const handlers = new Map();
  /** @type {Map<string, {resolve: (v: string) => void, timer: any}>} notification id -> pending */
  const pending = new Map();
  /** @type {Map<string, object>} provider -> face */
  const faces = new Map();
  /** @type {Promise<unknown>} calls made before ready, answered in order */
  let queue = Promise.resolve();
  /** @type {(() => void)[]} deliveries waiting for a later task (kept in order behind one) */
  const waiting = [];

  function drain() {
    while (waiting.length) {
      const deliver = /** @type {() => void} */ (waiting[0]);
      deliver();
      waiting.shift();
    }
  }

  /** @param {string} api @param {() => unknown} run */
  function settle(api, run) {
    const go = () => {
      try {
        return Promise.resolve(run());
      } catch (e) {
        const err = /** @type {any} */ (e);
        return Promise.reject(cifError(api, typeof err.errorCode === "number" ? err.errorCode : 500, String(err.message)));
      }
    };
    if (deps.isReady()) return go();
    // Before the workspace is ready: queued, answered in order, or timed out (CIF-D20).
    const answer = queue.then(() => deps.ready()).then(go);
    queue = answer.catch(() => undefined);
    if (ROWS.get(api)?.waits) return answer;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(cifError(api, 408, "Timeout occurred as no response was received from listener window")), deps.timeoutMs());
      answer.then((v) => { clearTimeout(timer); resolve(v); }, (e) => { clearTimeout(timer); reject(e); });
    });
  }

  /** @param {string} provider @param {string} api @param {unknown[]} args */
  function call(provider, api, args) {
    const { bridge: method, arity = 0, result: shape } = /** @type {Row} */ (ROWS.get(api));
    const given = args.slice(0, arity);
    while (given.length < arity) given.push(undefined);
    if (api === "setWidth") given.push(deps.pageWidth());
    return settle(api, () => {
      const r = deps.invoke(`Microsoft.CIFramework.${api}`, /** @type {string} */ (method), [provider, ...given]);
      if (shape === "null") return null;
      if (shape === "map") return sessionMap(r);
      if (shape === "notification") return notification(api, r);
      return r === undefined ? null : r;
    });
  }

  /** @param {string} api @param {{id?: string, timeout?: number, response?: string}} r */
  function notification(api, r) {
    if (r.response !== undefined) return r.response;
    const id = /** @type {string} */ (r.id);
    return new Promise((resolve) => {
      const seconds = r.timeout || 0;
      const timer = seconds > 0 ? setTimeout(() => {
        if (!pending.has(id)) return;
        try {
          deps.invoke("PyApm.ui.respondToNotification", "ui.respondToNotification", [id, "Timeout"]);
        } catch (e) {
          deps.report(e);
        }
      }, seconds * 1000) : null;
      pending.set(id, { resolve, timer });
    });
  }

  /** @param {string} provider @param {string} api @param {unknown} name @param {unknown} fn */
  function handlerArgs(provider, api, name, fn) {
    if (typeof name !== "string" || name === "") {
      const text = api === "addHandler"
        ? "The parameter EventName is blank. Provide a value to the parameter."
        : "The EventName parameter is blank. Provide a value to the parameter.";
      return cifError(api, 400, text);
    }
    if (typeof fn !== "function") {
      return cifError(api, 400, `Passing data parameters to ${api} is mandatory.`);
    }
    return null;
  }

  /** @param {string} provider */
  function face(provider) {
    let f = faces.get(provider);
    if (f) return f;
    /** @type {Record<string, Function>} */
    const obj = {};
    for (const { name: api, kind, why } of ROWS.values()) {
      if (kind === "call") {
        obj[api] = { [api](/** @type {unknown[]} */ ...args) { return call(provider, api, args); } }[api];
      } else if (kind === "refused") {
        obj[api] = { [api]() { return Promise.reject(cifError(api, 501, `Microsoft.CIFramework.${api} is not emulated by py-apm: ${why}`)); } }[api];
      }
    }
    obj.addHandler = function addHandler(/** @type {unknown} */ name, /** @type {unknown} */ fn) {
      const bad = handlerArgs(provider, "addHandler", name, fn);
      if (bad) return Promise.reject(bad);
      const byName = handlers.get(provider) || new Map();
      handlers.set(provider, byName);
      const list = byName.get(/** @type {string} */ (name)) || [];
      byName.set(/** @type {string} */ (name), list);
      list.push(/** @type {Function} */ (fn));
      const log = () => deps.invoke("Microsoft.CIFramework.addHandler", "cif.addHandler", [provider, name]);
      if (deps.isReady()) {
        try { log(); } catch (e) { deps.report(e); }
      } else {
        deps.ready().then(log).catch(deps.report);
      }
      return undefined;
    };
    obj.removeHandler = function removeHandler(/** @type {unknown} */ name, /** @type {unknown} */ fn) {
      const bad = handlerArgs(provider, "removeHandler", name, fn);
      if (bad) return Promise.reject(bad);
      const list = handlers.get(provider)?.get(/** @type {string} */ (name));
      const handler = /** @type {Function} */ (fn); // handlerArgs checked it
      if (list && list.includes(handler)) list.splice(list.indexOf(handler), 1);
      // Logged like addHandler, so the timeline shows both.
      const log = () => deps.invoke("Microsoft.CIFramework.removeHandler", "cif.removeHandler", [provider, name]);
      if (deps.isReady()) {
        try { log(); } catch (e) { deps.report(e); }
      }
      return undefined;
    };
    f = Object.freeze(obj);
    faces.set(provider, f);
    return f;
  }

  /** @param {string} provider @param {string} name @param {string} payload */
  function run(provider, name, payload) {
    const list = handlers.get(provider)?.get(name);
    for (const fn of list ? list.slice() : []) {
      try {
        const r = fn(payload);
        if (r && typeof r.then === "function") r.then(undefined, deps.report);
      } catch (e) {
        deps.report(e);
      }
    }
  }

  /**
   * Deliver the CIF events of one change payload: each to its provider (or, for "*", to every
   * provider with handlers); an event flagged `later` (createSession's focus) in a later task.
   * @param {{events?: {name: string, data: Record<string, any>}[]}} p
   */
  function onPayload(p) {
    for (const ev of p.events || []) {
      if (ev.name === "CIF_NOTIFICATION") {
        const answered = pending.get(ev.data.id);
        if (answered) {
          pending.delete(ev.data.id);
          if (answered.timer !== null) clearTimeout(answered.timer);
          answered.resolve(ev.data.response);
        }
      } else if (ev.name === "CIF_EVENT") {
        const { provider, name, payload } = ev.data;
        const targets = provider === "*" ? Array.from(handlers.keys()) : [provider];
        const deliver = () => { for (const t of targets) run(t, name, payload); };
        if (ev.data.later || waiting.length) {
          // createSession's focus comes after the call resolved; what follows stays behind it
          if (!waiting.length) setTimeout(drain, 0);
          waiting.push(deliver);
        } else {
          deliver();
        }
      }
    }
  }

  /**
   * After PyApm.reset(): the page's own handlers go (as after a reload); the provider frames
   * stay loaded and keep theirs. Pending notifications are gone from the workspace.
   * @param {string} provider
   */
  function reset(provider) {
    handlers.delete(provider);
    for (const { timer } of pending.values()) if (timer !== null) clearTimeout(timer);
    pending.clear();
  }

  return { face, onPayload, reset };
}

/**
 * Installs the CIF on a window: `Microsoft.CIFramework` (the page itself is provider
 * "default"), and on PyApm `notifications()`, `cif()`, the CIF clicks under `ui`, and
 * `__cif(windowOrProviderName)` which msdyn_ciLibrary.js calls to bind a provider's frame.
 * @param {any} target the window
 * @param {any} PyApm the control object
 * @param {{invoke: CifDeps["invoke"], report: CifDeps["report"], listeners: Map<Function, unknown>}} wire
 */
export function installCif(target, PyApm, { invoke, report, listeners }) {
  let timeoutMs = 100000; // cifTimeoutMs as last read in this window
  const cif = createCif({
    invoke,
    report,
    ready: () => PyApm.ready,
    isReady: () => PyApm.isReady,
    timeoutMs: () => timeoutMs,
    pageWidth: () => target.innerWidth,
  });
  listeners.set(cif.onPayload, null); // the CIF events of every change payload
  const P = (/** @type {string} */ m) => `PyApm.${m}`;
  const reset = PyApm.reset;
  PyApm.reset = function (/** @type {unknown[]} */ ...args) {
    cif.reset("default");
    return reset.apply(this, args);
  };
  PyApm.notifications = () => invoke(P("notifications"), "pyapm.notifications", []);
  PyApm.cif = () => {
    const r = invoke(P("cif"), "pyapm.cif", []);
    timeoutMs = r.timeoutMs;
    return r;
  };
  /** The CIF clicks of `PyApm.ui`: JS name -> bridge member. */
  const clicks = {
    respondToNotification: "ui.respondToNotification",
    setPanelMode: "ui.setPanelMode",
    setPanelWidth: "ui.setPanelWidth",
    showProvider: "ui.showProvider",
    setPresence: "ui.setPresence",
    clickToAct: "ui.clickToAct",
  };
  for (const [name, bridge] of Object.entries(clicks)) {
    PyApm.ui[name] = { [name](/** @type {unknown[]} */ ...args) { return invoke(P(bridge), bridge, args); } }[name];
  }
  Object.defineProperty(PyApm, "__cif", { value: (/** @type {any} */ who) => cif.face(providerOf(target, who)) });
  target.Microsoft.CIFramework = cif.face("default");
  listenForProviders(target, {
    face: cif.face,
    providerOf: (who) => providerOf(target, who),
    providers: () => invoke(P("cif"), "pyapm.cif", []).providers,
    ready: () => PyApm.ready,
    isReady: () => PyApm.isReady,
    report,
  });
}

/**
 * The provider a window calls as: "default" for the workspace window itself, the provider of
 * the panel frame holding it, else "" (refused: "Associated Provider record not found"). A
 * string is a provider's name (tests).
 * @param {any} top the workspace window
 * @param {any} who a window or a provider name
 */
function providerOf(top, who) {
  if (typeof who === "string") return who;
  if (who === top) return "default";
  let child = who;
  try {
    while (child && child.parent !== top && child.parent !== child) child = child.parent;
  } catch (_) {
    return "";
  }
  for (const frame of top.document.querySelectorAll('iframe[data-testid="provider-frame"]')) {
    if (frame.contentWindow === child) return frame.getAttribute("data-provider") || "";
  }
  return "";
}
