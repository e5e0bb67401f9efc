// The flags py-apm launches Chromium with (chromium.json, the file py_apm.host.chromium reads;
// the package build copies it beside this module). Chromium keeps only the last
// --disable-features it is given, so this one repeats the features Playwright disables and adds
// the omnibox's WebUI popups, which headless Chromium loads into a renderer of their own for
// every context (about 1 CPU-second each).

import { hostJson } from "./description.mjs";

/** @type {{args: string[], disabledFeatures: Record<string, string[]>}} */
const SPEC = hostJson("chromium.json");

/** Chromium's flags for `launchOptions.args` (Playwright Test) or `chromium.launch({ args })`. */
export const chromiumArgs = Object.freeze([
  ...SPEC.args,
  `--disable-features=${Object.values(SPEC.disabledFeatures).flat().join(",")}`,
]);
