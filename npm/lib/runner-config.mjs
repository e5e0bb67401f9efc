// What the test-runner glue (vitest.mjs, jest-environment*.mjs) applies: the runner's
// `apmConfig` option, else the PY_APM_CONFIG environment variable (a JSON file path, or JSON
// text starting with "{"); a path is relative to the current directory.

import { readFileSync } from "node:fs";
import { resolve } from "node:path";

/** The configuration as an object (PyApm.configure's options), or undefined for none. */
export function runnerConfig(apmConfig, env = process.env) {
  let value = apmConfig;
  if (value === undefined || value === null) {
    const text = (env.PY_APM_CONFIG || "").trim();
    if (!text) return undefined;
    value = text.startsWith("{") ? parse(text, "PY_APM_CONFIG") : text;
  }
  if (typeof value === "string") {
    const path = resolve(value);
    let text;
    try {
      text = readFileSync(path, "utf8");
    } catch (e) {
      throw new Error(`py-apm: cannot read the configuration file ${path}: ${e.message}`);
    }
    return parse(text, path);
  }
  return value;
}

function parse(text, where) {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new Error(`py-apm: the configuration in ${where} is not valid JSON: ${e.message}`);
  }
}

/** What the glue resets to before each test: the defaults plus the configuration. */
export function resetOptions(config) {
  return { ...(config || {}), restoreDefaults: true };
}
