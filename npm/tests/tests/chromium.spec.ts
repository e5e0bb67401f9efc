// chromiumArgs, as the config passes them: Chromium reads only the last --disable-features, so
// py-apm's must hold every feature Playwright's own flag turns off; and a new context of the full
// browser running headless opens its page and nothing else (no omnibox WebUI popup, a renderer
// each). The full browser, not PY_APM_BROWSER: a headless shell opens no browser window at all.
import { chromium } from "@playwright/test";
import { chromiumArgs, expect, test } from "py-apm-emulator/playwright";

test("chromiumArgs keep Playwright's features off and open no omnibox popup", async () => {
  const browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    // --enable-automation: only then does Chromium tell its command line
    args: [...chromiumArgs, "--enable-automation"],
  });
  try {
    const cdp = await browser.newBrowserCDPSession();
    const { arguments: argv } = await cdp.send("Browser.getBrowserCommandLine");
    const lists = argv.filter((a) => a.startsWith("--disable-features=")).map((a) => a.split("=")[1].split(","));
    expect(lists.length).toBeGreaterThanOrEqual(2);
    const last = new Set(lists[lists.length - 1]);
    expect(last.has("WebUIOmniboxPopup")).toBe(true);
    for (const earlier of lists.slice(0, -1)) expect(earlier.filter((name) => !last.has(name))).toEqual([]);
    const context = await browser.newContext();
    await (await context.newPage()).goto("about:blank");
    const { targetInfos } = await cdp.send("Target.getTargets");
    expect(targetInfos.map((t) => t.url).filter((url) => url.startsWith("chrome://"))).toEqual([]);
    await context.close();
  } finally {
    await browser.close();
  }
});
