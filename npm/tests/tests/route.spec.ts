// apmServe: "route": the same workspace served by request interception (its own worker).
import { expect, test } from "py-apm/playwright";

test.use({ apmServe: "route" });

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
