// The flags py-apm launches Chromium with (chromium.json, the file py_apm.host.chromium reads;
// the package build copies it beside this module). Chromium keeps only the last
// --disable-features it is given, so this one repeats the features Playwright disables and adds
// the omnibox's WebUI popups, which headless Chromium loads into a renderer of their own for
// every context (about 1 CPU-second each).

import { existsSync } from "node:fs";

import { hostJson } from "./description.mjs";

/** @type {{args: string[], systemBrowsers: {headlessShell: string[], browser: string[]}, disabledFeatures: Record<string, string[]>}} */
const SPEC = hostJson("chromium.json");

/** Chromium's flags for `launchOptions.args` (Playwright Test) or `chromium.launch({ args })`. */
export const chromiumArgs = Object.freeze([
  ...SPEC.args,
  `--disable-features=${Object.values(SPEC.disabledFeatures).flat().join(",")}`,
]);

/**
 * The Chromium a headless launch of py-apm's own (`npx py-apm snapshot`) uses: PY_APM_BROWSER,
 * else the system's headless shell (the browser without its windows, less CPU per page), else
 * its full browser; undefined leaves the choice to Playwright (its downloaded browsers).
 * @returns {string | undefined}
 */
export function headlessChromium() {
  const { headlessShell, browser } = SPEC.systemBrowsers;
  return process.env.PY_APM_BROWSER || [...headlessShell, ...browser].find((p) => existsSync(p));
}
