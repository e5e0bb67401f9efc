// Leak canaries for apmPage: every test first asserts that no kind of state an earlier test may
// have left is observable, then leaves its own kind behind. The kinds are shuffled
// (PY_APM_SHUFFLE_SEED, else the day's date) into two groups that run at once on the two workers
// of scripts/test_js.sh, each in order: whichever test comes next in its group must not see it.
import { readFileSync } from "node:fs";
import type { Page } from "@playwright/test";
import { expect, test } from "py-apm-emulator/playwright";

type Canaries = { set: Record<string, string>; probe: string };
const CANARIES: Canaries = JSON.parse(readFileSync(new URL("./leak-canaries.json", import.meta.url), "utf8"));

/** What the Node listeners a test left behind heard (one list per worker process). */
const heard: string[] = [];

const inPage = (body: string) => async (page: Page) => {
  await page.evaluate(`(async () => { ${body} })()`);
};

async function reload(page: Page) {
  await page.reload();
  await page.evaluate(() => window.PyApm.ready);
}

const LEAVE: Record<string, (page: Page) => Promise<unknown>> = {
  ...Object.fromEntries(Object.entries(CANARIES.set).map(([kind, body]) => [kind, inPage(body)])),
  init_script: async (page) => {
    await page.addInitScript("window.__leakInit = 1");
    await reload(page);
  },
  context_init_script: async (page) => {
    await page.context().addInitScript("window.__leakContextInit = 1");
    await reload(page);
  },
  page_route: (page) => page.route("**/leak-page-route", (route) => route.fulfill({ status: 200, body: "leak" })),
  context_route: (page) => page.context().route("**/leak-context-route", (route) => route.fulfill({ status: 200, body: "x" })),
  permissions: async (page) => {
    await page.context().grantPermissions(["geolocation"]);
    await page.context().setGeolocation({ latitude: 47.6, longitude: -122.3 });
  },
  extra_page: async (page) => {
    await page.context().newPage();
  },
  dialog: async (page) => {
    page.on("dialog", (dialog) => dialog.accept());
  },
  console_listener: async (page) => {
    page.on("console", (msg) => heard.push(msg.text()));
    page.on("pageerror", (err) => heard.push(String(err)));
  },
  crash: async (page) => {
    await page.goto("chrome://crash", { timeout: 10_000 }).catch(() => {}); // dies with the renderer
  },
};

async function leftovers(page: Page, messages: { text: string }[]): Promise<string[]> {
  const found: string[] = await page.evaluate(`(${CANARIES.probe})()`);
  found.push(...new Set(messages.map((e) => e.text).filter((t) => t.startsWith("leak:"))));
  const pages = page.context().pages().length;
  if (pages !== 1) found.push(`popup or extra page (${pages} pages)`);
  if (await page.evaluate(() => confirm("leak?"))) found.push("dialog handler"); // none: dismissed
  heard.length = 0;
  await page.evaluate(() => console.log("anyone there?"));
  await page.evaluate(() => 0); // the console event has reached Node
  if (heard.length) found.push("console listener");
  return found;
}

/** A seeded shuffle (mulberry32), the same in every worker. */
function shuffled<T>(items: T[], seed: number): T[] {
  let a = seed >>> 0;
  const random = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

const seed = Number(process.env.PY_APM_SHUFFLE_SEED || new Date().toISOString().slice(0, 10).replaceAll("-", ""));
const kinds = shuffled(Object.keys(LEAVE).sort(), seed);
// Two groups, one per worker: each runs its half of the kinds in order in one worker (the next
// test is the one that must not see what a test left), then a last test that looks for what the
// last kind left.
const GROUPS = 2;

test.describe.configure({ mode: "parallel" });

for (let group = 0; group < GROUPS; group++) {
  test.describe(`group ${group + 1} of ${GROUPS}`, () => {
    test.describe.configure({ mode: "default" });
    for (const kind of kinds.filter((_, i) => i % GROUPS === group)) {
      test(`nothing left, then leave ${kind} (seed ${seed})`, async ({ apmPage, apmConsole }) => {
        const found = await leftovers(apmPage, apmConsole);
        await LEAVE[kind](apmPage); // even after a leak: one failure does not hide the kinds after it
        expect(found).toEqual([]);
      });
    }
    test(`nothing left by the last one (seed ${seed})`, async ({ apmPage, apmConsole }) => {
      expect(await leftovers(apmPage, apmConsole)).toEqual([]);
    });
  });
}

test("apmSharedPage keeps what a test left beyond the workspace (the opt-in trade)", async ({ apmSharedPage }) => {
  await apmSharedPage.evaluate(CANARIES.set.model);
  expect(await apmSharedPage.evaluate(() => window.PyApm.state().sessions.length)).toBe(2);
});
