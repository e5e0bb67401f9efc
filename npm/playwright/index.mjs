// Playwright Test fixtures for testing code against py-apm (the counterpart of the pytest plugin).
//
//   import { test, expect } from "py-apm-emulator/playwright";
//   test.use({ apmWebResources: "webresources", apmConfig: "templates.json" });
//   test("...", async ({ apmPage }) => { ... });
//
// Worker scope: one browser context + one page at the workspace with PyApm.ready resolved (a new
// context pays the wasm boot again). Test scope: apmPage is that page with everything the last
// test did undone (docs/isolation.md: in place in milliseconds, else a reload or a new page);
// apmSharedPage (opt-in) is another such page with only the workspace reset. The files are served by an HTTP server inside the worker process on a free loopback
// port (nothing to start or stop), or with apmServe: "route" by request interception.

import { test as base, expect } from "@playwright/test";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { startServer } from "../lib/http.mjs";
import { serveSite } from "../lib/route.mjs";
import { makeSite, siteDir } from "../lib/site.mjs";
import { ensureSnapshot } from "../lib/snapshot.mjs";
import { attachFailureReport } from "../lib/report.mjs";

export { expect };
export { chromiumArgs, systemChromium } from "../lib/chromium.mjs";

const READY = async (timeoutMs) => {
  if (!window.PyApm) return { ok: false, error: "window.PyApm is missing: shim.js did not load" };
  let timer;
  const timeout = new Promise((done) => {
    timer = setTimeout(() => done({ ok: false, error: `PyApm.ready not resolved after ${timeoutMs} ms` }), timeoutMs);
  });
  const ready = window.PyApm.ready.then(
    () => ({ ok: true, bootTimeMs: window.PyApm.bootTimeMs }),
    (e) => ({ ok: false, error: String((e && e.message) || e) }),
  );
  try {
    return await Promise.race([ready, timeout]);
  } finally {
    clearTimeout(timer);
  }
};

const RESET = (options) => {
  if (!window.PyApm || !window.PyApm.isReady) return false;
  window.PyApm.reset(options);
  return true;
};

// The isolated reset, in the page: undo what the last test made (isolation.js, the guard), then
// the workspace reset, then mark what follows as the next test's. Returns what needs a reload.
const ISOLATE = async (options) => {
  const guard = window.__pyApmIsolation;
  if (!window.PyApm || !window.PyApm.isReady) return null;
  if (!guard) return ["the isolation guard is missing"];
  const { dirty } = guard.marked ? await guard.clean() : { dirty: [] };
  if (dirty.length) return dirty;
  window.PyApm.reset(options);
  guard.mark();
  return [];
};

const GUARD = readFileSync(join(siteDir, "isolation.js"), "utf8");

// Events a test may listen to; listeners added after the fixture made the object are removed.
const PAGE_EVENTS = ["close", "console", "crash", "dialog", "domcontentloaded", "download", "filechooser",
  "frameattached", "framedetached", "framenavigated", "load", "pageerror", "popup", "request",
  "requestfailed", "requestfinished", "response", "websocket", "worker"];
const CONTEXT_EVENTS = ["backgroundpage", "close", "console", "dialog", "page", "request", "requestfailed",
  "requestfinished", "response", "serviceworker", "weberror"];
// Calls whose effect lasts (no Disposable before Playwright 1.5x): the page or context is replaced.
const LASTING_CALLS = ["addInitScript", "exposeBinding", "exposeFunction", "routeWebSocket",
  "setExtraHTTPHeaders", "setOffline", "routeFromHAR"];
const PERMISSION_CALLS = ["grantPermissions", "clearPermissions", "setGeolocation"];

/** One Playwright page or context: its own listeners, and what a test did to it since. */
class Watch {
  constructor(target, events) {
    this.target = target;
    this.events = events;
    this.lasting = [];
    this.permissions = false;
    this.base = new Map(events.map((e) => [e, new Set(target.rawListeners(e))]));
    this.baseRoutes = Array.isArray(target._routes) ? target._routes.length : null;
    for (const name of LASTING_CALLS) this.wrap(name, () => this.lasting.push(name));
    for (const name of PERMISSION_CALLS) this.wrap(name, () => { this.permissions = true; });
  }

