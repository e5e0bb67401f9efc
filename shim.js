/*
 * py-apm shim: an offline emulator of the Dynamics 365 `Microsoft.Apm` JavaScript API.
 *
 *   <script src="/shim.js"></script>
 *   <script>PyApm.ready.then(() => Microsoft.Apm.getFocusedSession().title);</script>
 *
 * Installs `window.Microsoft.Apm` and `window.PyApm` at once, boots Pyodide from a local copy
 * (never a CDN), installs the `py_apm` package from `py_apm.zip` and forwards every call to it.
 * Script tag attributes (all optional, relative to the page):
 *   data-pyodide  Pyodide base URL      (default: <dir of shim.js>/pyodide/)
 *   data-package  zipped py_apm URL     (default: <dir of shim.js>/py_apm.zip)
 *   data-config   JSON passed to PyApm.configure before PyApm.ready resolves
 *   data-config-optional   (no value) a data-config answering 404 means "no configuration"
 *   data-snapshot Pyodide memory snapshot URL, or "off" (default: <dir of shim.js>/py_apm.snapshot
 *                 unless data-package is set). Booting from it is ~4x faster; when it is missing
 *                 (404) or built for another Pyodide, the shim boots normally.
 * Contract with Python: docs/design.md sections 2-3; behaviour rules: decisions.md.
 */
