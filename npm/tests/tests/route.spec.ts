// apmServe: "route": the same workspace served by request interception, configured with an
// options object instead of a file (worker options: this file gets its own worker).
import { readFileSync } from "node:fs";
import { expect, test } from "py-apm-emulator/playwright";

const templates = JSON.parse(readFileSync(new URL("../templates.json", import.meta.url), "utf8"));
test.use({ apmServe: "route", apmConfig: templates });

test("the workspace and the web resources answer at apmBaseURL", async ({ apmPage, apmURL }) => {
  expect(apmURL).toBe("http://py-apm.localhost/");
  expect(apmPage.url()).toBe(apmURL);
  const status = await apmPage.evaluate(async () => (await fetch("webresources/contoso_case_panel.html")).status);
  expect(status).toBe(200);
  const id = await apmPage.evaluate(async () => await Microsoft.Apm.createSession({
    templateName: "contoso_case_session",
    sessionContext: { parametersStr: '[["entityName","incident"]]' },
  }));
  expect(id).toBe("session-id-1");
  expect(await apmPage.evaluate(() => PyApm.bootedFromSnapshot)).toBe(true);
});
