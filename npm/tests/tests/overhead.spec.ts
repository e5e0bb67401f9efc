// Many small tests on apmPage (isolated): each changes the workspace, so each reset is real.
// `py-apm bench` reads their durations from results.json (per-test overhead).
import { expect, test } from "py-apm-emulator/playwright";

for (let i = 0; i < 51; i++) {
  test(`overhead ${String(i).padStart(2, "0")}`, async ({ apmPage }) => {
    const title = await apmPage.evaluate((n) => {
      const tab = Microsoft.Apm.getFocusedSession().getFocusedTab();
      tab.title = `t${n}`;
      return tab.title;
    }, i);
    expect(title).toBe(`t${i}`);
  });
}