(function () {
  "use strict";

  const win = window;
  if (win.PyApm && win.PyApm.__pyApmShim) return; // loaded twice in one window: keep the first

  // ---- Frames (decision 21): a same-origin frame binds to the top window's emulator. -------
  let top = null;
  try {
    if (win.top && win.top !== win && win.top.PyApm && win.top.PyApm.__pyApmShim) top = win.top;
  } catch (_) {
    top = null; // cross-origin top: reading it throws; boot our own emulator
  }
  if (top) {
    win.Microsoft = top.Microsoft;
    win.PyApm = top.PyApm;
    return;
  }

  const script = document.currentScript ||
    document.querySelector('script[src$="shim.js"], script[src*="shim.js?"]');
  const shimURL = (script && script.src) || document.baseURI;
  const attr = (name) => (script && script.getAttribute(name)) || null;
  const resolve = (value, fallback) => new URL(value || fallback, value ? document.baseURI : shimURL).href;
  const settings = {
    pyodideURL: withSlash(resolve(attr("data-pyodide"), "pyodide/")),
    packageURL: resolve(attr("data-package"), "py_apm.zip"),
    configURL: attr("data-config") ? resolve(attr("data-config")) : null,
    configOptional: !!(script && script.hasAttribute("data-config-optional")),
    snapshotURL: snapshotSetting(attr("data-snapshot"), attr("data-package")),
  };

  function snapshotSetting(value, packageAttr) {
    if (value === null) return packageAttr ? null : resolve(null, "py_apm.snapshot");
    return ["", "off", "none", "false"].includes(value.trim().toLowerCase()) ? null : resolve(value);
  }

  function withSlash(url) {
    return url.endsWith("/") ? url : url + "/";
  }

  // ---- State --------------------------------------------------------------------------------
  const ERR = "$pyapmError";
  let callFn = null; // the two long-lived proxies: entry.call / entry.call_encoded
  let encodedFn = null;
  let optionsFn = null; // entry.options (read after reset)
  let PyProxyClass = null;
  let runtime = null; // the pyodide handle: only for the live-proxy count (PyApm.__proxyTracing)
  let bootError = null;
  let legacy = false; // effective `legacyPromises`
  let pending = []; // listener payloads waiting to be dispatched after the current call
  const listeners = new Set();
  const CODE = Object.create(null); // bridge member name -> code (numbers cross cheaper)
  // Bumped by every change payload. Every change of the workspace sends one (revision or output),
  // so a property read (title, canClose, isDefault: unlogged, side-effect free) answered in the
  // same epoch is still true and is served without crossing into Python again.
  let epoch = 0;
  const channels = new Map();
  // Topics handed out by getEventPublisherTopic: only those can have subscribers (a topic is
  // unique to this workspace), so events on the others are not posted (postMessage is costly).
  const topics = new Set();
  const sessionCache = new Map();
  const tabCache = new Map();

  // ---- Errors -------------------------------------------------------------------------------
  function apmError(code, message) {
    const e = new Error(message);
    e.errorCode = code;
    return e;
  }

  function notReady(label) {
    if (bootError) {
      return apmError(412, `${label}: py-apm failed to start (${bootError.message}); see PyApm.ready`);
    }
    return apmError(412, `${label}: py-apm is still loading; await PyApm.ready before calling it`);
  }

  function internalError(method, e) {
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

  // ---- Argument encoding (design.md section 2) ----------------------------------------------
  function isPrimitive(v) {
    const t = typeof v;
    return t === "string" || t === "boolean" || t === "undefined" || v === null ||
      (t === "number" && Number.isFinite(v));
  }

  function replacer(_key, value) {
    switch (typeof value) {
      case "function":
        return { "$pyapm:js": "function" };
      case "symbol":
        return { "$pyapm:js": "symbol" };
      case "bigint":
        return { "$pyapm:js": "bigint" };
      case "number":
        if (Number.isNaN(value)) return { "$pyapm:js": "NaN" };
        if (value === Infinity) return { "$pyapm:js": "Infinity" };
        if (value === -Infinity) return { "$pyapm:js": "-Infinity" };
        return value;
      case "object":
        // toString tag, not instanceof: Maps from a frame's realm count too.
        if (value !== null && Object.prototype.toString.call(value) === "[object Map]") {
          return { "$pyapm:map": Array.from(value.entries()) };
        }
        return value;
      default:
        return value;
    }
  }

  // True when plain JSON.stringify gives what the replacer would: only plain objects and arrays
  // (of this realm, shallow) holding strings, booleans, finite numbers and null. Skipping the
  // replacer (a JS call per value) is the fast path for the usual object arguments.
  function isPlainData(v, depth) {
    if (v === null) return true;
    switch (typeof v) {
      case "string":
      case "boolean":
        return true;
      case "number":
        return Number.isFinite(v);
      case "object": {
        if (depth > 3) return false;
        if (Array.isArray(v)) {
          for (let i = 0; i < v.length; i++) if (!isPlainData(v[i], depth + 1)) return false;
          return true;
        }
        const proto = Object.getPrototypeOf(v);
        if (proto !== Object.prototype && proto !== null) return false;
        const keys = Object.keys(v);
        for (let i = 0; i < keys.length; i++) {
          const x = v[keys[i]];
          if (x !== undefined && !isPlainData(x, depth + 1)) return false;
        }
        return true;
      }
      default:
        return false;
    }
  }

  function encodeArgs(args) {
    if (isPlainData(args, 0)) return JSON.stringify(args);
    try {
      return JSON.stringify(args, replacer);
    } catch (_) {
      const parts = args.map((a) => {
        try {
          return JSON.stringify([a], replacer).slice(1, -1) || "null";
        } catch (_e) {
          return '{"$pyapm:js":"unserializable"}';
        }
      });
      return "[" + parts.join(",") + "]";
    }
  }

  // ---- The one way into Python --------------------------------------------------------------
  // label: what the user called (for 412 messages); method: bridge method; args: an array.
  function invoke(label, method, args) {
    if (callFn === null) throw notReady(label);
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
      if (simple) {
        switch (args.length) {
          case 0: r = callFn(code); break;
          case 1: r = callFn(code, args[0]); break;
          case 2: r = callFn(code, args[0], args[1]); break;
          default: r = callFn(code, ...args);
        }
      } else {
        r = encodedFn(code, encodeArgs(args));
      }
    } catch (e) {
      flush();
      throw internalError(method, e);
    }
    if (pending.length) flush();
    return unwrap(method, r);
  }

  // Hot paths: no array, no JSON.
  function invoke1(label, method, a) {
    if (callFn === null) throw notReady(label);
    if (!isPrimitive(a)) return invoke(label, method, [a]);
    let r;
    try {
      r = callFn(CODE[method], a);
    } catch (e) {
      flush();
      throw internalError(method, e);
    }
    if (pending.length) flush();
    return unwrap(method, r);
  }

  function unwrap(method, r) {
    if (r !== null && typeof r === "object") {
      if (r[ERR] === true) throw apmError(r.errorCode, r.message);
      if (PyProxyClass !== null && r instanceof PyProxyClass) {
        try { r.destroy(); } catch (_) { /* already gone */ }
        throw apmError(500, `py-apm internal error in ${method}: a Python object leaked into JS`);
      }
    }
    return r;
  }

  // ---- Change payloads: events, warnings, page listeners -------------------------------------
  // Called by Python inside a call; dispatched once the call returned. The payload comes flat
  // (py_apm/bridge/entry.py payload_items): revision, reset, then tagged items.
  function onPayload(revision, reset, ...items) {
    epoch++;
    pending.push({ revision, reset, items });
  }

  // A getter for an unlogged property read, cached until the next change payload.
  function cachedGetter(label, method, id) {
    let at = -1;
    let value;
    return () => {
      if (at === epoch) return value;
      const v = invoke1(label, method, id);
      value = v;
      at = epoch;
      return v;
    };
  }

  function decodePayload({ revision, reset, items }) {
    const p = { revision, reset, events: [], notices: [], warnings: [] };
    for (let i = 0; i < items.length;) {
      const kind = items[i++];
      if (kind === "e") {
        const name = items[i++], topic = items[i++], n = items[i++];
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

  function channel(topic) {
    let ch = channels.get(topic);
    if (!ch) {
      ch = new BroadcastChannel(topic);
      channels.set(topic, ch);
    }
    return ch;
  }

  function report(e) {
    if (typeof win.reportError === "function") win.reportError(e);
    else setTimeout(() => { throw e; });
  }

  function flush() {
    while (pending.length) {
      const batch = pending;
      pending = [];
      for (const raw of batch) dispatch(decodePayload(raw));
    }
  }

  function dispatch(p) {
    for (const ev of p.events || []) {
      if (!topics.has(ev.topic)) continue;
      try {
        channel(ev.topic).postMessage(ev.data);
      } catch (e) {
        report(e);
      }
    }
    for (const w of p.warnings || []) console.warn(`[py-apm] ${w}`);
    for (const fn of listeners.size ? Array.from(listeners) : []) {
      try {
        fn(p);
      } catch (e) {
        report(e);
      }
    }
    try {
      win.dispatchEvent(new CustomEvent("pyapm:change", { detail: p }));
    } catch (e) {
      report(e);
    }
  }

  // ---- Promise helpers (getContext, legacy promise mode) --------------------------------------
  function promised(fn) {
    try {
      return Promise.resolve(fn());
    } catch (e) {
      return Promise.reject(e);
    }
  }

  // sync normally; a Promise in legacy promise mode (decisions 2 and 25)
  function maybeLegacy(fn) {
    if (!legacy || callFn === null) return fn();
    return promised(fn);
  }

  // ---- Session, tab and context objects (decision 3) ------------------------------------------
  function method(fn) {
    return { value: fn, writable: true, configurable: true, enumerable: false };
  }

  // An enumerable property of a session/tab object: a cached read, and a write when settable.
  function property(label, getMethod, setMethod, id) {
    const d = { get: cachedGetter(label, getMethod, id), enumerable: true, configurable: true };
    if (setMethod) d.set = (v) => { invoke(label, setMethod, [id, v]); };
    return d;
  }

  function sessionObject(id) {
    if (typeof id !== "string") return null;
    let s = sessionCache.get(id);
    if (s) return s;
    s = {};
    const n = (m) => `session.${m}`;
    Object.defineProperties(s, {
      sessionId: { value: id, enumerable: true, configurable: true },
      title: property("session.title", "session.getTitle", "session.setTitle", id),
      isDefault: property("session.isDefault", "session.isDefault", null, id),
      canClose: property("session.canClose", "session.getCanClose", "session.setCanClose", id),
      close: method(function close() {
        invoke1(n("close"), "session.close", id);
      }),
      focus: method(function focus() {
        invoke1(n("focus"), "session.focus", id);
      }),
      requestFocus: method(function requestFocus() {
        invoke1(n("requestFocus"), "session.requestFocus", id);
      }),
      getFocusedTab: method(function getFocusedTab() {
        return tabObject(invoke1(n("getFocusedTab"), "session.getFocusedTab", id));
      }),
      getTab: method(function getTab(...args) {
        return tabObject(invoke(n("getTab"), "session.getTab", [id, ...args]));
      }),
      getAllTabs: method(function getAllTabs() {
        return invoke1(n("getAllTabs"), "session.getAllTabs", id);
      }),
      canCreateTab: method(function canCreateTab() {
        return invoke1(n("canCreateTab"), "session.canCreateTab", id);
      }),
      updateContext: method(function updateContext(...args) {
        invoke(n("updateContext"), "session.updateContext", [id, ...args]);
      }),
      resolveSlug: method(function resolveSlug(...args) {
        return invoke(n("resolveSlug"), "session.resolveSlug", [id, ...args]);
      }),
      getContext: method(function getContext() {
        if (callFn === null) throw notReady(n("getContext"));
        return promised(() => contextObject(id, invoke1(n("getContext"), "session.getContext", id)));
      }),
      createTab: method(function createTab(...args) {
        if (callFn === null) throw notReady(n("createTab"));
        return maybeLegacy(() => invoke(n("createTab"), "session.createTab", [id, ...args]));
      }),
      getAllTabsForTemplate: method(function getAllTabsForTemplate(...args) {
        if (callFn === null) throw notReady(n("getAllTabsForTemplate"));
        return promised(() => invoke(n("getAllTabsForTemplate"), "session.getAllTabsForTemplate", [id, ...args]));
      }),
    });
    sessionCache.set(id, s);
    return s;
  }

  function tabObject(id) {
    if (typeof id !== "string") return null;
    let t = tabCache.get(id);
    if (t) return t;
    t = {};
    Object.defineProperties(t, {
      tabId: { value: id, enumerable: true, configurable: true },
      title: property("tab.title", "tab.getTitle", "tab.setTitle", id),
      canClose: property("tab.canClose", "tab.getCanClose", "tab.setCanClose", id),
      close: method(function close() {
        if (callFn === null) throw notReady("tab.close");
        return maybeLegacy(() => { invoke1("tab.close", "tab.close", id); });
      }),
      focus: method(function focus() {
        if (callFn === null) throw notReady("tab.focus");
        return maybeLegacy(() => { invoke1("tab.focus", "tab.focus", id); });
      }),
      refresh: method(function refresh() {
        if (callFn === null) throw notReady("tab.refresh");
        return maybeLegacy(() => { invoke1("tab.refresh", "tab.refresh", id); });
      }),
    });
    tabCache.set(id, t);
    return t;
  }

  function parseData(value) {
    if (typeof value !== "string") return value;
    const s = value.trim();
    if (!(s.startsWith("{") || s.startsWith("["))) return value;
    try {
      return JSON.parse(s);
    } catch (_) {
      return value;
    }
  }

  // The resolved value of session.getContext() (decisions 4 and 23).
  function contextObject(sid, raw) {
    let data = raw || {};
    const params = Object.assign({}, data.parameters || {});
    const reload = () => {
      data = invoke1("context", "session.getContext", sid) || {};
      for (const k of Object.keys(params)) delete params[k];
      Object.assign(params, data.parameters || {});
    };
    const ctx = {};
    Object.defineProperties(ctx, {
      templateName: { get: () => (data.templateName === undefined ? null : data.templateName), enumerable: true },
      parameters: { get: () => params, enumerable: true },
      get: method(function get(key) {
        return Object.prototype.hasOwnProperty.call(params, key) ? params[key] : undefined;
      }),
      has: method(function has(key) {
        return Object.prototype.hasOwnProperty.call(params, key);
      }),
      set: method(function set(key, value) {
        invoke("context.set", "session.updateContext", [sid, { [key]: value }]);
        reload();
        return ctx;
      }),
      delete: method(function del(key) {
        const had = Object.prototype.hasOwnProperty.call(params, key);
        invoke("context.delete", "session.deleteContext", [sid, key]);
        reload();
        return had;
      }),
      getTabContext: method(function getTabContext(tabIdOrAnchor) {
        const tid = tabIdOrAnchor === "anchor" ? data.anchorTabId : tabIdOrAnchor;
        const tabs = data.tabs || {};
        if (typeof tid !== "string" || !Object.prototype.hasOwnProperty.call(tabs, tid)) return null;
        const copy = Object.assign({}, tabs[tid]);
        if ("data" in copy) copy.data = parseData(copy.data);
        return copy;
      }),
      resolveSlug: method(function resolveSlug(...args) {
        return promised(() => invoke("context.resolveSlug", "session.resolveSlug", [sid, ...args]));
      }),
    });
    return ctx;
  }

  // ---- Microsoft.Apm ------------------------------------------------------------------------
  const A = (m) => `Microsoft.Apm.${m}`;
  const Apm = {
    getFocusedSession() {
      return sessionObject(invoke(A("getFocusedSession"), "getFocusedSession", []));
    },
    getAllSessions() {
      return invoke(A("getAllSessions"), "getAllSessions", []);
    },
    getSession(...args) {
      return sessionObject(invoke(A("getSession"), "getSession", args));
    },
    createSession(...args) {
      return invoke(A("createSession"), "createSession", args);
    },
    canCreateSession() {
      return invoke(A("canCreateSession"), "canCreateSession", []);
    },
    createTab(...args) {
      if (callFn === null) throw notReady(A("createTab"));
      return maybeLegacy(() => invoke(A("createTab"), "createTab", args));
    },
    closeTab(...args) {
      if (callFn === null) throw notReady(A("closeTab"));
      return maybeLegacy(() => { invoke(A("closeTab"), "closeTab", args); });
    },
    focusTab(...args) {
      if (callFn === null) throw notReady(A("focusTab"));
      return maybeLegacy(() => { invoke(A("focusTab"), "focusTab", args); });
    },
    refreshTab(...args) {
      if (callFn === null) throw notReady(A("refreshTab"));
      return maybeLegacy(() => { invoke(A("refreshTab"), "refreshTab", args); });
    },
    getEventPublisherTopic(...args) {
      const topic = invoke(A("getEventPublisherTopic"), "getEventPublisherTopic", args);
      topics.add(topic);
      return topic;
    },
  };

  // ---- window.PyApm (design.md section 3) ---------------------------------------------------
  function learnOptions(opts) {
    if (opts && typeof opts === "object" && typeof opts.legacyPromises === "boolean") {
      legacy = opts.legacyPromises;
      return true;
    }
    return false;
  }

  function readOptions() {
    if (optionsFn === null) return;
    try {
      learnOptions(optionsFn());
    } catch (_) { /* keep the last known mode */ }
  }

  let readyResolve, readyReject;
  const ready = new Promise((res, rej) => {
    readyResolve = res;
    readyReject = rej;
  });

  const P = (m) => `PyApm.${m}`;
  const PyApm = {
    ready,
    isReady: false,
    bootTimeMs: null,
    bootPhases: {}, // ms since navigation start: start, snapshot (bytes in), runtime, unpacked, imported, ready
    bootedFromSnapshot: null, // true: booted from the memory snapshot (data-snapshot)
    version: null,
    reset(...args) {
      const r = invoke(P("reset"), "pyapm.reset", args);
      sessionCache.clear();
      tabCache.clear();
      if (!learnOptions(r)) readOptions();
      return undefined;
    },
    configure(...args) {
      const r = invoke(P("configure"), "pyapm.configure", args);
      if (!learnOptions(r)) readOptions();
      return r;
    },
    state() {
      return invoke(P("state"), "pyapm.state", []);
    },
    calls() {
      return invoke(P("calls"), "pyapm.calls", []);
    },
    refreshContext(...args) {
      invoke(P("refreshContext"), "pyapm.refreshContext", args);
    },
    onChange(listener) {
      if (typeof listener !== "function") {
        throw apmError(400, "PyApm.onChange: listener must be a function");
      }
      listeners.add(listener);
      return () => { listeners.delete(listener); };
    },
    ui: {
      focusSession(...args) { invoke(P("ui.focusSession"), "ui.focusSession", args); },
      closeSession(...args) { invoke(P("ui.closeSession"), "ui.closeSession", args); },
      focusTab(...args) { invoke(P("ui.focusTab"), "ui.focusTab", args); },
      closeTab(...args) { invoke(P("ui.closeTab"), "ui.closeTab", args); },
    },
    settings: Object.freeze(Object.assign({}, settings)),
  };
  Object.defineProperty(PyApm, "__pyApmShim", { value: true });
  // Test hook: is `value` a Pyodide proxy? (results handed to user code never should be)
  Object.defineProperty(PyApm, "__isPyProxy", {
    value: (value) => PyProxyClass !== null && value instanceof PyProxyClass,
  });

  // Test hook: count live PyProxies (Pyodide's own allocation tracing) to prove calls leak none.
  function traced() {
    if (runtime === null) throw apmError(412, "PyApm.__proxyTracing: py-apm is not ready");
    return runtime._module;
  }
  Object.defineProperty(PyApm, "__proxyTracing", {
    value: Object.freeze({
      start() { traced().enable_pyproxy_allocation_tracing(); traced().pyproxy_alloc_map.clear(); },
      stop() { traced().disable_pyproxy_allocation_tracing(); traced().pyproxy_alloc_map.clear(); },
      live() { return traced().pyproxy_alloc_map.size; }, // proxies made since start() and alive
      probe() { traced(); return runtime.globals.get("dict"); }, // a new proxy, for self-tests
    }),
  });

  win.Microsoft = win.Microsoft || {};
  win.Microsoft.Apm = Apm;
  win.PyApm = PyApm;

  // ---- Boot ---------------------------------------------------------------------------------
  // Everything that loads Python lives here.
  async function fetchBytes(url, what) {
    const r = await fetch(url);
    if (!r.ok) throw new Error(`cannot load ${what} from ${url}: HTTP ${r.status}`);
    return r.arrayBuffer();
  }

  async function fetchJSON(url, what, optional) {
    const r = await fetch(url);
    if (optional && r.status === 404) return null;
    if (!r.ok) throw new Error(`cannot load ${what} from ${url}: HTTP ${r.status}`);
    try {
      return await r.json();
    } catch (e) {
      throw new Error(`${what} at ${url} is not valid JSON: ${e.message}`);
    }
  }

  // Resolves to the snapshot response, or null when there is none (404, network error).
  function fetchSnapshot(url) {
    return fetch(url).then(
      (r) => {
        if (r.ok) return r;
        if (r.status !== 404) console.warn(`py-apm: snapshot ${url}: HTTP ${r.status}; booting without it`);
        return null;
      },
      () => null,
    );
  }

  // The snapshot's bytes as { bytes, filled }: `bytes` is handed to Pyodide as soon as the
  // headers say how long it is (Pyodide only needs the length to size the wasm memory), and the
  // body streams into it while the runtime is instantiated; `filled` resolves once it is all in.
  function snapshotBody(response) {
    const length = Number(response.headers.get("Content-Length"));
    if (!response.body || !Number.isSafeInteger(length) || length <= 0 ||
        response.headers.get("Content-Encoding")) {
      const whole = response.arrayBuffer().then((b) => new Uint8Array(b));
      return { bytes: whole, filled: whole };
    }
    const bytes = new Uint8Array(length);
    const filled = (async () => {
      const reader = response.body.getReader();
      let at = 0;
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        if (at + value.length > length) throw new Error("the snapshot is longer than announced");
        bytes.set(value, at);
        at += value.length;
      }
      if (at !== length) throw new Error(`the snapshot ended after ${at} of ${length} bytes`);
      return bytes;
    })();
    return { bytes, filled };
  }

  // Pyodide's createPyodideModule, from the pyodide.asm.mjs import started at script evaluation;
  // `before` must also be done before the runtime is handed back (the snapshot bytes are read
  // right after).
  function moduleFactory(asm, before) {
    return async (settings) => {
      const runtimeModule = await (await asm).default(settings);
      await before;
      return runtimeModule;
    };
  }

  async function loadRuntime(indexURL, early, mark) {
    let mod;
    try {
      mod = await early.loader;
    } catch (e) {
      throw new Error(`cannot load Pyodide from ${indexURL}: ${e.message}`);
    }
    // Only the headers are awaited here: loadPyodide starts its own requests (wasm, stdlib, lock
    // file) at once, the wasm compiles and the runtime instantiates while the snapshot streams in.
    const response = early.snapshot ? await early.snapshot : null;
    if (response) {
      try {
        const { bytes, filled } = snapshotBody(response);
        filled.then(() => mark("snapshot"), () => {});
        const pyodide = await mod.loadPyodide({
          indexURL,
          _loadSnapshot: bytes,
          createPyodideModule: moduleFactory(early.asm, filled),
        });
        return { pyodide, sitePackages: null, fromSnapshot: true };
      } catch (e) {
        // Built for another Pyodide (build id mismatch) or damaged: a normal boot still works.
        console.warn(`py-apm: cannot boot from the snapshot ${response.url} (${String(e.message).split("\n")[0]}); ` +
          "booting without it. Run `py-apm snapshot` to rebuild it.");
      }
    }
    let sitePackages = null;
    const pyodide = await mod.loadPyodide({
      indexURL,
      createPyodideModule: moduleFactory(early.asm, null),
      fsInit: (_FS, info) => { sitePackages = info.sitePackages; },
    });
    return { pyodide, sitePackages, fromSnapshot: false };
  }

  // Every request that does not depend on another starts here, at once: the Pyodide loader, its
  // wasm glue (handed to the loader as createPyodideModule) and the snapshot.
  function startLoading(cfg) {
    const quiet = (p) => {
      p.catch(() => {}); // awaited (and reported) by boot; never an unhandled rejection here
      return p;
    };
    return {
      loader: quiet(import(cfg.pyodideURL + "pyodide.mjs")),
      asm: quiet(import(cfg.pyodideURL + "pyodide.asm.mjs")),
      snapshot: cfg.snapshotURL ? fetchSnapshot(cfg.snapshotURL) : null, // null: "off"
    };
  }

  function importEntry(pyodide, cfg) {
    try {
      return pyodide.pyimport("py_apm.bridge.entry");
    } catch (e) {
      throw new Error(`cannot import py_apm from ${cfg.packageURL}: ${internalError("boot", e).message}`);
    }
  }

  async function boot(cfg) {
    const phases = PyApm.bootPhases;
    const mark = (name) => { phases[name] = Math.round(performance.now()); };
    mark("start");
    const early = startLoading(cfg);
    const snapshot = early.snapshot || Promise.resolve(null);
    // With a snapshot py_apm is already imported: the zip is fetched only when there is none.
    let zip = null;
    const fetchZip = () => {
      if (zip === null) {
        zip = fetchBytes(cfg.packageURL, "the py_apm package");
        zip.catch(() => {});
      }
      return zip;
    };
    snapshot.then((r) => { if (!r) fetchZip(); });
    const config = cfg.configURL ? fetchJSON(cfg.configURL, "the data-config file", cfg.configOptional) : null;
    if (config) config.catch(() => {});

    const { pyodide, sitePackages, fromSnapshot } = await loadRuntime(cfg.pyodideURL, early, mark);
    PyApm.bootedFromSnapshot = fromSnapshot;
    mark("runtime");
    if (!fromSnapshot) {
      const extractDir = sitePackages ||
        pyodide.runPython("import sysconfig; sysconfig.get_paths()['purelib']");
      pyodide.unpackArchive(await fetchZip(), "zip", { extractDir });
    }
    mark("unpacked");
    const entry = importEntry(pyodide, cfg);
    // Attribute proxies are borrowed from the module proxy: copy the ones we keep, then drop it.
    const take = (name) => {
      const borrowed = entry[name];
      const own = borrowed.copy();
      borrowed.destroy();
      return own;
    };
    const setListener = entry.set_listener;
    setListener(onPayload);
    setListener.destroy();
    const fns = { call: take("call"), encoded: take("call_encoded"), options: take("options") };
    const methods = entry.methods;
    methods().forEach((name, code) => { CODE[name] = code; });
    methods.destroy();
    entry.destroy();
    mark("imported");
    const configData = config ? await config : null; // null: none, or optional and 404
    // From here on everything is synchronous: nothing can call in before isReady is set.
    PyProxyClass = pyodide.ffi.PyProxy;
    runtime = pyodide;
    callFn = fns.call;
    encodedFn = fns.encoded;
    optionsFn = fns.options;
    PyApm.version = invoke(P("version"), "pyapm.version", []);
    readOptions();
    if (configData !== null) PyApm.configure(configData);
    mark("ready");
    PyApm.bootTimeMs = phases.ready;
    PyApm.isReady = true;
  }

  boot(settings).then(
    () => readyResolve(PyApm),
    (e) => {
      callFn = null;
      encodedFn = null;
      optionsFn = null;
      const cause = e instanceof Error && !e.type ? e : internalError("boot", e);
      bootError = cause;
      const err = apmError(typeof cause.errorCode === "number" ? cause.errorCode : 500,
        `py-apm failed to start: ${cause.message}`);
      console.error(err.message);
      readyReject(err);
    },
  );
})();
