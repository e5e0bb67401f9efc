// Playwright Test fixtures for testing code against py-apm (the counterpart of the pytest plugin).
//
//   import { test, expect } from "py-apm-emulator/playwright";
//   test.use({ apmWebResources: "webresources", apmConfig: "templates.json" });
//   test("...", async ({ apmPage }) => { ... });
//
// Worker scope: one browser context + one page at the workspace with PyApm.ready resolved (a new
// context pays the wasm boot again). Test scope: that page after PyApm.reset(...) (milliseconds,
// no reload). The files are served by an HTTP server inside the worker process on a free loopback
// port (nothing to start or stop), or with apmServe: "route" by request interception.

import { test as base, expect } from "@playwright/test";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { startServer } from "../lib/http.mjs";
import { serveSite } from "../lib/route.mjs";
import { makeSite } from "../lib/site.mjs";
import { ensureSnapshot } from "../lib/snapshot.mjs";
import { attachFailureReport } from "../lib/report.mjs";

export { expect };

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

/** A context + page running py-apm, and where its console output goes. */
class PageHandle {
  constructor(context, url, readyTimeoutMs) {
    this.context = context;
    this.url = url;
    this.readyTimeoutMs = readyTimeoutMs;
    this.page = null;
    this.console = [];
    this.bootTimeMs = null;
  }

  async openPage() {
    const page = await this.context.newPage();
    page.on("console", (msg) => this.console.push({ type: msg.type(), text: msg.text() }));
    page.on("pageerror", (err) => this.console.push({ type: "pageerror", text: String(err) }));
    this.page = page;
    await this.load();
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

  /** A fresh workspace; reload (or reopen) the page when a test broke or left it. */
  async reset(options) {
    for (const other of this.context.pages()) if (other !== this.page) await other.close();
    if (this.page === null || this.page.isClosed()) await this.openPage();
    else if (this.page.url() !== this.url) await this.load();
    let done = false;
    try {
      done = await this.page.evaluate(RESET, options);
    } catch {
      done = false; // crashed or mid-navigation; a real error repeats below
    }
    if (!done) {
      if (this.page.isClosed()) await this.openPage();
      else await this.load();
      await this.page.evaluate(RESET, options);
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

async function newHandle(browser, site, readyTimeoutMs) {
  const context = await browser.newContext();
  try {
    if (site.route) await serveSite(context, site.root, site.find);
    const handle = new PageHandle(context, site.root, readyTimeoutMs);
    await handle.openPage();
    return handle;
  } catch (e) {
    await context.close();
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
      const handle = await newHandle(browser, _apmSite, apmReadyTimeout);
      try {
        await use(handle);
      } finally {
        await handle.context.close();
      }
    },
    { scope: "worker" },
  ],

  apmSharedPage: [async ({ _apmHandle }, use) => use(_apmHandle.page), { scope: "worker" }],

  _apmConsole: async ({}, use) => use([]),

  apmPage: async ({ _apmSite, _apmHandle, apmOptions, apmFreshPage, apmReadyTimeout, _apmConsole }, use, testInfo) => {
    const options = { restoreDefaults: true, ..._apmSite.options, ...apmOptions };
    if (apmFreshPage) {
      const handle = await newHandle(_apmHandle.context.browser(), _apmSite, apmReadyTimeout);
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
    await _apmHandle.reset(options);
    _apmConsole.length = 0; // only this test's messages
    await use(_apmHandle.page);
    await attachFailureReport(_apmHandle.page, _apmConsole, testInfo);
  },

  apmConsole: async ({ apmPage, _apmConsole }, use) => {
    void apmPage;
    await use(_apmConsole);
  },
});
