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
 * PY_APM_BROWSER, else the first of `paths` that exists; undefined leaves the choice to
 * Playwright (its downloaded browsers).
 * @param {string[]} paths
 * @returns {string | undefined}
 */
function chosen(paths) {
  return process.env.PY_APM_BROWSER || paths.find((p) => existsSync(p));
}

/**
 * The system's Chromium for `use.launchOptions.executablePath` in a Playwright Test config:
 * PY_APM_BROWSER, else the full browser (Debian's, Ubuntu's, Chrome), which headed runs need
 * too; undefined when there is none.
 * @returns {string | undefined}
 */
export function systemChromium() {
  return chosen(SPEC.systemBrowsers.browser);
}

/**
 * The Chromium a headless launch of py-apm's own (`npx py-apm snapshot`) uses: PY_APM_BROWSER,
 * else the system's headless shell (the browser without its windows, less CPU per page), else
 * its full browser; undefined when there is none.
 * @returns {string | undefined}
 */
export function headlessChromium() {
  return chosen([...SPEC.systemBrowsers.headlessShell, ...SPEC.systemBrowsers.browser]);
}
