// The reference for apmPage's per-test cost: Playwright Test's own `page` (a new context per
// test) opening a static page from the same server. `py-apm bench` (py_apm/host/bench_pwtest.py)
// compares these 51 tests with overhead.spec.ts, in the same run (the first of each group, which
// boots, left out).
import { expect, test } from "py-apm-emulator/playwright";

for (let i = 0; i < 51; i++) {
  test(`baseline ${String(i).padStart(2, "0")}`, async ({ page, apmURL }) => {
    await page.goto(`${apmURL}blank.html`);
    expect(await page.title()).toBe("blank");
  });
}
