// A channel provider's widget tested with py-apm/playwright: the sample softphone (copied into
// webresources/ by scripts/test_js.sh) loads msdyn_ciLibrary.js in the communication panel,
// raises a notification, and on Accept opens a call session with the caller's contact.
import { readFileSync } from "node:fs";
import { expect, test } from "py-apm-emulator/playwright";

const config = JSON.parse(readFileSync(new URL("../softphone.config.json", import.meta.url), "utf8"));
test.use({ apmConfig: config });

const FRAME = '[data-testid="provider-frame"][data-provider="sample_softphone"]';

test("an incoming call, accepted, opens the caller's session", async ({ apmPage }) => {
  const phone = apmPage.frameLocator(FRAME);
  await phone.locator('[data-testid="softphone-incoming"]:not([disabled])').click();
  const toast = apmPage.getByTestId("notification");
  await expect(toast.getByTestId("notification-title")).toHaveText("Incoming call from +1 555 0100");
  const pending = await apmPage.evaluate(() => PyApm.notifications());
  expect(pending.map((n) => n.provider)).toEqual(["sample_softphone"]);
  await toast.getByTestId("notification-accept").click();
  await expect(phone.getByTestId("softphone-log")).toContainText("Title: Call from Ann Lee (+1 555 0100)");
  const state = await apmPage.evaluate(() => PyApm.state());
  expect(state.sessions.map((s) => s.title)).toEqual(["Home", "Call from Ann Lee (+1 555 0100)"]);
  expect(state.sessions[1]!.tabs.map((t) => t.title)).toEqual(["Contacts", "Ann Lee"]);
});

test("a test answers the notification without clicking", async ({ apmPage }) => {
  const phone = apmPage.frameLocator(FRAME);
  await phone.locator('[data-testid="softphone-incoming"]:not([disabled])').click();
  await expect.poll(() => apmPage.evaluate(() => PyApm.notifications().length)).toBe(1);
  await apmPage.evaluate(() => { PyApm.ui.respondToNotification(PyApm.notifications()[0]!.id, "Reject"); });
  await expect(phone.getByTestId("softphone-log")).toContainText("Notification: Reject (DeclinedByAgent)");
  expect((await apmPage.evaluate(() => PyApm.state())).sessions).toHaveLength(1);
});
