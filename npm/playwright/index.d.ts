/// <reference path="../types/pyapm.d.ts" />

import type {
  Page,
  PlaywrightTestArgs,
  PlaywrightTestOptions,
  PlaywrightWorkerArgs,
  PlaywrightWorkerOptions,
  TestType,
} from "@playwright/test";

export { expect } from "@playwright/test";

/** The Chromium flags py-apm launches with, for `use.launchOptions.args` in a config: they turn
 * off what headless Chromium loads for every context and no page shows (its own
 * `--disable-features` repeats Playwright's, as Chromium reads only the last one). */
export declare const chromiumArgs: readonly string[];

/** The system's Chromium for `use.launchOptions.executablePath`: `PY_APM_BROWSER`, else the
 * full browser at the system paths py-apm's Python side looks at too (Debian's, Ubuntu's,
 * Chrome); undefined when there is none (Playwright then uses its own). */
export declare function systemChromium(): string | undefined;

/** One console message of the py-apm page (`type` is "log", "warning", ... or "pageerror"). */
export interface ConsoleEntry {
  type: string;
  text: string;
}

/** Options per worker (`test.use({...})` at the top of a file, or `use` in the config). */
export interface PyApmWorkerOptions {
  /** A folder served at `webresources/` (relative to the Playwright config file). */
  apmWebResources: string | undefined;
  /** `PyApm.configure` options, or a JSON file of them (relative to the config file): applied
   * when the page boots and at every reset. */
  apmConfig: string | PyApm.Options | undefined;
  /** How the files reach the browser: "http" (default), an HTTP server inside the worker on a
   * free loopback port; "route", request interception at apmBaseURL (no port at all, but
   * slower boots: routing turns the browser's HTTP cache off). */
  apmServe: "http" | "route";
  /** The workspace's URL under apmServe: "route" (default http://py-apm.localhost/). */
  apmBaseURL: string;
  /** How long to wait for PyApm.ready, in ms (default 60000). */
  apmReadyTimeout: number;
  /** Boot from the memory snapshot, built once and cached (default true). */
  apmSnapshot: boolean;
}

/** Options per test. */
export interface PyApmTestOptions {
  /** More `PyApm.configure` options for this test's reset. */
  apmOptions: PyApm.Options;
  /** Give this test its own new browser context and page instead of the shared one. */
  apmFreshPage: boolean;
}

export interface PyApmTestFixtures {
  /** The workspace page with PyApm.ready resolved, on which nothing an earlier test did can be
   * observed (model, globals, routes, storage, cookies, listeners, timers...: docs/isolation.md). */
  apmPage: Page;
  /** Opt-in speed: the worker's shared workspace page with only the workspace reset
   * (PyApm.reset); whatever else an earlier test did on it is still there. */
  apmSharedPage: Page;
  /** The console messages and page errors of apmPage during this test. */
  apmConsole: ConsoleEntry[];
}

export interface PyApmWorkerFixtures {
  /** Where the workspace is served, ending with "/" (web resources: apmURL + "webresources/..."). */
  apmURL: string;
}

export declare const test: TestType<
  PlaywrightTestArgs & PlaywrightTestOptions & PyApmTestOptions & PyApmTestFixtures,
  PlaywrightWorkerArgs & PlaywrightWorkerOptions & PyApmWorkerOptions & PyApmWorkerFixtures
>;
