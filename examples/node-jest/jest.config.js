module.exports = {
  // jsdom with py-apm on its window: booted once per test file, a fresh workspace per test.
  // (A file that needs no DOM can ask for `@jest-environment py-apm-emulator/jest-environment-node`.)
  testEnvironment: "py-apm-emulator/jest-environment",
  // PyApm.configure options (an object, or a JSON file path): applied at boot and every reset.
  testEnvironmentOptions: { apmConfig: "./apm.config.json" },
};