  wrap(name, note) {
    const method = this.target[name];
    if (typeof method !== "function") return;
    this.target[name] = (...args) => {
      note();
      return method.apply(this.target, args);
    };
  }

  dropListeners() {
    for (const event of this.events) {
      const base = this.base.get(event);
      for (const l of this.target.rawListeners(event)) if (!base.has(l)) this.target.removeListener(event, l);
    }
  }

  /** Whether a test left routes (true when this Playwright does not say). */
  routes() {
    const found = this.target._routes;
    return !Array.isArray(found) || found.length !== this.baseRoutes;
  }
}

/** A context + page running py-apm, and where its console output goes. An isolated handle
 * carries the isolation guard and undoes what each test did (see isolate()). */
class PageHandle {
  constructor(browser, contextOptions, site, readyTimeoutMs, isolated) {
    this.browser = browser;
    this.contextOptions = contextOptions;
    this.site = site;
    this.url = site.root;
    this.readyTimeoutMs = readyTimeoutMs;
    this.isolated = isolated;
    this.context = null;
    this.page = null;
    this.console = [];
    this.bootTimeMs = null;
    this.crashed = false;
    this.renewed = "";
  }

  async newContext() {
    if (this.context) await this.context.close();
    this.context = await this.browser.newContext(this.contextOptions);
    if (this.site.route) await serveSite(this.context, this.site.root, this.site.find);
    if (this.isolated) {
      await this.context.addInitScript(GUARD);
      this.contextWatch = new Watch(this.context, CONTEXT_EVENTS);
    }
    this.page = null;
    await this.openPage();
  }

  async openPage() {
    const page = await this.context.newPage();
    this.crashed = false;
    page.on("console", (msg) => this.console.push({ type: msg.type(), text: msg.text() }));
    page.on("pageerror", (err) => this.console.push({ type: "pageerror", text: String(err) }));
    page.on("crash", () => { this.crashed = true; });
    this.page = page;
    if (this.isolated) {
      this.pageWatch = new Watch(page, PAGE_EVENTS);
      this.viewport = page.viewportSize();
    }
    await this.load();
  }

  /** Neither closed nor crashed (a crashed page is not "closed" but answers nothing). */
  usable() {
    return this.page !== null && !this.page.isClosed() && !this.crashed;
  }

  async replacePage() {
    if (this.page && !this.page.isClosed()) await this.page.close().catch(() => {});
    await this.openPage();
  }

  async load() {
    await this.page.goto(this.url);
    const result = await this.page.evaluate(READY, this.readyTimeoutMs);
    if (!result.ok) {
      const errors = this.console.filter((e) => e.type === "error" || e.type === "pageerror").slice(-5);
      const detail = errors.length ? ` (console: ${errors.map((e) => e.text).join(" | ")})` : "";
      throw new Error(`py-apm page did not become ready: ${result.error}${detail}`);
    }
    this.bootTimeMs = result.bootTimeMs;
  }

  async closeOthers() {
    for (const other of this.context.pages()) if (other !== this.page) await other.close();
  }

  /** A fresh workspace only; reload (or reopen) the page when a test broke or left it. */
  async reset(options) {
    await this.closeOthers();
    if (!this.usable()) await this.replacePage();
    else if (this.page.url() !== this.url) await this.load();
    let done = false;
    try {
      done = await this.page.evaluate(RESET, options);
    } catch {
      done = false; // crashed or mid-navigation; a real error repeats below
    }
    if (!done) {
      if (!this.usable()) await this.replacePage();
      else await this.load();
      await this.page.evaluate(RESET, options);
    }
  }

  /** Undo everything the last test did, then reset the workspace (docs/isolation.md): in place
   * when the guard can, else a reload, a new page or a new context. */
  async isolate(options) {
    // A page whose crash is reported only while this runs (a context-wide call then fails with
    // "crashed") is replaced, and the undo runs again on the new one.
    try {
      await this.isolateOnce(options);
    } catch (e) {
      if (!/crashed/i.test(String((e && e.message) || e))) throw e;
      this.crashed = true;
      await this.isolateOnce(options);
    }
  }

