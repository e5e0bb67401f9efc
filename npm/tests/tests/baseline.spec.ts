// The floor: plain Playwright Test tests without py-apm, to tell py-apm's per-test cost from the
// runner's own (scripts/test_js.sh compares them with overhead.spec.ts).
import { expect, test } from "@playwright/test";

for (let i = 0; i < 31; i++) {
  test(`baseline ${String(i).padStart(2, "0")}`, async () => {
    expect(String(i)).toBe(`${i}`);
  });
}
