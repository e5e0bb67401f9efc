// Playwright Test for this project: py-apm's fixtures (apmPage...) come from
// "py-apm-emulator/playwright" in the tests; they serve these web resources and templates.
import { existsSync } from "node:fs";
import { defineConfig } from "@playwright/test";
import { chromiumArgs, type PyApmTestOptions, type PyApmWorkerOptions } from "py-apm-emulator/playwright";

// A Chromium of the system when there is one (PY_APM_BROWSER, else Debian's or Ubuntu's);
// otherwise Playwright's own (`npx playwright install chromium`).
const executablePath =
  process.env.PY_APM_BROWSER || ["/usr/bin/chromium", "/usr/bin/chromium-browser"].find((p) => existsSync(p));

export default defineConfig<PyApmTestOptions, PyApmWorkerOptions>({
  testDir: "tests",
  testMatch: "*.spec.ts",
  use: {
    apmWebResources: "webresources",
    apmConfig: "apm-templates.json",
    launchOptions: executablePath ? { executablePath, args: [...chromiumArgs] } : {},
  },
});