  async isolateOnce(options) {
    this.renewed = "";
    if (this.contextWatch.lasting.length) {
      this.renewed = `context: ${this.contextWatch.lasting.join(", ")}`;
      await this.newContext();
    } else if (!this.usable() || this.pageWatch.lasting.length) {
      this.renewed = `page: ${this.pageWatch.lasting.join(", ") || "closed or crashed"}`;
      await this.replacePage();
    }
    await this.closeOthers();
    this.pageWatch.dropListeners();
    this.contextWatch.dropListeners();
    if (this.pageWatch.routes()) await this.page.unrouteAll({ behavior: "ignoreErrors" });
    if (this.contextWatch.routes()) {
      await this.context.unrouteAll({ behavior: "ignoreErrors" });
      if (this.site.route) await serveSite(this.context, this.site.root, this.site.find);
    }
    await this.context.clearCookies();
    if (this.contextWatch.permissions) {
      await this.context.clearPermissions();
      if (this.contextOptions.permissions) await this.context.grantPermissions(this.contextOptions.permissions);
      await this.context.setGeolocation(this.contextOptions.geolocation ?? null);
      this.contextWatch.permissions = false; // only once undone: a crash above retries it
    }
    const size = this.page.viewportSize();
    if (this.viewport && (!size || size.width !== this.viewport.width || size.height !== this.viewport.height)) {
      await this.page.setViewportSize(this.viewport);
    }
    if (this.page.url() !== this.url) {
      this.renewed ||= `reload: navigated to ${this.page.url()}`;
      await this.reload();
    }
    let dirty = await this.clean(options);
    if (dirty.length) {
      this.renewed ||= `reload: ${dirty.join("; ")}`;
      await this.reload();
      dirty = await this.clean(options);
      if (dirty.length) throw new Error(`py-apm: apmPage could not be made clean: ${dirty.join("; ")}`);
    }
    await this.closeOthers(); // a popup opened at the end of the last test may have reached Playwright only now
  }

  /** Load the workspace again; a new page when this one crashed (its crash event may come
   * after the failure that revealed it). */
  async reload() {
    if (this.usable()) {
      try {
        await this.load();
        return;
      } catch (e) {
        if (/did not become ready/.test(String(e && e.message))) throw e;
      }
    }
    await this.replacePage();
  }

  async clean(options) {
    try {
      const dirty = await this.page.evaluate(ISOLATE, options);
      return dirty === null ? ["the page is not ready"] : dirty;
    } catch (e) {
      return [String((e && e.message) || e).split("\n")[0]]; // crashed or mid-navigation
    }
  }
}

function baseDir(config) {
  return config.configFile ? dirname(config.configFile) : process.cwd();
}

function directory(value, base, what) {
  const dir = resolve(base, value);
  let ok = false;
  try {
    ok = statSync(dir).isDirectory();
  } catch {
    ok = false;
  }
  if (!ok) throw new Error(`py-apm: ${what} ${dir} is not a directory`);
  return dir;
}

