// The isolation guard of the apm_page (pytest) and apmPage (Playwright Test) fixtures: an init
// script of their browser context, run in the workspace window before the page's own scripts.
// It notes what a test adds to that window (timers, listeners, channels, workers, sockets,
// windows, IndexedDB connections, globals and changes to them) so that the next test's reset
// can undo it, and says what it cannot undo: the fixture then reloads the page. Code of the
// workspace itself (its own .js files on this origin, web resources excepted) is not tracked:
// its timers and channels are part of the emulator, not of the test.
//
//   window.__pyApmIsolation.mark()      after the reset: from now on, what is made is the test's
//   await window.__pyApmIsolation.clean()   undo it; {dirty: [...]} names what needs a reload
(() => {
  "use strict";
  if (typeof window === "undefined" || window !== window.top || Object.prototype.hasOwnProperty.call(window, "__pyApmIsolation")) return;

  const origin = location.origin;
  let armed = false;
  const timers = new Set(); // setTimeout / setInterval ids
  const frames = new Set(); // requestAnimationFrame ids
  const idles = new Set(); // requestIdleCallback ids
  const listeners = []; // [target, type, listener, capture]
  const closables = new Set(); // BroadcastChannel, MessagePort, WebSocket, EventSource, Worker, window
  const databases = new Set(); // IDBOpenDBRequest

  // Whether the code that called a wrapper is the workspace's own script (stack lines: "Error",
  // this function, tracking, the wrapper, its caller).
  const OWN = /\((https?:\/\/[^/\s)]+)(\/[^\s):]*):\d+:\d+\)$|at (https?:\/\/[^/\s)]+)(\/[^\s):]*):\d+:\d+$/;
  function workspaceCode() {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 5;
    const stack = String(new Error().stack || "");
    Error.stackTraceLimit = limit;
    const line = (stack.split("\n")[4] || "").trim();
    const m = OWN.exec(line);
    if (!m) return false;
    const from = m[1] || m[3];
    const path = m[2] || m[4];
    return from === origin && !path.startsWith("/webresources/") && /\.m?js$/.test(path);
  }
  const tracking = () => armed && !workspaceCode();

  // ---- timers -------------------------------------------------------------------------------
  const cancels = []; // [ids, cancel function name]
  function wrapTimer(name, cancel, ids, forgetOnRun) {
    const original = window[name];
    if (typeof original !== "function") return;
    cancels.push([ids, cancel]);
    window[name] = function (callback, ...rest) {
      if (!tracking()) return original.call(window, callback, ...rest);
      let id;
      const run = forgetOnRun && typeof callback === "function"
        ? function (...a) { ids.delete(id); return callback.apply(this, a); }
        : callback;
      id = original.call(window, run, ...rest);
      ids.add(id);
      return id;
    };
  }
  wrapTimer("setTimeout", "clearTimeout", timers, true);
  wrapTimer("setInterval", "clearInterval", timers, false);
  wrapTimer("requestAnimationFrame", "cancelAnimationFrame", frames, true);
  wrapTimer("requestIdleCallback", "cancelIdleCallback", idles, true);

  // ---- listeners ----------------------------------------------------------------------------
  const targetProto = EventTarget.prototype;
  const addListener = targetProto.addEventListener;
  targetProto.addEventListener = function addEventListener(type, listener, options) {
    // A bare `addEventListener(...)` in a sloppy script calls this strict wrapper with no
    // `this`: the browser adds it to the window, and so must the record (else never removed).
    const target = this === undefined || this === null ? window : this;
    const r = addListener.call(target, type, listener, options);
    if (listener && tracking()) {
      const capture = typeof options === "boolean" ? options : !!(options && options.capture);
      listeners.push([target, type, listener, capture]);
    }
    return r;
  };

  // ---- things with a close(): channels, ports, sockets, workers ----------------------------
  function trackNew(name, after) {
    const original = window[name];
    if (typeof original !== "function") return;
    window[name] = new Proxy(original, {
      construct(target, args, newTarget) {
        const made = Reflect.construct(target, args, newTarget);
        if (tracking()) after(made);
        return made;
      },
    });
  }
  const keep = (o) => closables.add(o);
  for (const name of ["BroadcastChannel", "WebSocket", "EventSource", "Worker"]) trackNew(name, keep);
  trackNew("SharedWorker", (w) => keep(w.port));
  trackNew("MessageChannel", (ch) => { keep(ch.port1); keep(ch.port2); });
  const originalOpen = window.open;
  window.open = function open(...args) {
    const opened = originalOpen.apply(window, args);
    if (opened && tracking()) closables.add(opened);
    return opened;
  };
  if (window.IDBFactory) {
    const openDb = IDBFactory.prototype.open;
    IDBFactory.prototype.open = function open(...args) {
      const request = openDb.apply(this, args);
      if (tracking()) databases.add(request);
      return request;
    };
  }

  function closeAll() {
    for (const o of closables) {
      try {
        if (typeof o.terminate === "function") o.terminate();
        else o.close();
      } catch (_) { /* already closed */ }
    }
    closables.clear();
    for (const request of databases) {
      try {
        if (request.readyState === "done" && request.result) request.result.close();
        else request.addEventListener("success", () => request.result.close());
      } catch (_) { /* failed to open */ }
    }
    databases.clear();
  }

  // ---- globals and the objects worth watching -------------------------------------------------
  // Descriptors of the window's own properties, of the workspace's API objects (deep) and of the
  // built-ins a test is likely to patch; compared and restored at clean().
  const WATCHED = ["Object", "Array", "Function", "String", "Number", "Boolean", "Symbol", "Promise",
    "Date", "RegExp", "Map", "Set", "WeakMap", "WeakSet", "Error", "JSON", "Math", "Reflect",
    "console", "EventTarget", "Node", "Element", "HTMLElement", "HTMLIFrameElement", "Document",
    "Window", "Navigator", "Storage", "XMLHttpRequest", "Response", "Request", "Headers", "URL",
    "URLSearchParams", "History", "Location", "MessagePort", "Performance", "Crypto", "IDBFactory",
    "CustomEvent", "Event"];
  const API = ["Microsoft", "Xrm", "PyApm"];
  let baseline = null; // Map(object -> Map(key -> descriptor))
  let documentBase = null; // {title, head: Set, body: Set}

  function describe(object) {
    const own = new Map();
    for (const key of Reflect.ownKeys(object)) own.set(key, Reflect.getOwnPropertyDescriptor(object, key));
    return own;
  }

  // ---- page listeners (PyApm.onChange) -------------------------------------------------------
  // PyApm.reset keeps them (they belong to the page, like its DOM listeners): the ones a test
  // adds are removed here, through the unsubscribe functions onChange handed out.
  const unsubscribes = [];
  function wrapOnChange() {
    const P = window.PyApm;
    if (!P || typeof P.onChange !== "function") return;
    const original = P.onChange;
    P.onChange = function onChange(listener) {
      const off = original.call(this, listener);
      if (tracking() && typeof off === "function") unsubscribes.push(off);
      return off;
    };
  }

  function takeBaseline() {
    baseline = new Map();
    baseline.set(window, describe(window));
    const seen = new Set([window]);
    const add = (o) => {
      if (o === null || (typeof o !== "object" && typeof o !== "function") || seen.has(o)) return;
      seen.add(o);
      baseline.set(o, describe(o));
    };
    for (const name of WATCHED) {
      const v = window[name];
      add(v);
      if (typeof v === "function") add(v.prototype);
    }
    add(navigator);
    add(document);
    const walk = (o, depth) => {
      if (o === null || typeof o !== "object" || seen.has(o) || o instanceof Node || o instanceof Promise) return;
      add(o);
      if (depth >= 4) return;
      for (const [, d] of baseline.get(o)) if ("value" in d) walk(d.value, depth + 1);
    };
    for (const name of API) walk(window[name], 0);
    documentBase = {
      title: document.title,
      head: new Set(document.head ? document.head.children : []),
      body: new Set(document.body ? document.body.children : []),
    };
  }

  const same = (a, b) =>
    a.configurable === b.configurable && a.enumerable === b.enumerable &&
    ("value" in a
      ? "value" in b && Object.is(a.value, b.value) && a.writable === b.writable
      : a.get === b.get && a.set === b.set);

  // Event handler attributes (onmessage...) are accessors whose value is the handler.
  const handlerKeys = (o) => {
    const keys = [];
    for (const k in o) if (k.startsWith("on")) keys.push(k);
    return keys;
  };
  let handlerBase = null; // [[object, key, value]]

  // The window's index properties are its frames: they come and go with their elements (a
  // test's own under <head>/<body> are removed below, the workspace's with its reset), never
  // with a script's definitions.
  const isFrameIndex = (key) => typeof key === "string" && /^(0|[1-9]\d*)$/.test(key);

  function restore(object, before, dirty) {
    const label = object === window ? "window" : (object.constructor && object.constructor.name) || "object";
    for (const key of Reflect.ownKeys(object)) {
      if (before.has(key) || (object === window && isFrameIndex(key))) continue;
      if (!Reflect.deleteProperty(object, key)) dirty.push(`${label}.${String(key)} (added, not deletable)`);
    }
    for (const [key, was] of before) {
      if (object === window && isFrameIndex(key)) continue;
      const now = Reflect.getOwnPropertyDescriptor(object, key);
      if (now && same(now, was)) continue;
      let ok = false;
      try {
        ok = Reflect.defineProperty(object, key, was);
      } catch (_) { ok = false; }
      if (!ok && now && "value" in was && now.writable) {
        try {
          object[key] = was.value;
          ok = Object.is(object[key], was.value);
        } catch (_) { ok = false; }
      }
      if (!ok) dirty.push(`${label}.${String(key)} (changed, not restorable)`);
    }
  }

  function restoreDocument() {
    if (document.title !== documentBase.title) document.title = documentBase.title;
    for (const [parent, kept] of [[document.head, documentBase.head], [document.body, documentBase.body]]) {
      if (!parent) continue;
      for (const child of [...parent.children]) if (!kept.has(child)) child.remove();
    }
    for (const [o, k, v] of handlerBase) if (o[k] !== v) o[k] = v;
  }

  async function clearStorage(dirty) {
    try { localStorage.clear(); } catch (_) { /* storage disabled */ }
    try { sessionStorage.clear(); } catch (_) { /* storage disabled */ }
    const waits = [];
    if (window.indexedDB && indexedDB.databases) {
      const names = await indexedDB.databases();
      for (const { name } of names) {
        waits.push(new Promise((done) => {
          const r = indexedDB.deleteDatabase(name);
          r.onsuccess = r.onerror = () => done();
          r.onblocked = () => { dirty.push(`IndexedDB ${name} (open elsewhere)`); done(); };
        }));
      }
    }
    if (window.caches) {
      for (const key of await caches.keys()) waits.push(caches.delete(key));
    }
    if (navigator.serviceWorker) {
      const registrations = await navigator.serviceWorker.getRegistrations();
      for (const r of registrations) waits.push(r.unregister());
      if (navigator.serviceWorker.controller) dirty.push("a service worker controls the page");
    }
    await Promise.all(waits);
  }

  const api = {
    /** Whether mark() was called since this document loaded. */
    get marked() {
      return baseline !== null;
    },
    /** From now on what is made belongs to the test (the first call takes the baseline). */
    mark() {
      if (baseline === null) {
        wrapOnChange(); // before the baseline, which then keeps the wrapper
        takeBaseline();
        handlerBase = [];
        for (const o of [window, document]) for (const k of handlerKeys(o)) handlerBase.push([o, k, o[k]]);
      }
      armed = true;
    },
    /** Undo what the test made; `dirty` lists what could not be undone (reload the page). */
    async clean() {
      armed = false;
      const dirty = [];
      if (baseline === null) return { dirty: ["no baseline"] };
      for (const [ids, cancel] of cancels) {
        for (const id of ids) window[cancel](id);
        ids.clear();
      }
      for (const [target, type, listener, capture] of listeners) {
        try { target.removeEventListener(type, listener, capture); } catch (_) { /* gone */ }
      }
      listeners.length = 0;
      for (const off of unsubscribes.splice(0)) off();
      closeAll();
      for (const [object, before] of baseline) restore(object, before, dirty);
      restoreDocument();
      await clearStorage(dirty);
      return { dirty };
    },
  };
  Object.defineProperty(window, "__pyApmIsolation", { value: Object.freeze(api) });
})();
