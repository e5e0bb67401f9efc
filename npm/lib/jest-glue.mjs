// The Jest environments' shared part: a test environment class (jsdom's or Node's) that boots
// py-apm on the test file's global in setup(), resets it when each test starts (before the
// test's beforeEach hooks, so an xrm-mock `XrmMockGenerator.initialise()` there sees it) and
// removes it in teardown(). Configuration: `testEnvironmentOptions.apmConfig` or PY_APM_CONFIG.
import { createApm } from "./node.mjs";
import { resetOptions, runnerConfig } from "./runner-config.mjs";

/** The environment class exported by a Jest environment package (CommonJS, default or named). */
export function environmentClass(pkg) {
  return pkg.TestEnvironment || pkg.default || pkg;
}

/** `Base` with py-apm booted on its global. */
export function withApm(Base) {
  return class PyApmEnvironment extends Base {
    constructor(config, context) {
      super(config, context);
      const options = (config.projectConfig || config).testEnvironmentOptions || {};
      this.apmConfig = runnerConfig(options.apmConfig);
      this.apm = null;
    }

    async setup() {
      await super.setup();
      this.apm = await createApm({ global: this.global, config: this.apmConfig });
      this.apmReset = resetOptions(this.apmConfig);
    }

    async handleTestEvent(event, state) {
      if (event.name === "test_start" && this.apm) this.apm.reset(this.apmReset);
      if (super.handleTestEvent) await super.handleTestEvent(event, state);
    }

    async teardown() {
      if (this.apm) await this.apm.close();
      this.apm = null;
      await super.teardown();
    }
  };
}
