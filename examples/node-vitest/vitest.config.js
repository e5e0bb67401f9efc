import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // Boots py-apm once per test file and gives each test a fresh workspace.
    setupFiles: ["py-apm-emulator/vitest"],
    // PyApm.configure options (an object, or a JSON file path): applied at boot and every reset.
    provide: { apmConfig: "./apm.config.json" },
    // test files run in Node; the DOM test asks for jsdom (`@vitest-environment jsdom`).
    environment: "node",
  },
});
