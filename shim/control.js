// window.PyApm (design.md section 3): readiness, reset/configure, state, the timeline, the
// page's listeners, the UI actions of the workspace page, test hooks, and the tagging Microsoft
// object handed to a tab's frame.
import { forFrame, forgetBound, sessionsFor } from "./bound.js";
import { apmError } from "./errors.js";
import { fireSessionRefresh, listeners, report, warned, clearHandlers } from "./events.js";
import { Apm, clearApm } from "./faces/apm.js";
import { clearRuntime } from "./faces/runtime.js";
import { clearXrm } from "./faces/xrm.js";
import { hostTab, ownerFrame } from "./frames.js";
import { invoke, isPyProxy, learnOptions, markFatal, pyodideHandle, readOptions } from "./wire.js";
import { win } from "./win.js";

const P = (/** @type {string} */ m) => `PyApm.${m}`;

/**
 * The control object (window.PyApm) for `settings`, with the resolvers of its `ready` Promise
 * (settled by the boot).
 * @param {Record<string, unknown>} settings
 */
export function createControl(settings) {
  /** @type {(value: any) => void} */
  let readyResolve = () => {};
  /** @type {(reason: any) => void} */
  let readyReject = () => {};
  const ready = new Promise((res, rej) => {
    readyResolve = res;
    readyReject = rej;
  });

  const PyApm = {
    ready,
    isReady: false,
    bootTimeMs: null,
    bootPhases: {}, // ms since navigation start: start, module, snapshot (bytes in), runtime, unpacked, imported, ready
    bootedFromSnapshot: null, // true: booted from the memory snapshot (data-snapshot)
    version: null,
    /** @param {...unknown} args */
    reset(...args) {
      const r = invoke(P("reset"), "pyapm.reset", args);
      // A fresh workspace, as after a reload: no objects, handlers, saved session states, or
      // warnings already shown.
      clearApm();
      clearRuntime();
      clearXrm();
      forgetBound();
      warned.clear();
      clearHandlers();
      // Without options the configured ones stay, and with them the return contract: no need
      // to ask (one crossing less on the most frequent reset).
      const same = args.length === 0 || args[0] === undefined || args[0] === null;
      if (!same && !learnOptions(r)) readOptions();
      return undefined;
    },
    /** @param {...unknown} args */
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
    /** @param {...unknown} args */
    refreshContext(...args) {
      invoke(P("refreshContext"), "pyapm.refreshContext", args);
      fireSessionRefresh(/** @type {string} */ (args[0]));
    },
    /** @param {...unknown} args */
    timeline(...args) {
      return invoke(P("timeline"), "pyapm.timeline", args);
    },
    clearTimeline() {
      invoke(P("clearTimeline"), "pyapm.clearTimeline", []);
      if (typeof win.dispatchEvent !== "function") return; // a global that is no EventTarget
      try {
        win.dispatchEvent(new win.CustomEvent("pyapm:timelineclear")); // the page's panel starts over
      } catch (e) {
        report(e);
      }
    },
    catalog() {
      return invoke(P("catalog"), "pyapm.catalog", []);
    },
    /** @param {unknown} listener */
    onChange(listener) {
      if (typeof listener !== "function") {
        throw apmError(400, "PyApm.onChange: listener must be a function");
      }
      listeners.set(listener, ownerFrame(listener));
      return () => { listeners.delete(listener); };
    },
    ui: {
      /** @param {...unknown} args */
      focusSession(...args) { invoke(P("ui.focusSession"), "ui.focusSession", args); },
      /** @param {...unknown} args */
      closeSession(...args) { invoke(P("ui.closeSession"), "ui.closeSession", args); },
      /** @param {...unknown} args */
      focusTab(...args) { invoke(P("ui.focusTab"), "ui.focusTab", args); },
      /** @param {...unknown} args */
      closeTab(...args) { invoke(P("ui.closeTab"), "ui.closeTab", args); },
      /** @param {...unknown} args */
      createSession(...args) { return invoke(P("ui.createSession"), "ui.createSession", args); },
      /** @param {...unknown} args */
      createTab(...args) { return invoke(P("ui.createTab"), "ui.createTab", args); },
      /** @param {...unknown} args */
      openWebResource(...args) { return invoke(P("ui.openWebResource"), "ui.openWebResource", args); },
      /** @param {...unknown} args */
      setRecord(...args) { invoke(P("ui.setRecord"), "ui.setRecord", args); },
      /** @param {...unknown} args */
      refreshContext(...args) { invoke(P("ui.refreshContext"), "ui.refreshContext", args); },
    },
    settings: Object.freeze(Object.assign({}, settings)),
  };
  Object.defineProperty(PyApm, "__pyApmShim", { value: true });
  // Test hook: is `value` a Pyodide proxy? (results handed to user code never should be)
  Object.defineProperty(PyApm, "__isPyProxy", {
    value: isPyProxy,
  });

  // Test hook: make the Python runtime suffer a (real) fatal error, to see what calls do after one.
  Object.defineProperty(PyApm, "__simulateFatalError", {
    value: () => {
      const runtime = pyodideHandle();
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
    const runtime = pyodideHandle();
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
        const made = pyodideHandle().globals.get("dict");
        return () => { made.destroy(); };
      },
    }),
  });

  // A tab's faces, for a frame that loads shim.js (bound.js).
  Object.defineProperty(PyApm, "__forFrame", { value: forFrame });
  Object.defineProperty(PyApm, "__sessionsForFrame", { value: sessionsFor });
  Object.defineProperty(PyApm, "__hostTab", { value: hostTab });
  return { PyApm, readyResolve, readyReject };
}
