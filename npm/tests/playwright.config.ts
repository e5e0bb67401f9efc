// A user's project testing a web resource against py-apm with Playwright Test (run by
// scripts/test_js.sh after installing the packed py-apm tarball; browser: the system Chromium).
import { defineConfig } from "@playwright/test";
import { chromiumArgs, type PyApmTestOptions, type PyApmWorkerOptions } from "py-apm-emulator/playwright";

export default defineConfig<PyApmTestOptions, PyApmWorkerOptions>({
  testDir: "tests",
  workers: 1,
  reporter: [["list"], ["json", { outputFile: "results.json" }]],
  // scripts/test.sh runs this project at a lower priority (nice) beside pytest: a flow of several
  // round trips (the softphone's search, then its notification) can starve past the default 5 s.
  expect: { timeout: 15_000 },
  use: {
    apmWebResources: "webresources",
    apmConfig: "templates.json",
    launchOptions: {
      executablePath: process.env.PY_APM_BROWSER || "/usr/bin/chromium",
      args: [...chromiumArgs],
    },
  },
});