/** apmConfig: a path to a JSON file (relative to the Playwright config) or an options object. */
function loadConfig(value, base) {
  if (value === undefined || value === null) return { file: null, options: {}, dispose() {} };
  if (typeof value === "string") {
    const file = resolve(base, value);
    let options;
    try {
      options = JSON.parse(readFileSync(file, "utf8"));
    } catch (e) {
      throw new Error(`py-apm: apmConfig ${file}: ${e.message}`);
    }
    if (options === null || typeof options !== "object" || Array.isArray(options)) {
      throw new Error(`py-apm: apmConfig ${file}: must hold a JSON object`);
    }
    return { file, options, dispose() {} };
  }
  if (typeof value !== "object" || Array.isArray(value)) {
    throw new Error("py-apm: apmConfig must be a path to a JSON file or an options object");
  }
  const dir = mkdtempSync(join(tmpdir(), "py-apm-config-"));
  const file = join(dir, "config.json");
  writeFileSync(file, JSON.stringify(value));
  return { file, options: value, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}

async function newHandle(browser, site, readyTimeoutMs, isolated = false) {
  const handle = new PageHandle(browser, {}, site, readyTimeoutMs, isolated);
  try {
    await handle.newContext();
    return handle;
  } catch (e) {
    if (handle.context) await handle.context.close();
    throw e;
  }
}

export const test = base.extend({
  apmWebResources: [undefined, { scope: "worker", option: true }],
  apmConfig: [undefined, { scope: "worker", option: true }],
  apmServe: ["http", { scope: "worker", option: true }],
  apmBaseURL: ["http://py-apm.localhost/", { scope: "worker", option: true }],
  apmReadyTimeout: [60_000, { scope: "worker", option: true }],
  apmSnapshot: [true, { scope: "worker", option: true }],
  apmOptions: [{}, { option: true }],
  apmFreshPage: [false, { option: true }],

  _apmSite: [
    async ({ browser, apmWebResources, apmConfig, apmServe, apmBaseURL, apmSnapshot }, use, workerInfo) => {
      if (apmServe !== "http" && apmServe !== "route") {
        throw new Error(`py-apm: apmServe must be "http" or "route", got ${JSON.stringify(apmServe)}`);
      }
      const base = baseDir(workerInfo.config);
      const webResources = apmWebResources ? directory(apmWebResources, base, "apmWebResources") : null;
      const config = loadConfig(apmConfig, base);
      const log = (line) => process.stderr.write(`${line}\n`);
      const snapshotFile = apmSnapshot ? await ensureSnapshot(browser, { log }) : null;
      const find = makeSite({ webResources, configFile: config.file, snapshotFile });
      const site = { root: null, route: apmServe === "route", find, options: config.options, snapshotFile };
      const server = site.route ? null : await startServer(find);
      site.root = server ? server.root : apmBaseURL.endsWith("/") ? apmBaseURL : `${apmBaseURL}/`;
      try {
        await use(site);
      } finally {
        if (server) await server.close();
        config.dispose();
      }
    },
    // The first run builds the memory snapshot (a minute on a slow machine): not a test timeout.
    { scope: "worker", timeout: 180_000 },
  ],

  /** Where the workspace is served (its URL ends with "/"; web resources are below it). */
  apmURL: [async ({ _apmSite }, use) => use(_apmSite.root), { scope: "worker" }],

  _apmHandle: [
    async ({ browser, _apmSite, apmReadyTimeout }, use) => {
      const handle = await newHandle(browser, _apmSite, apmReadyTimeout, true);
      try {
        await use(handle);
      } finally {
        await handle.context.close();
      }
    },
    { scope: "worker" },
  ],

  _apmSharedHandle: [
    async ({ browser, _apmSite, apmReadyTimeout }, use) => {
      const handle = await newHandle(browser, _apmSite, apmReadyTimeout, false);
      try {
        await use(handle);
      } finally {
        await handle.context.close();
      }
    },
    { scope: "worker" },
  ],

  _apmConsole: async ({}, use) => use([]),

  /** Opt-in speed: the worker's shared page with only the workspace reset (PyApm.reset). What
   * else an earlier test did on it (globals, routes, storage, listeners...) is still there. */
  apmSharedPage: async ({ _apmSite, _apmSharedHandle, apmOptions }, use, testInfo) => {
    _apmSharedHandle.console = [];
    await _apmSharedHandle.reset({ restoreDefaults: true, ..._apmSite.options, ...apmOptions });
    await use(_apmSharedHandle.page);
    await attachFailureReport(_apmSharedHandle.page, _apmSharedHandle.console, testInfo);
  },

  /** A ready py-apm page on which nothing an earlier test did can be observed. */
  apmPage: async ({ _apmSite, _apmHandle, apmOptions, apmFreshPage, apmReadyTimeout, _apmConsole }, use, testInfo) => {
    const options = { restoreDefaults: true, ..._apmSite.options, ...apmOptions };
    if (apmFreshPage) {
      const handle = await newHandle(_apmHandle.browser, _apmSite, apmReadyTimeout);
      handle.console = _apmConsole;
      try {
        await handle.page.evaluate(RESET, options);
        await use(handle.page);
        await attachFailureReport(handle.page, _apmConsole, testInfo);
      } finally {
        await handle.context.close();
      }
      return;
    }
    _apmHandle.console = _apmConsole;
    await _apmHandle.isolate(options);
    _apmConsole.length = 0; // only this test's messages
    await use(_apmHandle.page);
    await attachFailureReport(_apmHandle.page, _apmConsole, testInfo);
  },

  apmConsole: async ({ apmPage, _apmConsole }, use) => {
    void apmPage;
    await use(_apmConsole);
  },
});
