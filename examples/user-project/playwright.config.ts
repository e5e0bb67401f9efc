// Playwright Test for this project: py-apm's fixtures (apmPage...) come from
// "py-apm-emulator/playwright" in the tests; they serve these web resources and templates.
import { defineConfig } from "@playwright/test";
import {
  chromiumArgs,
  systemChromium,
  type PyApmTestOptions,
  type PyApmWorkerOptions,
} from "py-apm-emulator/playwright";

// A Chromium of the system when there is one (PY_APM_BROWSER, else Debian's, Ubuntu's or
// Chrome); otherwise Playwright's own (`npx playwright install chromium`).
const executablePath = systemChromium();

export default defineConfig<PyApmTestOptions, PyApmWorkerOptions>({
  testDir: "tests",
  testMatch: "*.spec.ts",
  use: {
    apmWebResources: "webresources",
    apmConfig: "apm-templates.json",
    launchOptions: executablePath ? { executablePath, args: [...chromiumArgs] } : {},
  },
});
