/*
 * py-apm shim: an offline emulator of the Dynamics 365 `Microsoft.Apm` JavaScript API.
 *
 *   <script src="/shim.js"></script>
 *   <script>PyApm.ready.then(() => Microsoft.Apm.getFocusedSession().title);</script>
 *
 * Installs `window.Microsoft.Apm`, `window.Microsoft.AppRuntime` (the runtime behind it),
 * `window.Xrm.App.sessions` (extending an `Xrm` already there) and `window.PyApm` at once, boots
 * Pyodide from a local copy (never a CDN), installs the `py_apm` package from `py_apm.zip` and
 * forwards every call to it: three faces, one workspace.
 * Sections: frames, state, errors, arguments, the way into Python, change payloads, return
 * contracts, Microsoft.Apm objects, the AppRuntime and Xrm faces (with handler events),
 * window.PyApm, boot.
 * Script tag attributes (all optional, relative to the page):
 *   data-pyodide  Pyodide base URL      (default: <dir of shim.js>/pyodide/)
 *   data-package  zipped py_apm URL     (default: <dir of shim.js>/py_apm.zip)
 *   data-config   JSON passed to PyApm.configure before PyApm.ready resolves
 *   data-config-optional   (no value) a data-config answering 404 means "no configuration"
 *   data-snapshot Pyodide memory snapshot URL, or "off" (default: <dir of shim.js>/py_apm.snapshot
 *                 unless data-package is set). Booting from it is ~4x faster; when it is missing
 *                 (404) or built for another Pyodide, the shim boots normally.
 * Contract with Python: docs/design.md sections 2-3; behaviour rules: the README behaviour table.
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
    // A frame hosted by a workspace tab gets a Microsoft object that tags its calls with that
    // tab (the timeline's "frame" and warning APM-W002); any other frame shares the top's.
    const tabId = top.PyApm.__hostTab ? top.PyApm.__hostTab(win) : null;
    win.Microsoft = tabId ? top.PyApm.__forFrame(tabId) : top.Microsoft;
    win.PyApm = top.PyApm;
    const sessions = top.Xrm && top.Xrm.App && top.Xrm.App.sessions;
    if (sessions) installXrm(win, sessions); // a declaration further down (hoisted)
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
  let fatalError = null; // set when the Python runtime reported a fatal error: it is gone
  // The return contract (decisions 1 and 2): "runtime" (actions return Promises) or
  // "documented" (every member synchronous). Learnt from configure/reset results.
  let returns = "runtime";
  let pending = []; // listener payloads waiting to be dispatched after the current call
  const listeners = new Map(); // PyApm.onChange listener -> the frame it came from (or null)
  let dispatching = false;
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
  const warned = new Set();

  // ---- Errors -------------------------------------------------------------------------------
  function apmError(code, message) {
    const e = new Error(message);
    e.errorCode = code;
    return e;
  }

  function notReady(label) {
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
  function markFatal(e) {
    if (fatalError) return;
    let text = "unknown cause";
    try {
      text = String((e && e.message) || e).split("\n")[0].slice(0, 200) || text;
    } catch (_) { /* keep the default */ }
    fatalError = text;
    callFn = null;
    encodedFn = null;
    optionsFn = null;
    PyApm.isReady = false;
  }

  function internalError(method, e) {
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

  // ---- Argument encoding (design.md section 2) ----------------------------------------------
  function isPrimitive(v) {
    const t = typeof v;
    return t === "string" || t === "boolean" || t === "undefined" || v === null ||
      (t === "number" && Number.isFinite(v));
  }

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
  const PARAMS = {
    getSession: ["sessionId"], createSession: ["SessionInput"], createTab: ["AppTabInput"],
    closeTab: ["tabId"], focusTab: ["tabId"], refreshTab: ["tabId"],
    getEventPublisherTopic: ["eventName"], "session.getTab": [null, "tabId"],
    "session.updateContext": [null, "input"], "session.resolveSlug": [null, "input"],
    "session.createTab": [null, "AppTabInput"], "session.getAllTabsForTemplate": [null, "templateName"],
    "session.setTitle": [null, "title"], "session.setCanClose": [null, "canClose"],
    "tab.setTitle": [null, "title"], "tab.setCanClose": [null, "canClose"],
  };
  const PRODUCER = { tabId: "createTab(...)", sessionId: "createSession(...)" };

  // Decision 1: `focusTab(createTab(...))` is a 400 that says what to await, not a puzzling
  // "must be a string, got object".
  function promiseArgument(label, method, args) {
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
  const MAX_DEPTH = 64;
  const MAX_SIZE = 1 << 20;
  const MAX_CONFIG_SIZE = 8 << 20;
  const CONFIG_MEMBERS = new Set(["pyapm.configure", "pyapm.reset"]);
  const MARKER = "$pyapm:";
  const TOO_LARGE = { tooLarge: true };
  const opaque = (kind) => ({ "$pyapm:js": kind });

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
  const path = []; // the objects being copied, outermost first (a cycle repeats one of them)

  function spend(n) {
    budget -= n;
    if (budget < 0) throw TOO_LARGE;
  }

  function own(out, key, value) {
    // an own key even for "__proto__", as JSON.parse would make it (assigning sets a prototype)
    Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  }

  // `converted`: v is what a toJSON returned (JSON.stringify does not call toJSON on that again)
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

  function encodeArgs(method, args) {
    const size = CONFIG_MEMBERS.has(method) ? MAX_CONFIG_SIZE : MAX_SIZE;
    const out = new Array(args.length);
    for (let i = 0; i < args.length; i++) {
      const c = encodeArg(args[i], size);
      out[i] = c === undefined ? null : c;
    }
    return JSON.stringify(out);
  }

  // ---- The one way into Python --------------------------------------------------------------
  // label: what the user called (for 412 messages); method: bridge method; args: an array.
  function invoke(label, method, args) {
    if (callFn === null) throw notReady(label);
    if (caller === null && framesSame !== 0) { // a tab's frame through window.parent? (Frames)
      const tab = callingTab(method);
      if (tab !== null) return asCaller(tab, () => invoke(label, method, args));
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
        r = encodedFn(code, encodeArgs(method, args));
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
    if (caller === null && framesSame !== 0) {
      const tab = callingTab(method);
      if (tab !== null) return asCaller(tab, () => invoke1(label, method, a));
    }
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

  // Payloads go out in revision order: a listener that calls the API queues the new payload
  // behind the one being dispatched instead of dispatching it in the middle.
  function flush() {
    if (dispatching) return;
    dispatching = true;
    // A listener's own calls are tagged with whoever made them, not with this call's frame.
    const tagged = caller;
    if (tagged !== null) setCaller(null);
    try {
      while (pending.length) {
        const batch = pending;
        pending = [];
        for (const raw of batch) dispatch(decodePayload(raw));
      }
    } finally {
      dispatching = false;
      if (tagged !== null) setCaller(tagged);
    }
  }

  // The same-origin frame whose realm made `fn` (null: this window or unknown), so a listener
  // of a closed or navigated web resource frame can be dropped.
  function ownerFrame(fn) {
    let root = fn;
    for (let p = Object.getPrototypeOf(fn); p; p = Object.getPrototypeOf(p)) root = p;
    if (root === Object.prototype) return null;
    try {
      const frame = sameOriginWindows().find((w) => w !== win && w.Object.prototype === root);
      return frame ? { frame, root } : null;
    } catch (_) {
      return null; // a frame went to another origin while we looked
    }
  }

  function frameGone(owner) {
    if (owner === null) return false;
    try {
      return owner.frame.closed || owner.frame.Object.prototype !== owner.root;
    } catch (_) {
      return true; // navigated to another origin
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
    for (const w of p.warnings || []) {
      if (warned.has(w)) continue; // each warning once on the console (until reset)
      warned.add(w);
      console.warn(`[py-apm] ${w}`);
    }
    if (handlerCount) fireHandlers(p.events || []);
    for (const [fn, owner] of listeners.size ? Array.from(listeners) : []) {
      if (!listeners.has(fn)) continue; // unsubscribed by an earlier listener
      if (frameGone(owner)) {
        listeners.delete(fn);
        continue;
      }
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

  // ---- Return contracts (decisions 1, 2, 25) -------------------------------------------------
  // The change is applied synchronously by `run` in every contract; only the way the result
  // (or the failure) reaches the caller differs.
  function promised(fn) {
    try {
      return Promise.resolve(fn());
    } catch (e) {
      return Promise.reject(e);
    }
  }

  const toUndefined = () => undefined;

  // An action of Microsoft.Apm or its session/tab objects: under the runtime contract a Promise
  // of `runtimeValue(result)` that rejects on failure; under `returns: "documented"` the
  // synchronous `documentedValue(result)`, failures thrown. Before ready: 412, thrown.
  function action(label, run, runtimeValue, documentedValue) {
    if (callFn === null) throw notReady(label);
    if (returns === "documented") return documentedValue(run());
    return promised(() => runtimeValue(run()));
  }

  // Always a Promise (getContext, getAllTabsForTemplate, every action of the AppRuntime and Xrm
  // faces, whose typings say so), whatever the contract.
  function always(label, run) {
    if (callFn === null) throw notReady(label);
    return promised(run);
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
        return action(n("close"), () => invoke1(n("close"), "session.close", id), Boolean, toUndefined);
      }),
      focus: method(function focus() {
        return action(n("focus"), () => invoke1(n("focus"), "session.focus", id), toUndefined, toUndefined);
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
        return action(n("updateContext"), () => invoke(n("updateContext"), "session.updateContext", [id, ...args]),
          (data) => contextObject(id, data), toUndefined);
      }),
      resolveSlug: method(function resolveSlug(...args) {
        return invoke(n("resolveSlug"), "session.resolveSlug", [id, ...args]);
      }),
      getContext: method(function getContext() {
        return always(n("getContext"), () => contextObject(id, invoke1(n("getContext"), "session.getContext", id)));
      }),
      createTab: method(function createTab(...args) {
        const run = () => invoke(n("createTab"), "session.createTab", [id, ...args]);
        return action(n("createTab"), run, String, String);
      }),
      getAllTabsForTemplate: method(function getAllTabsForTemplate(...args) {
        return always(n("getAllTabsForTemplate"),
          () => invoke(n("getAllTabsForTemplate"), "session.getAllTabsForTemplate", [id, ...args]));
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
        return action("tab.close", () => invoke1("tab.close", "tab.close", id), Boolean, toUndefined);
      }),
      focus: method(function focus() {
        return action("tab.focus", () => invoke1("tab.focus", "tab.focus", id), toUndefined, toUndefined);
      }),
      refresh: method(function refresh() {
        return action("tab.refresh", () => invoke1("tab.refresh", "tab.refresh", id), toUndefined, toUndefined);
      }),
    });
    tabCache.set(id, t);
    return t;
  }

  // A tab's `data` parsed when it is JSON of an object/array within the argument bounds (as
  // the model parses it); deeper or bigger text stays text.
  function parseData(value) {
    if (typeof value !== "string" || value.length > MAX_SIZE) return value;
    const s = value.trim();
    if (!(s.startsWith("{") || s.startsWith("["))) return value;
    let parsed;
    try {
      parsed = JSON.parse(s);
    } catch (_) {
      return value;
    }
    const stack = [[parsed, 0]];
    while (stack.length) {
      const [v, depth] = stack.pop();
      if (v === null || typeof v !== "object") continue;
      if (depth >= MAX_DEPTH) return value;
      for (const k of Object.keys(v)) stack.push([v[k], depth + 1]);
    }
    return parsed;
  }

  // Own data properties, so a "__proto__" key is a key like any other (Object.assign would set
  // the prototype instead).
  function copyInto(target, source) {
    for (const k of Object.keys(source || {})) {
      Object.defineProperty(target, k,
        { value: source[k], enumerable: true, writable: true, configurable: true });
    }
    return target;
  }

  // The resolved value of session.getContext() (decisions 4 and 23).
  function contextObject(sid, raw) {
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
      get: method(function get(key) {
        return Object.prototype.hasOwnProperty.call(params, key) ? params[key] : undefined;
      }),
      has: method(function has(key) {
        return Object.prototype.hasOwnProperty.call(params, key);
      }),
      set: method(function set(key, value) {
        if (typeof key === "symbol") {
          if (callFn === null) throw notReady("context.set");
          throw apmError(400, "context.set: key must be a string, got symbol");
        }
        data = invoke("context.set", "session.updateContext",
          [sid, copyInto({}, { [key]: value })]) || {};
        for (const k of Object.keys(params)) delete params[k];
        copyInto(params, data.parameters);
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
      return action(A("createSession"), () => invoke(A("createSession"), "createSession", args), String, String);
    },
    canCreateSession() {
      return invoke(A("canCreateSession"), "canCreateSession", []);
    },
    createTab(...args) {
      return action(A("createTab"), () => invoke(A("createTab"), "createTab", args), String, String);
    },
    closeTab(...args) {
      return action(A("closeTab"), () => invoke(A("closeTab"), "closeTab", args), Boolean, toUndefined);
    },
    focusTab(...args) {
      return action(A("focusTab"), () => invoke(A("focusTab"), "focusTab", args), toUndefined, toUndefined);
    },
    refreshTab(...args) {
      return action(A("refreshTab"), () => invoke(A("refreshTab"), "refreshTab", args), toUndefined, toUndefined);
    },
    getEventPublisherTopic(...args) {
      const topic = invoke(A("getEventPublisherTopic"), "getEventPublisherTopic", args);
      topics.add(topic);
      return topic;
    },
  };

  // ---- Shared by the AppRuntime and Xrm faces -----------------------------------------------
  // One workspace, three faces: Microsoft.Apm (above), Microsoft.AppRuntime.Sessions and
  // Xrm.App.sessions call the same bridge members; their actions always return Promises (their
  // typings say so), whatever `returns` is.

  // A member a typing declares that py-apm cannot emulate meaningfully: a clear Error, never
  // `undefined` (501: not implemented by the emulator).
  function notEmulated(member, why) {
    return apmError(501, `${member} is not emulated by py-apm: ${why}`);
  }
  const refusedSync = (member, why) => method(function refused() { throw notEmulated(member, why); });
  const refusedAsync = (member, why) => method(function refused() { return Promise.reject(notEmulated(member, why)); });

  function typeName(v) {
    return v === null ? "null" : Array.isArray(v) ? "array" : typeof v;
  }

  function requireString(label, name, v) {
    if (typeof v !== "string") throw apmError(400, `${label}: ${name} must be a string, got ${typeName(v)}`);
    return v;
  }

  // A tab as PyApm.state() shows it, with its session (tab facts only the state carries: page
  // type, parameters, url).
  function findTab(label, tid) {
    requireString(label, "tabId", tid);
    for (const s of invoke(label, "pyapm.state", []).sessions) {
      for (const t of s.tabs) if (t.tabId === tid) return { session: s, tab: t };
    }
    throw apmError(404, `${label}: tab '${tid}' is not open`);
  }

  function pageInputOf(tab) {
    const input = { pageType: tab.pageType };
    for (const [k, v] of Object.entries(tab.parameters)) input[k] = k === "data" ? parseData(v) : v;
    return input;
  }

  // The tab's URL: what its iframe shows (web resources, websites), else the app's address of
  // the page (main.aspx?pagetype=...&etn=...&id=...).
  const URL_KEYS = { entityName: "etn", entityId: "id" };
  function currentUrl(tab) {
    if (tab.url) return tab.url;
    const q = new URLSearchParams({ pagetype: tab.pageType });
    for (const [k, v] of Object.entries(tab.parameters)) q.set(URL_KEYS[k] || k, v);
    return "main.aspx?" + q.toString();
  }

  // Xrm's Collection.ItemCollection: get() all, get(index), get(id), get(filter); getLength; forEach.
  function itemCollection(label, items, key) {
    const c = {};
    Object.defineProperties(c, {
      get: method(function get(arg) {
        if (arg === undefined) return items.slice();
        if (typeof arg === "number") return arg in items ? items[arg] : null;
        if (typeof arg === "string") return items.find((x) => key(x) === arg) || null;
        if (typeof arg === "function") return items.filter((x, i) => arg(x, i));
        throw apmError(400, `${label}.get: argument must be an index, an id or a function, got ${typeName(arg)}`);
      }),
      getLength: method(function getLength() { return items.length; }),
      forEach: method(function forEach(fn) {
        if (typeof fn !== "function") throw apmError(400, `${label}.forEach: argument must be a function, got ${typeName(fn)}`);
        items.forEach((x, i) => fn(x, i));
      }),
    });
    return c;
  }

  // ---- Handler events -------------------------------------------------------------------------
  // Fired from the change payloads, so API calls and clicks in the page (PyApm.ui.*) alike fire
  // them, after the change, in the order of the payload's events; a payload's "Before" handlers
  // run before its "After" handlers (the change is already made: a handler cannot veto it).
  const handlerSets = new Map(); // handler event -> Map(handler id -> {fn, source})
  let handlerCount = 0;
  let handlerSeq = 0;
  const HANDLED = {
    SESSION_CREATED: ["BeforeSessionCreate", "AfterSessionCreate"],
    ON_SESSION_SWITCH: ["BeforeSessionSwitch", "AfterSessionSwitch"],
    ON_SESSION_CLOSED: [null, "AfterSessionClose"],
    TAB_CREATED: ["BeforeTabCreate", "AfterTabCreate"],
    TAB_CLOSED: [null, "AfterTabClose"],
    ON_TAB_SWITCH: ["BeforeTabSwitch", "AfterTabSwitch"],
  };

  function addHandler(label, event, fn, source) {
    if (typeof fn !== "function") throw apmError(400, `${label}: handler must be a function, got ${typeName(fn)}`);
    let set = handlerSets.get(event);
    if (!set) handlerSets.set(event, (set = new Map()));
    const id = `pyapm-handler-${++handlerSeq}`;
    set.set(id, { fn, source });
    handlerCount++;
    return id;
  }

  function removeHandler(label, event, id) {
    requireString(label, "handlerId", id);
    const set = handlerSets.get(event);
    if (set && set.delete(id)) handlerCount--;
  }

  function clearHandlers() {
    handlerSets.clear();
    handlerCount = 0;
  }

  // What an Xrm event handler receives (Xrm's EventContext): the event's data is
  // `getEventArgs()._inputArguments` (and `getEventArgs().getInputArguments()`).
  function eventContext(source, data) {
    const args = Object.freeze(Object.assign({}, data));
    const eventArgs = Object.freeze({ _inputArguments: args, getInputArguments: () => args });
    const shared = new Map();
    const ctx = {};
    Object.defineProperties(ctx, {
      getEventArgs: method(function getEventArgs() { return eventArgs; }),
      getEventSource: method(function getEventSource() { return source; }),
      getDepth: method(function getDepth() { return 0; }),
      getSharedVariable: method(function getSharedVariable(key) { return shared.get(key); }),
      setSharedVariable: method(function setSharedVariable(key, value) { shared.set(key, value); }),
      getContext: refusedSync("EventContext.getContext", "there is no Xrm global context (org, user) in py-apm"),
      getFormContext: refusedSync("EventContext.getFormContext", "session events have no form"),
    });
    return ctx;
  }

  function fire(event, make) {
    const set = handlerSets.get(event);
    if (!set || set.size === 0) return;
    for (const h of Array.from(set.values())) {
      try {
        h.fn(make(h.source));
      } catch (e) {
        report(e);
      }
    }
  }

  function fireHandlers(events) {
    if (handlerCount === 0) return;
    for (const phase of [0, 1]) {
      for (const ev of events) {
        const names = HANDLED[ev.name];
        if (!names || !names[phase]) continue;
        fire(names[phase], (source) => eventContext(source, ev.data));
        if (phase === 1 && ev.name === "ON_TAB_SWITCH") fireContextChange(ev.data.tabId);
      }
    }
  }

  // Microsoft.AppRuntime.Sessions.addOnContextChange: IContextChangeEvent {eventType, context}.
  function fireContextChange(tabId) {
    const set = handlerSets.get("ContextChange");
    if (!set || set.size === 0) return;
    let found;
    try {
      found = findTab("ContextChange", tabId);
    } catch (_) {
      return; // closed again before the handlers ran
    }
    fire("ContextChange", () => ({ eventType: "TabSwitch", context: pageInputOf(found.tab) }));
  }

  // ---- Microsoft.AppRuntime.Sessions (AppRuntimeClientSdk.d.ts) -------------------------------
  const runtimeSessions = new Map();
  const runtimeTabs = new Map();
  const R = (m) => `Microsoft.AppRuntime.Sessions.${m}`;

  function runtimeSession(id) {
    if (typeof id !== "string") return null;
    let s = runtimeSessions.get(id);
    if (s) return s;
    s = {};
    const n = (m) => `AppRuntime session.${m}`;
    Object.defineProperties(s, {
      sessionId: { value: id, enumerable: true, configurable: true },
      title: property(n("title"), "session.getTitle", "session.setTitle", id),
      isDefault: property(n("isDefault"), "session.isDefault", null, id),
      canClose: property(n("canClose"), "session.getCanClose", "session.setCanClose", id),
      iconPath: { get: () => "", enumerable: true, configurable: true }, // py-apm shows no icons
      iconTitle: { get: () => "", enumerable: true, configurable: true },
      focus: method(function focus() {
        return always(n("focus"), () => { invoke1(n("focus"), "session.focus", id); });
      }),
      requestFocus: method(function requestFocus() { invoke1(n("requestFocus"), "session.requestFocus", id); }),
      close: method(function close() {
        return always(n("close"), () => invoke1(n("close"), "session.close", id));
      }),
      canCreateTab: method(function canCreateTab() { return invoke1(n("canCreateTab"), "session.canCreateTab", id); }),
      getFocusedTab: method(function getFocusedTab() {
        return runtimeTab(invoke1(n("getFocusedTab"), "session.getFocusedTab", id));
      }),
      getTab: method(function getTab(tabId) {
        return runtimeTab(invoke(n("getTab"), "session.getTab", [id, tabId]));
      }),
      createTab: method(function createTab(input) {
        return always(n("createTab"), () => invoke(n("createTab"), "session.createTab", [id, input]));
      }),
      getAllTabs: method(function getAllTabs() { return invoke1(n("getAllTabs"), "session.getAllTabs", id); }),
      getAllTabsForTemplate: method(function getAllTabsForTemplate(name) {
        return always(n("getAllTabsForTemplate"),
          () => invoke(n("getAllTabsForTemplate"), "session.getAllTabsForTemplate", [id, name]));
      }),
      getContext: method(function getContext() {
        return always(n("getContext"), () => contextObject(id, invoke1(n("getContext"), "session.getContext", id)));
      }),
      // isDelete true: the input's keys are removed from the context instead of set.
      updateContext: method(function updateContext(input, isDelete) {
        return always(n("updateContext"), () => {
          if (isDelete !== true) return contextObject(id, invoke(n("updateContext"), "session.updateContext", [id, input]));
          const keys = input !== null && typeof input === "object"
            ? (Object.prototype.toString.call(input) === "[object Map]" ? Array.from(input.keys()) : Object.keys(input))
            : null;
          if (keys === null) throw apmError(400, `${n("updateContext")}: input must be an object or a Map, got ${typeName(input)}`);
          keys.forEach((k) => requireString(n("updateContext"), "input key", k));
          keys.forEach((k) => invoke(n("updateContext"), "session.deleteContext", [id, k]));
          return contextObject(id, invoke1(n("getContext"), "session.getContext", id));
        });
      }),
      notifyKpiBreach: refusedAsync(n("notifyKpiBreach"), "KPI indicators are not part of the workspace model"),
      notifyNewActivity: refusedAsync(n("notifyNewActivity"), "activity counters are not part of the workspace model (requestFocus sets the attention indicator)"),
      resetActivityIndicator: refusedAsync(n("resetActivityIndicator"), "activity counters are not part of the workspace model"),
      setTitleAndInitials: method(function setTitleAndInitials(title) {
        invoke(n("setTitleAndInitials"), "session.setTitle", [id, title]);
      }),
    });
    runtimeSessions.set(id, s);
    return s;
  }

  function runtimeTab(id) {
    if (typeof id !== "string") return null;
    let t = runtimeTabs.get(id);
    if (t) return t;
    t = {};
    const n = (m) => `AppRuntime tab.${m}`;
    Object.defineProperties(t, {
      tabId: { value: id, enumerable: true, configurable: true },
      title: property(n("title"), "tab.getTitle", "tab.setTitle", id),
      canClose: property(n("canClose"), "tab.getCanClose", "tab.setCanClose", id),
      focus: method(function focus() { invoke1(n("focus"), "tab.focus", id); }), // void in the typing
      close: method(function close() { return always(n("close"), () => invoke1(n("close"), "tab.close", id)); }),
      refresh: method(function refresh() {
        return always(n("refresh"), () => { invoke1(n("refresh"), "tab.refresh", id); });
      }),
    });
    runtimeTabs.set(id, t);
    return t;
  }

  // registrySessionStatePersistence & co: components' state per session, kept in the page.
  const persisted = new Map(); // component id -> {get, restore}
  const savedStates = new Map(); // session id -> Map(component id -> value)

  const RuntimeSessions = {};
  const handlerPair = (label, event, source) => ({
    [`addOn${event}`]: method(function add(handler) { return addHandler(label(`addOn${event}`), event, handler, source()); }),
    [`removeOn${event}`]: method(function remove(handlerId) { removeHandler(label(`removeOn${event}`), event, handlerId); }),
  });
  Object.defineProperties(RuntimeSessions, Object.assign({
    create: method(function create(sessionInput) {
      return always(R("create"), () => invoke(R("create"), "createSession", [sessionInput]));
    }),
    getSession: method(function getSession(sessionId) {
      return runtimeSession(invoke(R("getSession"), "getSession", [sessionId]));
    }),
    getFocusedSession: method(function getFocusedSession() {
      return runtimeSession(invoke(R("getFocusedSession"), "getFocusedSession", []));
    }),
    canCreateSession: method(function canCreateSession() { return invoke(R("canCreateSession"), "canCreateSession", []); }),
    getAll: method(function getAll() { return invoke(R("getAll"), "getAllSessions", []); }),
    registrySessionStatePersistence: method(function registrySessionStatePersistence(id, getValueFunc, restoreValueFunc) {
      const label = R("registrySessionStatePersistence");
      requireString(label, "id", id);
      if (typeof getValueFunc !== "function") throw apmError(400, `${label}: getValueFunc must be a function, got ${typeName(getValueFunc)}`);
      if (typeof restoreValueFunc !== "function") throw apmError(400, `${label}: restoreValueFunc must be a function, got ${typeName(restoreValueFunc)}`);
      persisted.set(id, { get: getValueFunc, restore: restoreValueFunc });
    }),
    cacheSessionState: method(function cacheSessionState(sessionId) {
      requireString(R("cacheSessionState"), "sessionId", sessionId);
      const values = new Map();
      for (const [id, c] of persisted) values.set(id, c.get());
      savedStates.set(sessionId, values);
    }),
    restoreSessionState: method(function restoreSessionState(sessionId) {
      requireString(R("restoreSessionState"), "sessionId", sessionId);
      for (const [id, value] of savedStates.get(sessionId) || []) {
        const c = persisted.get(id);
        if (c) c.restore(value);
      }
    }),
    removeSessionState: method(function removeSessionState(sessionId) {
      if (sessionId === undefined) savedStates.clear();
      else savedStates.delete(requireString(R("removeSessionState"), "sessionId", sessionId));
    }),
    // The focused session's context re-read from the record store (the "Refresh the session
    // context" macro action); a session re-made from another template is not emulated.
    refreshSession: method(function refreshSession(_skipCreateAdditionalTabs, sessionTemplateName, templateParameters) {
      return always(R("refreshSession"), () => {
        if (sessionTemplateName !== undefined || templateParameters !== undefined) {
          throw notEmulated(R("refreshSession"), "re-making a session from another session template");
        }
        const sid = invoke(R("refreshSession"), "getFocusedSession", []);
        invoke(R("refreshSession"), "pyapm.refreshContext", [sid]);
        fireSessionRefresh(sid);
        return sid;
      });
    }),
  }, ...["AfterSessionCreate", "AfterSessionClose", "AfterSessionSwitch", "ContextChange", "SessionRefresh"]
    .map((event) => handlerPair(R, event, () => RuntimeSessions))));

  function fireSessionRefresh(sessionId) {
    fire("SessionRefresh", () => ({ eventType: "SessionRefresh", sessionId }));
  }

  const I = (m) => `Microsoft.AppRuntime.Internal.${m}`;
  const noTemplates = "the org's template records are not emulated (templates are configured with PyApm.configure)";
  const RuntimeInternal = {};
  Object.defineProperties(RuntimeInternal, {
    createTab: method(function createTab(input) {
      return always(I("createTab"), () => {
        const sid = invoke(I("createTab"), "getFocusedSession", []);
        return invoke(I("createTab"), "session.createPageTab", [sid, input]);
      });
    }),
    getAPMRuntimeTopics: method(function getAPMRuntimeTopics() {
      const map = new Map();
      for (const name of ["ON_SESSION_SWITCH", "ON_SESSION_CLOSED", "ON_TAB_SWITCH"]) {
        map.set(name, Apm.getEventPublisherTopic(name));
      }
      return map;
    }),
    publishTopic: method(function publishTopic(topicName) {
      requireString(I("publishTopic"), "topicName", topicName);
      const ch = new BroadcastChannel(topicName);
      return {
        postMessage(payload) { ch.postMessage(payload); },
        close() { ch.close(); },
      };
    }),
    subscribeTopic: method(function subscribeTopic(subscriberName, topicName, callback) {
      requireString(I("subscribeTopic"), "topicName", topicName);
      if (typeof callback !== "function") throw apmError(400, `${I("subscribeTopic")}: callback must be a function, got ${typeName(callback)}`);
      const ch = new BroadcastChannel(topicName);
      ch.onmessage = (ev) => callback(ev.data);
      return { close() { ch.close(); } };
    }),
    telemetryLogInfo: method(function telemetryLogInfo(message, data) { console.info("[py-apm telemetry]", message, data); }),
    telemetryLogWarning: method(function telemetryLogWarning(message, data) { console.warn("[py-apm telemetry]", message, data); }),
    telemetryLogError: method(function telemetryLogError(message, data) { console.error("[py-apm telemetry]", message, data); }),
    findSessionWithPageInput: refusedSync(I("findSessionWithPageInput"), "matching sessions by page input is not part of the workspace model"),
    addOnWindowVisibilityStateChangeHandler: refusedSync(I("addOnWindowVisibilityStateChangeHandler"), "window visibility of the host app is not emulated"),
    removeOnWindowVisibilityStateChangeHandler: refusedSync(I("removeOnWindowVisibilityStateChangeHandler"), "window visibility of the host app is not emulated"),
    getChannelProviders: refusedAsync(I("getChannelProviders"), "channel providers are not emulated"),
    getSessionTemplate: refusedAsync(I("getSessionTemplate"), noTemplates),
    getTemplate: refusedAsync(I("getTemplate"), noTemplates),
    getEntityPageInput: refusedAsync(I("getEntityPageInput"), noTemplates),
    getPageInputFromSessionTemplate: refusedAsync(I("getPageInputFromSessionTemplate"), noTemplates),
  });

  const noNotifications = "notifications are not emulated";
  const RuntimeNotification = {};
  Object.defineProperties(RuntimeNotification, {
    showNotification: refusedAsync("Microsoft.AppRuntime.Notification.showNotification", noNotifications),
    cancelNotification: refusedAsync("Microsoft.AppRuntime.Notification.cancelNotification", noNotifications),
    addOnNotificationStateChangeHandler: refusedSync("Microsoft.AppRuntime.Notification.addOnNotificationStateChangeHandler", noNotifications),
    removeOnNotificationStateChangeHandler: refusedSync("Microsoft.AppRuntime.Notification.removeOnNotificationStateChangeHandler", noNotifications),
  });
  const RuntimeUtility = {};
  Object.defineProperties(RuntimeUtility, {
    getEnvironment: refusedAsync("Microsoft.AppRuntime.Utility.getEnvironment", "there is no org, user or app in py-apm"),
    resolveSlug: refusedAsync("Microsoft.AppRuntime.Utility.resolveSlug",
      "slugs resolve against a session (session.resolveSlug, getContext().resolveSlug), not free parameters"),
  });
  const AppRuntime = { Sessions: RuntimeSessions, Internal: RuntimeInternal, Notification: RuntimeNotification, Utility: RuntimeUtility };

  // ---- Xrm.App.sessions (XrmClientApi.d.ts) ---------------------------------------------------
  const xrmSessions = new Map();
  const xrmTabs = new Map();
  const X = (m) => `Xrm.App.sessions.${m}`;

  function xrmSession(id) {
    if (typeof id !== "string") return null;
    let s = xrmSessions.get(id);
    if (s) return s;
    s = {};
    const n = (m) => `Xrm session.${m}`;
    const tabs = {};
    Object.defineProperties(tabs, {
      getTab: method(function getTab(tabId) { return xrmTab(invoke(n("tabs.getTab"), "session.getTab", [id, tabId])); }),
      getFocusedTab: method(function getFocusedTab() {
        return xrmTab(invoke1(n("tabs.getFocusedTab"), "session.getFocusedTab", id));
      }),
      canCreateTab: method(function canCreateTab() { return invoke1(n("tabs.canCreateTab"), "session.canCreateTab", id); }),
      createTab: method(function createTab(input) {
        return always(n("tabs.createTab"), () => invoke(n("tabs.createTab"), "session.createPageTab", [id, input]));
      }),
      getAll: method(function getAll() {
        const ids = invoke1(n("tabs.getAll"), "session.getAllTabs", id);
        return itemCollection(n("tabs.getAll()"), ids.map(xrmTab), (t) => t.tabId);
      }),
    });
    Object.defineProperties(s, {
      sessionId: { value: id, enumerable: true, configurable: true },
      title: property(n("title"), "session.getTitle", "session.setTitle", id),
      canClose: property(n("canClose"), "session.getCanClose", "session.setCanClose", id),
      isDefault: property(n("isDefault"), "session.isDefault", null, id),
      iconPath: { get: () => "", enumerable: true, configurable: true }, // py-apm shows no icons
      iconTitle: { get: () => "", enumerable: true, configurable: true },
      tabs: { value: tabs, enumerable: false, configurable: true },
      anchorTab: {
        get: () => xrmTab(invoke1(n("anchorTab"), "session.getAllTabs", id)[0]),
        enumerable: false, configurable: true,
      },
      focus: method(function focus() {
        return always(n("focus"), () => { invoke1(n("focus"), "session.focus", id); });
      }),
      requestFocus: method(function requestFocus() { invoke1(n("requestFocus"), "session.requestFocus", id); }),
      close: method(function close() { return always(n("close"), () => invoke1(n("close"), "session.close", id)); }),
    });
    xrmSessions.set(id, s);
    return s;
  }

  function xrmTab(id) {
    if (typeof id !== "string") return null;
    let t = xrmTabs.get(id);
    if (t) return t;
    t = {};
    const n = (m) => `Xrm tab.${m}`;
    const noNavigation = "in-tab navigation is not emulated (a tab shows the page it was opened with)";
    const history = {};
    Object.defineProperties(history, {
      back: refusedAsync(n("history.back"), noNavigation),
      clear: method(function clear() { /* a tab's history is always empty in py-apm */ }),
    });
    Object.defineProperties(t, {
      tabId: { value: id, enumerable: true, configurable: true },
      title: property(n("title"), "tab.getTitle", "tab.setTitle", id),
      canClose: property(n("canClose"), "tab.getCanClose", "tab.setCanClose", id),
      currentUrl: { get: () => currentUrl(findTab(n("currentUrl"), id).tab), enumerable: false, configurable: true },
      currentPageInput: { get: () => pageInputOf(findTab(n("currentPageInput"), id).tab), enumerable: false, configurable: true },
      history: { value: history, enumerable: false, configurable: true },
      focus: method(function focus() { invoke1(n("focus"), "tab.focus", id); }), // void in the typing
      close: method(function close() { return always(n("close"), () => invoke1(n("close"), "tab.close", id)); }),
      refresh: method(function refresh() {
        return always(n("refresh"), () => { invoke1(n("refresh"), "tab.refresh", id); });
      }),
      navigateTo: refusedAsync(n("navigateTo"), noNavigation),
      getParentSessionId: method(function getParentSessionId() {
        return findTab(n("getParentSessionId"), id).session.sessionId;
      }),
    });
    xrmTabs.set(id, t);
    return t;
  }

  const XrmSessions = {};
  Object.defineProperties(XrmSessions, Object.assign({
    getSession: method(function getSession(id) { return xrmSession(invoke(X("getSession"), "getSession", [id])); }),
    getFocusedSession: method(function getFocusedSession() {
      return xrmSession(invoke(X("getFocusedSession"), "getFocusedSession", []));
    }),
    canCreateSession: method(function canCreateSession() { return invoke(X("canCreateSession"), "canCreateSession", []); }),
    createSession: method(function createSession(input) {
      return always(X("createSession"), () => invoke(X("createSession"), "createPageSession", [input]));
    }),
    getAll: method(function getAll() {
      const ids = invoke(X("getAll"), "getAllSessions", []);
      return itemCollection(X("getAll()"), ids.map(xrmSession), (s) => s.sessionId);
    }),
  }, ...["AfterSessionCreate", "AfterSessionClose", "AfterSessionSwitch", "AfterTabCreate", "AfterTabClose",
    "AfterTabSwitch", "BeforeSessionCreate", "BeforeSessionSwitch", "BeforeTabCreate", "BeforeTabSwitch"]
    .map((event) => handlerPair(X, event, () => XrmSessions))));

  // Xrm.App.sessions on a window, keeping whatever Xrm (a mock such as xrm-mock) it already has.
  function installXrm(target, sessions) {
    const xrm = target.Xrm && typeof target.Xrm === "object" ? target.Xrm : (target.Xrm = {});
    if (!xrm.App || typeof xrm.App !== "object") xrm.App = {};
    xrm.App.sessions = sessions;
  }

  // ---- window.PyApm (design.md section 3) ---------------------------------------------------
  function learnOptions(opts) {
    if (opts && typeof opts === "object" && (opts.returns === "runtime" || opts.returns === "documented")) {
      returns = opts.returns;
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
    bootPhases: {}, // ms since navigation start: start, module, snapshot (bytes in), runtime, unpacked, imported, ready
    bootedFromSnapshot: null, // true: booted from the memory snapshot (data-snapshot)
    version: null,
    reset(...args) {
      const r = invoke(P("reset"), "pyapm.reset", args);
      // A fresh workspace, as after a reload: no objects, handlers, saved session states, or
      // warnings already shown.
      for (const cache of [sessionCache, tabCache, runtimeSessions, runtimeTabs, xrmSessions, xrmTabs,
        persisted, savedStates, warned]) cache.clear();
      clearHandlers();
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
      fireSessionRefresh(args[0]);
    },
    timeline(...args) {
      return invoke(P("timeline"), "pyapm.timeline", args);
    },
    clearTimeline() {
      invoke(P("clearTimeline"), "pyapm.clearTimeline", []);
      try {
        win.dispatchEvent(new CustomEvent("pyapm:timelineclear")); // the page's panel starts over
      } catch (e) {
        report(e);
      }
    },
    catalog() {
      return invoke(P("catalog"), "pyapm.catalog", []);
    },
    onChange(listener) {
      if (typeof listener !== "function") {
        throw apmError(400, "PyApm.onChange: listener must be a function");
      }
      listeners.set(listener, ownerFrame(listener));
      return () => { listeners.delete(listener); };
    },
    ui: {
      focusSession(...args) { invoke(P("ui.focusSession"), "ui.focusSession", args); },
      closeSession(...args) { invoke(P("ui.closeSession"), "ui.closeSession", args); },
      focusTab(...args) { invoke(P("ui.focusTab"), "ui.focusTab", args); },
      closeTab(...args) { invoke(P("ui.closeTab"), "ui.closeTab", args); },
      createSession(...args) { return invoke(P("ui.createSession"), "ui.createSession", args); },
      createTab(...args) { return invoke(P("ui.createTab"), "ui.createTab", args); },
      openWebResource(...args) { return invoke(P("ui.openWebResource"), "ui.openWebResource", args); },
      setRecord(...args) { invoke(P("ui.setRecord"), "ui.setRecord", args); },
      refreshContext(...args) { invoke(P("ui.refreshContext"), "ui.refreshContext", args); },
    },
    settings: Object.freeze(Object.assign({}, settings)),
  };
  Object.defineProperty(PyApm, "__pyApmShim", { value: true });
  // Test hook: is `value` a Pyodide proxy? (results handed to user code never should be)
  Object.defineProperty(PyApm, "__isPyProxy", {
    value: (value) => PyProxyClass !== null && value instanceof PyProxyClass,
  });

  // Test hook: make the Python runtime suffer a (real) fatal error, to see what calls do after one.
  Object.defineProperty(PyApm, "__simulateFatalError", {
    value: () => {
      if (runtime === null) throw apmError(412, "PyApm.__simulateFatalError: py-apm is not ready");
      try {
        runtime._api.fatal_error(new Error("simulated by PyApm.__simulateFatalError"));
      } catch (e) {
        markFatal(e);
      }
    },
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
      // Makes one proxy (kept here, never handed out) for self-tests; returns its release.
      probe() {
        traced();
        const made = runtime.globals.get("dict");
        return () => { made.destroy(); };
      },
    }),
  });

  // ---- Frames of workspace tabs (the timeline's "frame", warning APM-W002) ---------------
  // A frame's calls run with the model's caller set to the tab hosting the frame: two extra
  // crossings per call from a frame only. A frame that loads shim.js gets its own tagging
  // `Microsoft`; the others are found from the call stack (below).
  let caller = null;
  const frameObjects = new Map(); // tabId -> {Microsoft, proxies: WeakMap}

  function setCaller(tabId) {
    caller = tabId;
    try { callFn(CODE["pyapm.setCaller"], tabId); } catch (_) { /* the call itself reports */ }
  }

  function asCaller(tabId, run) {
    if (callFn === null || caller === tabId) return run();
    const outer = caller;
    setCaller(tabId);
    try {
      return run();
    } finally {
      setCaller(outer);
    }
  }

  // Session, tab and context objects (and Promises of them) handed to a frame, wrapped so that
  // their methods and setters are tagged too.
  function forFrameValue(tabId, value) {
    if (value === null || (typeof value !== "object" && typeof value !== "function")) return value;
    if (value instanceof Promise) return value.then((v) => forFrameValue(tabId, v));
    if (typeof value === "function" || Array.isArray(value)) return value;
    const proxies = frameObjects.get(tabId).proxies;
    let proxy = proxies.get(value);
    if (!proxy) {
      proxy = new Proxy(value, {
        get(target, key) {
          const v = Reflect.get(target, key);
          if (typeof v !== "function") return v;
          return function (...args) { return forFrameValue(tabId, asCaller(tabId, () => v.apply(target, args))); };
        },
        set(target, key, v) { return asCaller(tabId, () => Reflect.set(target, key, v)); },
      });
      proxies.set(value, proxy);
    }
    return proxy;
  }

  function forFrame(tabId) {
    let entry = frameObjects.get(tabId);
    if (!entry) {
      entry = { Microsoft: null, proxies: new WeakMap() };
      frameObjects.set(tabId, entry);
      entry.Microsoft = Object.assign({}, win.Microsoft, { Apm: forFrameValue(tabId, Apm) });
    }
    return entry.Microsoft;
  }

  // The tab whose iframe (data-tab-id, set by the workspace page) hosts `frameWin`, else null.
  function hostTab(frameWin) {
    try {
      let w = frameWin;
      while (w.parent && w.parent !== win && w.parent !== w) w = w.parent;
      const el = w.parent === win ? w.frameElement : null;
      const id = el && el.getAttribute("data-tab-id");
      return id || null;
    } catch (_) {
      return null;
    }
  }

  // Most web resources never load shim.js: they call `window.parent.Microsoft.Apm` (or
  // `parent.Xrm.App.sessions`, `parent.Microsoft.AppRuntime`), often through a reference cached
  // at load and used later in callbacks. Those calls reach the objects above with nothing saying
  // which frame made them, so the caller is read from the call stack: V8 lists the frames of
  // every same-origin realm, and the first one outside shim.js made the call. Its script's URL
  // (a page's inline code has the page's URL) is matched against the frames' addresses and
  // script sources; V8 hides the realm (`getFunction`, `getThis`) of every frame below a strict
  // one, and the shim is strict. A URL shown by two tabs leaves the call untagged. This runs only
  // while a same-origin iframe is hosted (otherwise the page's own calls pay one comparison),
  // once per call from outside (nested crossings see `caller` set), never for PyApm's own
  // members.
  let framesSame = 0; // same-origin iframes in this page: their code can reach its objects
  const urlTabs = new Map(); // script URL -> {tab, seen: [[window, document]]}

  // The stack as V8's CallSites (`new Error()` is V8's cheapest capture; 14 frames reach past
  // the deepest path through the shim).
  const asSites = (_, sites) => sites;
  function callSites() {
    const prepare = Error.prepareStackTrace;
    const limit = Error.stackTraceLimit;
    Error.prepareStackTrace = asSites;
    Error.stackTraceLimit = 14;
    try {
      return new Error().stack; // prepared on this first read
    } finally {
      Error.prepareStackTrace = prepare;
      Error.stackTraceLimit = limit;
    }
  }

  function ownFile() {
    try {
      const sites = callSites();
      return Array.isArray(sites) && sites.length ? sites[0].getFileName() : null;
    } catch (_) {
      return null;
    }
  }
  const SHIM_FILE = typeof Error.captureStackTrace === "function" ? ownFile() : null; // V8 only

  function callingTab(method) {
    if (SHIM_FILE === null || method.startsWith("pyapm.") || method.startsWith("ui.")) return null;
    try {
      const sites = callSites();
      for (let i = 0; Array.isArray(sites) && i < sites.length; i++) {
        const file = sites[i].getFileName();
        // (a built-in such as Array.prototype.forEach has no line: the next site called it)
        if (file === SHIM_FILE || sites[i].getLineNumber() === null) continue;
        return file ? urlTab(file) : null; // no file: eval'd code (the console...): untagged
      }
    } catch (_) { /* a frame went away while we looked: untagged */ }
    return null;
  }

  // Every same-origin window under this one (this one first), as the workspace nests them.
  function sameOriginWindows() {
    const found = [];
    const walk = (w, depth) => {
      found.push(w);
      for (let i = 0; depth < 8 && i < w.frames.length; i++) {
        try {
          const f = w.frames[i];
          if (f.document) walk(f, depth + 1);
        } catch (_) { /* a cross-origin frame */ }
      }
    };
    walk(win, 0);
    return found;
  }

  function urlTab(file) {
    const url = file.split("#")[0];
    let known = urlTabs.get(url);
    if (known && known.seen.every(([w, doc]) => !w.closed && w.document === doc)) return known.tab;
    known = { tab: null, seen: [] };
    const tabs = new Set();
    for (const w of sameOriginWindows()) {
      const doc = w.document;
      let shows = doc.URL.split("#")[0] === url;
      for (let i = 0; !shows && i < doc.scripts.length; i++) shows = doc.scripts[i].src === url;
      if (!shows) continue;
      known.seen.push([w, doc]);
      tabs.add(hostTab(w));
    }
    if (tabs.size === 1) known.tab = tabs.values().next().value; // else ambiguous: untagged
    if (known.seen.length) urlTabs.set(url, known); // (a script not found yet may be added later)
    return known.tab;
  }

  // Counted again after every change of the page's elements (a tab's iframe added or removed)
  // and every iframe load (it may have gone to another origin); what frames show is forgotten.
  // A frame's code runs only after its iframe was added: the observer has run by then.
  const iframes = document.getElementsByTagName("iframe"); // live (no iframes in shadow roots)
  function countFrames() {
    framesSame = 0;
    for (let i = 0; i < iframes.length; i++) if (iframes[i].contentDocument) framesSame++; // null: cross-origin
    urlTabs.clear();
  }
  if (SHIM_FILE !== null) {
    new MutationObserver(countFrames).observe(document, { childList: true, subtree: true });
    // (a load event never reaches the window: listen on the document)
    document.addEventListener("load", (ev) => {
      if (ev.target instanceof HTMLIFrameElement) countFrames();
    }, true);
  }

  Object.defineProperty(PyApm, "__forFrame", { value: forFrame });
  Object.defineProperty(PyApm, "__hostTab", { value: hostTab });

  win.Microsoft = win.Microsoft || {};
  win.Microsoft.Apm = Apm;
  win.Microsoft.AppRuntime = AppRuntime;
  installXrm(win, XrmSessions);
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

  // The snapshot file (py_apm/host/snapshot.py writes it): "PYAPMSP1", the page size (u32), the
  // memory's length (u64), the number of runs of non-zero pages (u32), each run's first page
  // and page count (u32 each), then those pages' bytes; the zero pages (about half the memory)
  // are not sent. Little-endian.
  const SNAPSHOT_MAGIC = "PYAPMSP1";
  const SNAPSHOT_HEAD = 24;

  // { length, runs: [[byteOffset, byteLength]...], size } from the first bytes of the file;
  // null while more bytes are needed. Throws when they are not a py-apm snapshot.
  function snapshotHeader(head) {
    if (head.length < SNAPSHOT_HEAD) return null;
    if (String.fromCharCode(...head.subarray(0, 8)) !== SNAPSHOT_MAGIC) {
      throw new Error("not a py-apm memory snapshot");
    }
    const view = new DataView(head.buffer, head.byteOffset, head.length);
    const page = view.getUint32(8, true);
    const length = Number(view.getBigUint64(12, true));
    const count = view.getUint32(20, true);
    if (!page || !length || length > 2 ** 32 || count > length / page) {
      throw new Error("the snapshot's header is damaged");
    }
    const size = SNAPSHOT_HEAD + count * 8;
    if (head.length < size) return null;
    const runs = [];
    let end = 0;
    for (let i = 0; i < count; i++) {
      const at = view.getUint32(SNAPSHOT_HEAD + i * 8, true) * page;
      const bytes = Math.min(view.getUint32(SNAPSHOT_HEAD + 4 + i * 8, true) * page, length - at);
      if (at < end || bytes <= 0) throw new Error("the snapshot's header is damaged");
      runs.push([at, bytes]);
      end = at + bytes;
    }
    return { length, runs, size };
  }

  // The snapshot's memory as { bytes, filled }: `bytes` resolves to the whole memory
  // (zero-filled) as soon as the header is in, because Pyodide only needs its length to size
  // the wasm memory; the runs stream into it while the runtime is instantiated, and `filled`
  // resolves once they all are.
  function snapshotBody(response) {
    let header;
    const bytes = new Promise((resolve, reject) => { header = { resolve, reject }; });
    const filled = (async () => {
      const reader = response.body ? response.body.getReader() : null;
      let whole = reader ? null : new Uint8Array(await response.arrayBuffer());
      let head = new Uint8Array(0);
      let memory = null;
      let runs = null;
      let next = 0;
      let at = 0;
      let left = 0;
      const place = (chunk) => {
        for (let i = 0; i < chunk.length;) {
          if (left === 0) {
            if (next === runs.length) throw new Error("the snapshot is longer than its runs");
            [at, left] = runs[next++];
          }
          const n = Math.min(left, chunk.length - i);
          memory.set(chunk.subarray(i, i + n), at);
          i += n;
          at += n;
          left -= n;
        }
      };
      for (;;) {
        let chunk;
        if (reader) {
          const { done, value } = await reader.read();
          if (done) break;
          chunk = value;
        } else if (whole) {
          [chunk, whole] = [whole, null];
        } else break;
        if (memory) {
          place(chunk);
          continue;
        }
        const joined = new Uint8Array(head.length + chunk.length);
        joined.set(head);
        joined.set(chunk, head.length);
        head = joined;
        const parsed = snapshotHeader(head);
        if (!parsed) continue;
        memory = new Uint8Array(parsed.length);
        runs = parsed.runs;
        header.resolve(memory);
        place(head.subarray(parsed.size));
        head = null;
      }
      if (!memory || left !== 0 || next !== runs.length) throw new Error("the snapshot ended early");
      return memory;
    })();
    filled.catch((e) => header.reject(e));
    return { bytes, filled };
  }

  // Pyodide's createPyodideModule, from the pyodide.asm.mjs import started at script evaluation;
  // `before` must also be done before the runtime is handed back (the snapshot bytes are read
  // right after).
  function moduleFactory(asm, before, mark) {
    return async (settings) => {
      const runtimeModule = await (await asm).default(settings);
      mark("module");
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
    // Only the response's headers are awaited here: loadPyodide starts its own requests (wasm,
    // stdlib) at once, the wasm compiles and the runtime instantiates while the snapshot streams
    // in.
    const response = early.snapshot ? await early.snapshot : null;
    if (response) {
      try {
        const { bytes, filled } = snapshotBody(response);
        filled.then(() => mark("snapshot"), () => {});
        const pyodide = await mod.loadPyodide({
          indexURL,
          lockFileContents: early.lock,
          _loadSnapshot: bytes,
          createPyodideModule: moduleFactory(early.asm, filled, mark),
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
      lockFileContents: early.lock,
      createPyodideModule: moduleFactory(early.asm, null, mark),
      fsInit: (_FS, info) => { sitePackages = info.sitePackages; },
    });
    return { pyodide, sitePackages, fromSnapshot: false };
  }

  // Every request that does not depend on another starts here, at once: the Pyodide loader, its
  // wasm glue (handed to the loader as createPyodideModule), the snapshot and the lock file.
  function startLoading(cfg) {
    const quiet = (p) => {
      p.catch(() => {}); // awaited (and reported) by boot; never an unhandled rejection here
      return p;
    };
    return {
      loader: quiet(import(cfg.pyodideURL + "pyodide.mjs")),
      asm: quiet(import(cfg.pyodideURL + "pyodide.asm.mjs")),
      snapshot: cfg.snapshotURL ? fetchSnapshot(cfg.snapshotURL) : null, // null: "off"
      // Pyodide asks for its lock file only once its loader runs; it is needed before ready.
      lock: quiet(fetchJSON(cfg.pyodideURL + "pyodide-lock.json", "pyodide-lock.json")),
    };
  }

  function importEntry(pyodide, cfg) {
    try {
      return pyodide.pyimport("py_apm.bridge.entry");
    } catch (e) {
      throw new Error(`cannot import py_apm from ${cfg.packageURL}: ${internalError("boot", e).message}`);
    }
  }

  // Pyodide's own fatal-error hook (a private API: when it is missing, the error a call throws
  // still marks the runtime dead, see internalError).
  function watchFatal(pyodide) {
    const api = pyodide._api;
    if (!api || typeof api !== "object") return;
    const previous = api.on_fatal;
    api.on_fatal = (e) => {
      markFatal(e);
      if (typeof previous === "function") previous(e);
    };
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
    watchFatal(pyodide);
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
