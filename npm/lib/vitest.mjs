// Vitest setup file: `test: { setupFiles: ["py-apm-emulator/vitest"] }`. Boots py-apm once per
// test file (before its code runs: Microsoft.Apm is ready at import time), resets the workspace
// before each test (to the configuration, whatever a test configured) and removes it after the
// file. The configuration comes from
// `test.provide.apmConfig` (an object or a JSON file path) or PY_APM_CONFIG.
import { afterAll, beforeEach, inject } from "vitest";
import { createApm } from "./node.mjs";
import { resetOptions, runnerConfig } from "./runner-config.mjs";

const config = runnerConfig(inject("apmConfig"));
const apm = await createApm({ global: globalThis, config });
const fresh = resetOptions(config);

beforeEach(() => {
  apm.reset(fresh);
});

afterAll(async () => {
  await apm.close();
});
