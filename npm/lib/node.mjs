// py-apm in Node (Jest, Vitest, plain scripts): `createApm()` boots Pyodide in this process and
// installs Microsoft.Apm, Microsoft.AppRuntime, Xrm.App.sessions and PyApm on a global object
// (globalThis or a jsdom window) with the shim's own modules (site/shim.node.mjs, bundled from
// shim/ like shim.js): same code paths, same model, same errors. What a page gives the shim and
// Node lacks (its script tag, fetch of file: URLs, a page's BroadcastChannel order, reportError)
// is supplied here; nothing else differs.

import { isAbsolute, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { orderedChannelClass } from "./channels.mjs";
import { PYODIDE_URL, fileFetch } from "./node-files.mjs";
import { ensureNodeSnapshot, nodeSnapshotPath } from "./node-snapshot.mjs";
import { siteDir } from "./site.mjs";

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

/** The shim's modules, a new instance (a new emulator) per call: their state is module state. */
let instances = 0;
function freshShim() {
  return import(new URL(`../site/shim.node.mjs?instance=${++instances}`, import.meta.url).href);
}
// One instance is always loaded ahead, so createApm installs the faces before it first awaits:
// a call made right after createApm() gets the 412 of a page that is still loading.
let nextShim = await freshShim();

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
    MicrosoftKeys: target.Microsoft && typeof target.Microsoft === "object" ? Object.keys(target.Microsoft) : [],
    Xrm: had(target, "Xrm"),
    App: had(xrm, "App"),
    reportError: "reportError" in target,
    BroadcastChannel: Object.getOwnPropertyDescriptor(target, "BroadcastChannel"),
  };
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

  const shim = nextShim || (await freshShim());
  nextShim = null;
  freshShim().then((loaded) => { nextShim = loaded; }, () => {});
  const before = snapshotOf(target);
  const channels = orderedChannelClass();
  const state = { before, channels };
  Object.defineProperty(target, OWN, { value: state, configurable: true });
  // Where the shim reports an error a listener threw: the console, as a page's does (a throw
  // from a timer would end a test run).
  if (!before.reportError) {
    Object.defineProperty(target, "reportError", { value: (e) => console.error(e), configurable: true, writable: true });
  }
  // The events' way out, with a page's ordering (channels.mjs); jsdom's window has none.
  Object.defineProperty(target, "BroadcastChannel", { value: channels.BroadcastChannel, configurable: true, writable: true });
  shim.setHost({ fetch: shimFetch, BroadcastChannel: channels.BroadcastChannel });
  shim.install(target, {
    src: pathToFileURL(join(siteDir, "shim.js")).href,
    baseURI: pathToFileURL(process.cwd() + "/").href,
    attributes,
  });
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
  delete target.Xrm; // the shim's accessor (it follows a replaced Xrm)
  if (before.Xrm) {
    target.Xrm = xrm;
    if (xrm && xrm.App) {
      delete xrm.App.sessions;
      if (!before.App && Object.keys(xrm.App).length === 0) delete xrm.App;
    }
  }
  if (target.Microsoft) {
    // Apm, AppRuntime, CIFramework...: whatever the install added beside the global's own.
    for (const key of Object.keys(target.Microsoft)) if (!before.MicrosoftKeys.includes(key)) delete target.Microsoft[key];
    if (!before.Microsoft && Object.keys(target.Microsoft).length === 0) delete target.Microsoft;
  }
  delete target.PyApm;
  if (!before.reportError) delete target.reportError;
  delete target.BroadcastChannel;
  if (before.BroadcastChannel) Object.defineProperty(target, "BroadcastChannel", before.BroadcastChannel);
  delete target[OWN];
}
