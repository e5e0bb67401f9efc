// Boot: the settings from the script tag, Pyodide from its local copy (never a CDN), the
// memory snapshot when there is one, the py_apm package, then the wire is connected and
// PyApm.ready resolves (bootPhases records when each step ended).
import { apmError } from "./errors.js";
import { fetchRecord, fetchSnapshot, snapshotBody } from "./snapshot.js";
import { CODE, bootFailed, connect, internalError, invoke, markFatal, onPayload, readOptions } from "./wire.js";

/** @param {string} url @param {string} what */
async function fetchBytes(url, what) {
  const r = await fetch(url);
  if (!r.ok) throw new Error(`cannot load ${what} from ${url}: HTTP ${r.status}`);
  return r.arrayBuffer();
}

/** @param {string} url @param {string} what @param {boolean} [optional] @returns {Promise<any>} */
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

// right after).
/** @param {Promise<any>} asm @param {Promise<unknown> | null} before @param {(phase: string) => void} mark */
function moduleFactory(asm, before, mark) {
  return async (/** @type {unknown} */ settings) => {
    const runtimeModule = await (await asm).default(settings);
    mark("module");
    await before;
    return runtimeModule;
  };
}

/** @param {string} indexURL @param {Early} early @param {(phase: string) => void} mark @returns {Promise<{pyodide: any, sitePackages: string | null, fromSnapshot: boolean}>} */
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
      const record = early.record || Promise.resolve(null);
      const { bytes, filled } = snapshotBody(response, record, early.snapshotURL);
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
    fsInit: (/** @type {unknown} */ _FS, /** @type {{sitePackages: string}} */ info) => { sitePackages = info.sitePackages; },
  });
  return { pyodide, sitePackages, fromSnapshot: false };
}

// Every request that does not depend on another starts here, at once: the Pyodide loader, its
// wasm glue (handed to the loader as createPyodideModule), the snapshot and the lock file.
/** @param {Settings} cfg @returns {Early} */
function startLoading(cfg) {
  /** @template T @param {Promise<T>} p */
  const quiet = (p) => {
    p.catch(() => {}); // awaited (and reported) by boot; never an unhandled rejection here
    return p;
  };
  const url = cfg.snapshotURL;
  const snapshot = url ? fetchSnapshot(url) : null; // null: "off"
  return {
    loader: quiet(import(cfg.pyodideURL + "pyodide.mjs")),
    asm: quiet(import(cfg.pyodideURL + "pyodide.asm.mjs")),
    snapshot,
    snapshotURL: url || "",
    // Asked for only when there is a snapshot (no second 404 without one); it is small and
    // needed only once the whole snapshot is in.
    record: snapshot && url ? snapshot.then((r) => (r ? fetchRecord(url) : null)) : null,
    // Pyodide asks for its lock file only once its loader runs; it is needed before ready.
    lock: quiet(fetchJSON(cfg.pyodideURL + "pyodide-lock.json", "pyodide-lock.json")),
  };
}

/** @param {any} pyodide @param {Settings} cfg */
function importEntry(pyodide, cfg) {
  try {
    return pyodide.pyimport("py_apm.bridge.entry");
  } catch (e) {
    throw new Error(`cannot import py_apm from ${cfg.packageURL}: ${internalError("boot", e).message}`);
  }
}

// Pyodide's own fatal-error hook (a private API: when it is missing, the error a call throws
// still marks the runtime dead, see internalError).
/** @param {any} pyodide */
function watchFatal(pyodide) {
  const api = pyodide._api;
  if (!api || typeof api !== "object") return;
  const previous = api.on_fatal;
  api.on_fatal = (/** @type {unknown} */ e) => {
    markFatal(e);
    if (typeof previous === "function") previous(e);
  };
}

/**
 * Loads Python and connects the wire; resolves once PyApm is ready (its `version`, options and
 * data-config applied), rejects with the cause of a failed start.
 * @param {Settings} cfg
 * @param {any} PyApm the control object the boot fills in (bootPhases, version, isReady, ...)
 */
