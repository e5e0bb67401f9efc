// py-apm in Node (Jest, Vitest, plain scripts): `createApm()` boots Pyodide in this process and
// installs Microsoft.Apm, Microsoft.AppRuntime, Xrm.App.sessions and PyApm on a global object
// (globalThis or a jsdom window), running the browser's own shim.js: same code paths, same
// model, same errors. What a page gives the shim and Node lacks (its script tag, the document,
// fetch of file: URLs) is supplied here; nothing else differs.

import { isAbsolute, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { orderedChannelClass } from "./channels.mjs";
import { PYODIDE_URL, fileFetch } from "./node-files.mjs";
import { ensureNodeSnapshot, nodeSnapshotPath } from "./node-snapshot.mjs";
import { siteDir } from "./site.mjs";
import installShim from "../site/shim.node.mjs";

/** What createApm defines on the target global, so close() can take exactly that back. */
const OWN = Symbol.for("py-apm.node");

let snapshotHref = null;
function snapshotURL() {
  if (snapshotHref === null) snapshotHref = pathToFileURL(nodeSnapshotPath()).href;
  return snapshotHref;
}

/** The shim's fetch: the Node snapshot is built when the shim first asks for it (404 when it
 * cannot be; the shim then boots without it). */
async function shimFetch(input, init) {
  if (String(input) === snapshotURL() && (await ensureNodeSnapshot()) === null) return new Response(null, { status: 404 });
  return fileFetch(input, init);
}

/** The script tag the shim looks for: its attributes are the shim's settings. */
function scriptTag(attributes) {
  return {
    src: pathToFileURL(join(siteDir, "shim.js")).href,
    getAttribute: (name) => (name in attributes ? attributes[name] : null),
    hasAttribute: (name) => name in attributes,
  };
}

/** The little of a document the shim reads in a page that has no iframes. */
function documentFor(script) {
  return {
    currentScript: script,
    baseURI: pathToFileURL(process.cwd() + "/").href,
    querySelector: () => null,
    getElementsByTagName: () => [],
    addEventListener: () => {},
  };
}

/** A MutationObserver that never fires: Node has no elements (no tab iframes) to watch. */
class NoMutations {
  observe() {}
  disconnect() {}
}

/** `options.config` as the shim's data-config URL: a JSON file path, or an object as data JSON. */
function configURL(config) {
  if (config === undefined || config === null) return null;
  if (typeof config === "string") {
    return pathToFileURL(isAbsolute(config) ? config : resolve(process.cwd(), config)).href;
  }
  if (typeof config !== "object") throw new TypeError("createApm: options.config must be an object or a JSON file path");
  return "data:application/json," + encodeURIComponent(JSON.stringify(config));
}

/** Remembers what the target had before, so close() restores exactly that. */
function snapshotOf(target) {
  const had = (obj, key) => obj !== null && typeof obj === "object" && Object.prototype.hasOwnProperty.call(obj, key);
  const xrm = target.Xrm;
  return {
    Microsoft: had(target, "Microsoft"),
    Xrm: had(target, "Xrm"),
    App: had(xrm, "App"),
    reportError: "reportError" in target,
    dispatchEvent: "dispatchEvent" in target,
    BroadcastChannel: Object.getOwnPropertyDescriptor(target, "BroadcastChannel"),
  };
}

/**
 * Keeps `Xrm.App.sessions` on whatever `Xrm` the target is given later: test helpers such as
 * xrm-mock replace the whole `Xrm` object before each test.
 */
function followXrm(target) {
  let current = target.Xrm;
  const sessions = current.App.sessions;
  const attach = (xrm) => {
    if (xrm === null || (typeof xrm !== "object" && typeof xrm !== "function")) return;
    try {
      if (!xrm.App || typeof xrm.App !== "object") xrm.App = {};
      if (xrm.App.sessions !== sessions) xrm.App.sessions = sessions;
    } catch {
      /* a frozen Xrm: it keeps what it has */
    }
  };
  Object.defineProperty(target, "Xrm", {
    configurable: true,
    enumerable: true,
    get: () => current,
    set: (xrm) => {
      current = xrm;
      attach(xrm);
    },
  });
}

/**
 * Boot py-apm in this process and install its faces on `options.global` (default globalThis).
 *
 * options: {global?, config? (object or JSON file path), snapshot? (true: build and use the
 * Node memory snapshot, the default; false: boot without)}.
 * Resolves to {PyApm, ready, bootTimeMs, bootedFromSnapshot, reset(options?), close()}.
 */
export async function createApm(options = {}) {
  const target = options.global || globalThis;
  if (target[OWN]) throw new Error("createApm: py-apm is already installed on this global (close() it first)");
  const started = performance.now();
  const attributes = {
    "data-pyodide": PYODIDE_URL,
    "data-package": pathToFileURL(join(siteDir, "py_apm.zip")).href,
    "data-snapshot": options.snapshot === false ? "off" : snapshotURL(),
  };
  const config = configURL(options.config);
  if (config) attributes["data-config"] = config;

  const before = snapshotOf(target);
  const channels = orderedChannelClass();
  const state = { before, channels };
  Object.defineProperty(target, OWN, { value: state, configurable: true });
  // Where the shim reports an error a listener threw: the console, as a page's does (a throw
  // from a timer would end a test run).
  if (!before.reportError) {
    Object.defineProperty(target, "reportError", { value: (e) => console.error(e), configurable: true, writable: true });
  }
  if (!before.dispatchEvent) {
    Object.defineProperty(target, "dispatchEvent", { value: () => true, configurable: true, writable: true });
  }
  // The events' way out, with a page's ordering (channels.mjs); jsdom's window has none.
  Object.defineProperty(target, "BroadcastChannel", { value: channels.BroadcastChannel, configurable: true, writable: true });
  // The target's own CustomEvent: a jsdom window dispatches only its own events.
  const CustomEventClass = typeof target.CustomEvent === "function" ? target.CustomEvent : CustomEvent;
  installShim(target, documentFor(scriptTag(attributes)), shimFetch, NoMutations, channels.BroadcastChannel, CustomEventClass);
  followXrm(target);
  const PyApm = target.PyApm;
  try {
    await PyApm.ready;
  } catch (e) {
    uninstall(target);
    throw e;
  }
  return {
    PyApm,
    global: target,
    bootTimeMs: Math.round(performance.now() - started),
    bootedFromSnapshot: PyApm.bootedFromSnapshot,
    /** PyApm.reset: a fresh workspace (options as PyApm.reset's). */
    reset: (resetOptions) => PyApm.reset(resetOptions),
    /** Remove everything createApm defined on the global. */
    close: async () => uninstall(target),
  };
}

function uninstall(target) {
  const state = target[OWN];
  if (!state) return;
  const { before, channels } = state;
  channels.closeAll();
  const xrm = target.Xrm;
  delete target.Xrm; // the accessor of followXrm
  if (before.Xrm) {
    target.Xrm = xrm;
    if (xrm && xrm.App) {
      delete xrm.App.sessions;
      if (!before.App && Object.keys(xrm.App).length === 0) delete xrm.App;
    }
  }
  if (target.Microsoft) {
    delete target.Microsoft.Apm;
    delete target.Microsoft.AppRuntime;
    if (!before.Microsoft && Object.keys(target.Microsoft).length === 0) delete target.Microsoft;
  }
  delete target.PyApm;
  if (!before.reportError) delete target.reportError;
  if (!before.dispatchEvent) delete target.dispatchEvent;
  delete target.BroadcastChannel;
  if (before.BroadcastChannel) Object.defineProperty(target, "BroadcastChannel", before.BroadcastChannel);
  delete target[OWN];
}
