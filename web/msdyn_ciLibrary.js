// py-apm's stand-in for <org>/webresources/Widget/msdyn_ciLibrary.js, the Channel Integration
// Framework 2.0 library a channel provider's widget loads (docs/cif.md).
//
// Load it as real providers do:
//   <script src="<org>/webresources/Widget/msdyn_ciLibrary.js" data-crmurl="<org>"
//           data-cifid="CIFMainLibrary"></script>
// or through a `ucilib=<org>/webresources/Widget/msdyn_ciLibrary.js` parameter of the widget's
// URL, or with nothing (the referrer is the org). It binds window.Microsoft.CIFramework to the
// py-apm workspace at the top of this window (which knows which provider frame is calling):
// directly when the top is on the same origin, else by postMessage (the library's protocol) and
// raises `CIFInitDone` on window once, in a later task, when the workspace is ready (same
// origin) and the widget's document is parsed.
(function () {
  "use strict";
  const win = window;
  if (win.Microsoft && win.Microsoft.CIFramework && win.Microsoft.CIFramework.__pyApmCif) return;

  // A same-origin top with py-apm: its faces are called directly. A top on another origin: the
  // library's postMessage protocol, to the org named by data-crmurl, ucilib= or the referrer.
  /** @returns {any} */
  function host() {
    try {
      const top = win.top;
      return top && top.PyApm && top.PyApm.__pyApmShim && typeof top.PyApm.__cif === "function" ? top : null;
    } catch (_) {
      return null; // a cross-origin top: no py-apm workspace can be reached
    }
  }

  const top = host();
  const ns = win.Microsoft || (win.Microsoft = {});
  if (top === null) {
    if (crossOrigin()) {
      ns.CIFramework = messaging();
      whenParsed().then(() => initDone(allowedOrigins()));
      return;
    }
    // Not inside a py-apm workspace: every member rejects, saying why.
    const why = "Microsoft.CIFramework: this page is not inside a py-apm workspace (open it as a " +
      "channel provider of `py-apm serve`, or load shim.js in the top window)";
    ns.CIFramework = new Proxy({}, {
      get: (_, name) => (name === "__pyApmCif" ? true : () => Promise.reject(Object.assign(new Error(why), { errorCode: 412 }))),
    });
    return;
  }
  ns.CIFramework = top.PyApm.__cif(win);

  Promise.all([top.PyApm.ready, whenParsed()]).then(() => initDone([top.location.origin]),
    (/** @type {unknown} */ e) => console.error("[py-apm] the workspace did not start:", e));

  /** @param {string[]} detail */
  function initDone(detail) {
    setTimeout(() => {
      win.dispatchEvent(new CustomEvent("CIFInitDone", { detail }));
    }, 0);
  }

  // Once the widget's document is parsed too: a listener added by a later script of the page
  // (after a stylesheet that blocks it) is not missed.
  function whenParsed() {
    return document.readyState === "loading"
      ? new Promise((done) => document.addEventListener("DOMContentLoaded", done, { once: true }))
      : Promise.resolve();
  }

  /** True when the top window is on another origin (its objects cannot be reached). */
  function crossOrigin() {
    try {
      void win.top.location.href;
      return false;
    } catch (_) {
      return win.top !== win;
    }
  }

  // ------------------------------------------------------------------ cross-origin providers
  // The library's postMessage protocol (docs/cif.md "Cross-origin providers"): each call is
  // posted to window.top as {messageType, messageData, messageCorrelationId} with the last
  // allowed origin as targetOrigin; the workspace answers {messageOutcome, messageData,
  // messageCorrelationId, messageType: "CIF_Response"} and posts the events of the handlers
  // registered here as {messageType: "CIF_Event", messageData: {handlerId, name, payload}}.

  /** The org's origins: data-crmurl (else the referrer), then the origin of ucilib=. */
  function allowedOrigins() {
    /** @param {string | null | undefined} url */
    const origin = (url) => {
      try {
        const o = url ? new URL(url, location.href).origin : "";
        return o === "null" ? "" : o;
      } catch (_) {
        return "";
      }
    };
    const tag = document.querySelector('script[data-cifid="CIFMainLibrary"]');
    const list = [origin(tag && tag.getAttribute("data-crmurl")) || origin(document.referrer)];
    list.push(origin(new URLSearchParams(location.search).get("ucilib")));
    return list.filter((o, i) => o && list.indexOf(o) === i);
  }

  /**
   * The workspace's error rebuilt (CIF-D3): an Error with errorCode, msdyn_name, get(key) like
   * the library's Map and toString() giving its JSON text, as on the same-origin path.
   * @param {{message?: unknown, errorCode?: unknown, msdyn_name?: unknown}} d
   */
  function cifError(d) {
    const message = String(d.message);
    const name = String(d.msdyn_name);
    const e = new Error(message);
    Object.defineProperties(e, {
      errorCode: { value: typeof d.errorCode === "number" ? d.errorCode : 500, enumerable: true, writable: true, configurable: true },
      msdyn_name: { value: name, enumerable: true, writable: true, configurable: true },
      get: { value: (/** @type {string} */ key) => (key === "message" ? message : key === "msdyn_name" ? name : undefined) },
      toString: { value: () => JSON.stringify({ message, msdyn_name: name }) },
    });
    return e;
  }

  /** getSession's Map with the same values as own properties (CIF-D4). @param {Record<string, unknown>} data */
  function sessionMap(data) {
    const m = new Map(Object.entries(data));
    for (const [k, v] of m) Object.defineProperty(m, k, { value: v, enumerable: true });
    Object.defineProperty(m, "isFocused", { value: data.focused, enumerable: true });
    return m;
  }

  function messaging() {
    /** The member names of the library (the workspace answers each; a test compares both faces). */
    const MEMBERS = [
      "canCreateSession", "createSession", "getSession", "getFocusedSession", "getAllSessions",
      "requestFocusSession", "setSessionTitle", "updateContext", "createTab", "getTabs", "getFocusedTab",
      "focusTab", "refreshTab", "setTabTitle", "closeTab", "notifyNewActivity", "notifyKpiBreach",
      "setMode", "getMode", "setWidth", "getWidth", "setPresence", "getPresence", "setClickToAct",
      "getClickToAct", "getEnvironment", "notifyEvent", "cancelEvent", "initLogAnalytics",
      "logAnalyticsEvent", "createRecord", "retrieveRecord", "updateRecord", "deleteRecord",
      "searchAndOpenRecords", "openForm", "updateConversation", "renderSearchPage",
      "openKBSearchControl", "getEntityMetadata", "raiseEvent", "insertNotes", "openDialog",
    ];
    /** Members the library never times out (W22); the others reject after TIMEOUT_MS. */
    const NO_TIMEOUT = ["createSession", "notifyEvent", "openForm"];
    /** The library's promiseTimeOut: a call the workspace does not answer rejects after it. */
    const TIMEOUT_MS = 10000;
    const origins = allowedOrigins();
    const target = origins[origins.length - 1] || "";
    /** @type {Map<string, {resolve: (v: unknown) => void, reject: (e: unknown) => void, timer: any}>} */
    const waiting = new Map();
    /** @type {Map<string, {name: string, fn: Function}>} handler id -> handler */
    const handlers = new Map();
    const instance = Math.random().toString(36).slice(2) + Date.now().toString(36);
    let sequence = 0;

    win.addEventListener("message", (ev) => {
      if (ev.source !== win.top || !origins.includes(ev.origin)) return;
      const d = ev.data;
      if (!d || typeof d !== "object") return;
      if (d.messageType === "CIF_Response") {
        const w = waiting.get(d.messageCorrelationId);
        if (!w) return;
        waiting.delete(d.messageCorrelationId);
        if (w.timer !== null) clearTimeout(w.timer);
        const data = d.messageData || {};
        if (d.messageOutcome === "success") w.resolve(data.map ? sessionMap(data.value) : data.value === undefined ? null : data.value);
        else w.reject(cifError(data));
      } else if (d.messageType === "CIF_Event" && d.messageData) {
        const h = handlers.get(d.messageData.handlerId);
        if (!h) return;
        try {
          const r = h.fn(d.messageData.payload);
          if (r && typeof r.then === "function") r.then(undefined, (/** @type {unknown} */ e) => reportError(e));
        } catch (e) {
          reportError(e);
        }
      }
    });

    /** @param {string} api @param {unknown[]} args @returns {Promise<any>} */
    function post(api, args) {
      return new Promise((resolve, reject) => {
        if (!target) {
          reject(cifError({ message: `Microsoft.CIFramework.${api}: no workspace origin to post to (give data-crmurl on the library's script tag, or a ucilib= parameter)`, errorCode: 412, msdyn_name: api }));
          return;
        }
        const id = `${instance}-${++sequence}`;
        try {
          win.top.postMessage({ messageType: api, messageData: { args, instance }, messageCorrelationId: id }, target);
        } catch (e) {
          const why = e && /** @type {any} */ (e).name === "DataCloneError"
            ? "the arguments must be structured-clone-safe data (no functions, no DOM nodes)"
            : String(e);
          reject(cifError({ message: `Microsoft.CIFramework.${api}: ${why}`, errorCode: 400, msdyn_name: api }));
          return;
        }
        const timer = NO_TIMEOUT.includes(api) ? null : setTimeout(() => {
          waiting.delete(id);
          reject(cifError({ message: "Timeout occurred as no response was received from listener window", errorCode: 408, msdyn_name: api }));
        }, TIMEOUT_MS);
        waiting.set(id, { resolve, reject, timer });
      });
    }

    /** @type {Record<string, Function>} */
    const face = {};
    for (const api of MEMBERS) {
      face[api] = { [api](/** @type {unknown[]} */ ...args) { return post(api, args); } }[api];
    }
    /**
     * addHandler/removeHandler: undefined at once for good arguments (the workspace registers a
     * forwarder for this handler); with bad ones, the workspace's refusal as a rejected Promise.
     * @param {"addHandler" | "removeHandler"} api
     */
    const register = (api) => function (/** @type {unknown} */ name, /** @type {unknown} */ fn) {
      if (typeof name !== "string" || name === "" || typeof fn !== "function") {
        return post(api, [typeof name === "string" ? name : null, null]);
      }
      let id = "";
      for (const [k, h] of handlers) if (h.name === name && h.fn === fn) id = k;
      if (api === "addHandler") {
        id = `${instance}-h${++sequence}`;
        handlers.set(id, { name, fn });
      } else if (!id) {
        return undefined;
      } else {
        handlers.delete(id);
      }
      post(api, [name, id]).catch(reportError);
      return undefined;
    };
    face.addHandler = { addHandler: register("addHandler") }.addHandler;
    face.removeHandler = { removeHandler: register("removeHandler") }.removeHandler;
    Object.defineProperty(face, "__pyApmCif", { value: true });
    return Object.freeze(face);
  }
})();