async function boot(cfg, PyApm) {
  const phases = PyApm.bootPhases;
  const mark = (/** @type {string} */ name) => { phases[name] = Math.round(performance.now()); };
  mark("start");
  const early = startLoading(cfg);
  const snapshot = early.snapshot || Promise.resolve(null);
  // With a snapshot py_apm is already imported: the zip is fetched only when there is none.
  /** @type {Promise<ArrayBuffer> | null} */
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
  const take = (/** @type {string} */ name) => {
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
  methods().forEach((/** @type {string} */ name, /** @type {number} */ code) => { CODE[name] = code; });
  methods.destroy();
  entry.destroy();
  mark("imported");
  const configData = config ? await config : null; // null: none, or optional and 404
  // From here on everything is synchronous: nothing can call in before isReady is set.
  connect(fns, pyodide.ffi.PyProxy, pyodide);
  watchFatal(pyodide);
  PyApm.version = invoke("PyApm.version", "pyapm.version", []);
  readOptions();
  if (configData !== null) PyApm.configure(configData);
  mark("ready");
  PyApm.bootTimeMs = phases.ready;
  PyApm.isReady = true;
}

/**
 * Boots py-apm for the control object `PyApm` and settles its `ready` Promise.
 * @param {Settings} settings
 * @param {any} PyApm
 * @param {(value: any) => void} readyResolve
 * @param {(reason: any) => void} readyReject
 */
export function start(settings, PyApm, readyResolve, readyReject) {
  boot(settings, PyApm).then(
    () => readyResolve(PyApm),
    (e) => {
      /** @type {Error & {errorCode?: number}} */
      const cause = e instanceof Error && !/** @type {any} */ (e).type ? e : internalError("boot", e);
      bootFailed(cause);
      const err = apmError(typeof cause.errorCode === "number" ? cause.errorCode : 500,
        `py-apm failed to start: ${cause.message}`);
      console.error(err.message);
      readyReject(err);
    },
  );
}

/**
 * The requests started at once: the Pyodide loader and its wasm glue, the snapshot response
 * (null: "off") and its digest record, the lock file.
 * @typedef {{loader: Promise<any>, asm: Promise<any>, snapshot: Promise<Response | null> | null, snapshotURL: string, record: Promise<import("./snapshot.js").SnapshotRecord | null> | null, lock: Promise<any>}} Early
 */

/**
 * @typedef {object} Settings  where py-apm's files are (PyApm.settings)
 * @property {string} pyodideURL  Pyodide base URL (ends with "/")
 * @property {string} packageURL  the zipped py_apm package
 * @property {string | null} configURL  data-config: JSON passed to PyApm.configure, or null
 * @property {boolean} configOptional  a data-config answering 404 means "no configuration"
 * @property {string | null} snapshotURL  the memory snapshot, or null ("off")
 */

/**
 * @typedef {object} ScriptTag  what the settings are read from: the script's URL and attributes
 * @property {string} src  the script's URL (the default files are next to it)
 * @property {string} baseURI  what attribute values are relative to (the page)
 * @property {Record<string, string>} attributes  the script tag's attributes ("" when valueless)
 */

/**
 * The settings from a script tag's attributes (see the header of shim.js).
 * @param {ScriptTag} tag
 * @returns {Settings}
 */
export function readSettings(tag) {
  const { src, baseURI, attributes } = tag;
  /** @param {string} name */
  const attr = (name) => attributes[name] || null;
  /** @param {string | null} value @param {string} [fallback] */
  const resolve = (value, fallback) => new URL(value || fallback || "", value ? baseURI : src).href;
  /** @param {string | null} value @param {string | null} packageAttr */
  const snapshotSetting = (value, packageAttr) => {
    if (value === null) return packageAttr ? null : resolve(null, "py_apm.snapshot");
    return ["", "off", "none", "false"].includes(value.trim().toLowerCase()) ? null : resolve(value);
  };
  return {
    pyodideURL: withSlash(resolve(attr("data-pyodide"), "pyodide/")),
    packageURL: resolve(attr("data-package"), "py_apm.zip"),
    configURL: attr("data-config") ? resolve(attr("data-config")) : null,
    configOptional: Object.prototype.hasOwnProperty.call(attributes, "data-config-optional"),
    snapshotURL: snapshotSetting(attr("data-snapshot"), attr("data-package")),
  };
}

/** @param {string} url */
function withSlash(url) {
  return url.endsWith("/") ? url : url + "/";
}
