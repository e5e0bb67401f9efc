// What a failed apmPage test gets attached: that test's py-apm warnings, refusals and errors
// (PyApm.calls(), formatted in the page by site/failure-report.js, which npm/build.py writes from
// py_apm/host/failure_report.py: one formatter for pytest and Playwright Test) and the page's
// console errors and warnings.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { siteDir } from "./site.mjs";

export const TITLE = "py-apm warnings and refusals";
const LIMIT = 30;

let source = null;

/** The attachment's text, or "" when the test left nothing worth showing. Never throws. */
export async function failureReport(page, consoleEntries) {
  source ??= readFileSync(join(siteDir, "failure-report.js"), "utf8").trim();
  let calls = "";
  try {
    calls = String((await page.evaluate(`(${source})(${LIMIT})`)) || "");
  } catch (e) {
    calls = `(PyApm.calls() unavailable: ${String((e && e.message) || e).split("\n")[0]})`;
  }
  const keep = new Set(["error", "pageerror", "warning"]);
  // A "[py-apm] APM-Wnnn text" warning whose text a calls row already shows is left out.
  const said = (e) =>
    e.type === "warning" && e.text.startsWith("[py-apm] ") && calls.includes(`warning ${e.text.slice(9).split(" ").slice(1).join(" ")}`);
  const lines = consoleEntries
    .filter((e) => keep.has(e.type) && !said(e))
    .slice(-LIMIT)
    .map((e) => `console ${e.type}: ${e.text}`);
  return [...(calls ? [calls] : []), ...lines].join("\n");
}

/** Attach the report to a test that did not end as expected (as traces are). */
export async function attachFailureReport(page, consoleEntries, testInfo) {
  if (testInfo.status === testInfo.expectedStatus || !page || page.isClosed()) return;
  const body = await failureReport(page, consoleEntries);
  if (body) await testInfo.attach(TITLE, { body, contentType: "text/plain" });
}
