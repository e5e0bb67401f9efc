// The Contoso case panel, tested in the py-apm workspace (fixtures from py-apm-emulator/playwright).
/// <reference types="py-apm-emulator" />
import type { FrameLocator, Page } from "@playwright/test";
import { expect, test } from "py-apm-emulator/playwright";

/** Open a case session; its anchor tab is the panel. Return the panel's frame. */
async function openCasePanel(apmPage: Page, caseNumber: string): Promise<FrameLocator> {
  await apmPage.evaluate(async (caseNumber) => {
    await Microsoft.Apm.createSession({
      templateName: "contoso_case_session",
      sessionContext: new Map([["caseNumber", caseNumber]]),
    });
  }, caseNumber);
  const tabId = await apmPage.evaluate(() => Microsoft.Apm.getFocusedSession().getFocusedTab().tabId);
  return apmPage.frameLocator(`[data-testid="tab-frame"][data-tab-id="${tabId}"]`);
}

test("the panel shows the session it runs in", async ({ apmPage }) => {
  const panel = await openCasePanel(apmPage, "CAS-01001");
  await expect(panel.getByTestId("session-title")).toHaveText("Case CAS-01001");
  await expect(panel.getByTestId("case-number")).toHaveText("CAS-01001");
});

test("the search button opens a focused knowledge tab", async ({ apmPage }) => {
  const panel = await openCasePanel(apmPage, "CAS-01002");
  const before = await apmPage.evaluate(() => Microsoft.Apm.getFocusedSession().getAllTabs().length);
  await panel.getByTestId("search-kb").click();
  await expect(panel.getByTestId("status")).toHaveText("Opened tab-id-2");
  const session = await apmPage.evaluate(() => {
    const s = Microsoft.Apm.getFocusedSession();
    return { count: s.getAllTabs().length, focused: s.getFocusedTab().title };
  });
  expect(session).toEqual({ count: before + 1, focused: "Knowledge: CAS-01002" });
});
