// What a user's suite does with py-apm-emulator/playwright: documentation examples verbatim, a web
// resource in a tab, the reset between tests, errors, console capture, options, a fresh page.
import { readFileSync } from "node:fs";
import type { Frame, Page } from "@playwright/test";
import { expect, test } from "py-apm-emulator/playwright";

const MARKER = "// ---- BEGIN VERBATIM DOC EXAMPLE (everything after this line, to EOF) ----\n";
const CASE_ID = "11bb11bb-cc22-dd33-ee44-55ff55ff55ff";

/** A documentation example, verbatim: everything after the marker line of its file. */
function example(name: string): string {
  const text = readFileSync(new URL(`../examples/${name}`, import.meta.url), "utf8");
  const [, code] = text.split(MARKER);
  if (code === undefined) throw new Error(`${name}: no verbatim marker`);
  return code;
}

/** Runs a script in a fresh same-origin frame that loads shim.js, as a web resource would. */
async function runInFrame(page: Page, code: string): Promise<Frame> {
  const name = `example-${Math.random().toString(36).slice(2)}`;
  await page.evaluate(({ name }) => new Promise<void>((done) => {
    const frame = document.createElement("iframe");
    frame.name = name;
    frame.style.display = "none";
    frame.srcdoc = `<!doctype html><script>window.__logs = [];
      const log = console.log.bind(console);
      console.log = (...a) => { window.__logs.push(a.map(String).join(" ")); log(...a); };
      </script><script src="shim.js"></script>`;
    frame.onload = () => done();
    document.body.appendChild(frame);
  }), { name });
  const frame = page.frame({ name });
  if (frame === null) throw new Error("example frame missing");
  await frame.addScriptTag({ content: code });
  return frame;
}

const logs = (frame: Frame) => frame.evaluate(() => (window as unknown as { __logs: string[] }).__logs.slice());

test.describe("documentation examples, verbatim", () => {
  test("createSession__1: a case session from a Map with parametersStr", async ({ apmPage }) => {
    await runInFrame(apmPage, example("createSession__1.js"));
    const state = await apmPage.evaluate(() => PyApm.state());
    expect(state.focusedSessionId).toBe("session-id-1");
    const session = state.sessions[1]!;
    expect(session.templateName).toBe("case_entity_session_default_template");
    expect(session.tabs[0]!.parameters).toMatchObject({ entityName: "incident", entityId: CASE_ID });
  });

  test("createTab__1: an entity record tab in the focused session", async ({ apmPage }) => {
    await runInFrame(apmPage, example("createTab__1.js"));
    const home = (await apmPage.evaluate(() => PyApm.state())).sessions[0]!;
    expect(home.tabs.map((t) => t.templateName)).toEqual([null, "msdyn_entityrecord"]);
    expect(home.tabs[1]!.parameters.entityName).toBe("account");
    expect(home.focusedTabId).toBe(home.tabs[1]!.tabId);
  });

  test("canCloseTab__1: canClose read as a property, then tab.close()", async ({ apmPage }) => {
    const tabId = await apmPage.evaluate(async () => await Microsoft.Apm.createTab({ templateName: "msdyn_omnichannel_kbsearch" }));
    await runInFrame(apmPage, example("canCloseTab__1.js"));
    await expect.poll(() => apmPage.evaluate(() => PyApm.state().sessions[0]!.tabs.map((t) => t.tabId))).toEqual(["tab-id-0"]);
    expect(tabId).toBe("tab-id-1");
  });

  test("ON_TAB_SWITCH__1: the BroadcastChannel subscriber logs the switch", async ({ apmPage }) => {
    const frame = await runInFrame(apmPage, example("ON_TAB_SWITCH__1.js"));
    await apmPage.evaluate(async () => { await Microsoft.Apm.createTab({ templateName: "msdyn_omnichannel_kbsearch" }); });
    await expect.poll(() => logs(frame)).toEqual([
      "Previous session:  session-id-0 Previous tab: tab-id-0 Current session: session-id-0 Previous tab: tab-id-1",
    ]);
  });

  test("updateContext__1: getContext().then(context => context.get(...))", async ({ apmPage }) => {
    await apmPage.evaluate(async () => {
      await Microsoft.Apm.createSession({ templateName: "msdyn_chat_session", sessionContext: { customerName: "Alex" } });
    });
    const frame = await runInFrame(apmPage, example("updateContext__1.js"));
    await expect.poll(() => logs(frame)).toEqual(["Contoso"]);
  });
});

test.describe("a web resource in a workspace tab", () => {
  test("reaches window.parent.Microsoft.Apm and creates a tab", async ({ apmPage, apmURL }) => {
    expect(apmURL).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const sessionId = await apmPage.evaluate(async (caseId) => await Microsoft.Apm.createSession({
      templateName: "contoso_case_session",
      sessionContext: new Map([["parametersStr", JSON.stringify([["entityName", "incident"], ["entityId", caseId]])]]),
    }), CASE_ID);
    const panel = await apmPage.evaluate(() => PyApm.state().sessions[1]!.tabs[1]!);
    expect(panel.url).toBe("webresources/contoso_case_panel.html?data=CAS-01003");
    await apmPage.evaluate(async (id) => { await Microsoft.Apm.focusTab(id); }, panel.tabId);
    const frame = apmPage.frameLocator(`[data-testid="tab-frame"][data-tab-id="${panel.tabId}"]`);
    await expect(frame.locator("#summary")).toHaveText("CAS-01003 Printer jam | CAS-01003");
    await frame.locator("#open-kb").click();
    await expect(frame.locator("#result")).toHaveText("opened tab-id-3");
    const tabs = await apmPage.evaluate((sid) => Microsoft.Apm.getSession(sid)?.getAllTabs(), sessionId);
    expect(tabs).toEqual(["tab-id-1", "tab-id-2", "tab-id-3"]);
  });
});

test.describe("the README example", () => {
  test("the panel opens knowledge search", async ({ apmPage }) => {
    const tabId = await apmPage.evaluate(() => Microsoft.Apm.createTab({ templateName: "contoso_case_panel" }));
    const panel = apmPage.frameLocator(`[data-testid="tab-frame"][data-tab-id="${tabId}"]`);
    await panel.getByRole("button", { name: "Open knowledge search" }).click();
    await expect.poll(() => apmPage.evaluate(() => PyApm.state().sessions[0]!.tabs.length)).toBe(3);
  });
});

test.describe("the per-test reset", () => {
  test("a test leaves a session behind", async ({ apmPage }) => {
    await apmPage.evaluate(async () => { await Microsoft.Apm.createSession({ templateName: "msdyn_chat_session" }); });
    expect(await apmPage.evaluate(() => Microsoft.Apm.getAllSessions())).toEqual(["session-id-0", "session-id-1"]);
  });

  test("the next test starts from Home only, ids counted from 1 again", async ({ apmPage }) => {
    expect(await apmPage.evaluate(() => PyApm.calls())).toEqual([]);
    expect(await apmPage.evaluate(() => Microsoft.Apm.getAllSessions())).toEqual(["session-id-0"]);
    const id = await apmPage.evaluate(async () => await Microsoft.Apm.createSession({ templateName: "msdyn_chat_session" }));
    expect(id).toBe("session-id-1");
  });
});

test.describe("errors", () => {
  test("a bad argument is an Error with errorCode 400 naming the member; nothing changes", async ({ apmPage }) => {
    const before = await apmPage.evaluate(() => PyApm.state());
    const error = await apmPage.evaluate(async () => {
      try {
        await Microsoft.Apm.createTab({} as Microsoft.Apm.AppTabInput);
        return null;
      } catch (e) {
        const err = e as Microsoft.Apm.ApmError;
        return { isError: err instanceof Error, errorCode: err.errorCode, message: err.message };
      }
    });
    expect(error).toMatchObject({ isError: true, errorCode: 400 });
    expect(error!.message).toContain("createTab");
    expect(error!.message).toContain("templateName");
    expect(await apmPage.evaluate(() => PyApm.state())).toEqual(before);
  });

  test("an id outside the focused session is a 404", async ({ apmPage }) => {
    const code = await apmPage.evaluate(async () => {
      try {
        await Microsoft.Apm.focusTab("tab-id-99");
        return null;
      } catch (e) {
        return (e as Microsoft.Apm.ApmError).errorCode;
      }
    });
    expect(code).toBe(404);
  });
});

test.describe("console capture", () => {
  test("a refused close of Home warns on the console", async ({ apmPage, apmConsole }) => {
    await apmPage.evaluate(async () => { await Microsoft.Apm.getFocusedSession().close(); });
    expect(apmConsole.filter((m) => m.type === "warning").map((m) => m.text).join("\n")).toContain("[py-apm]");
    const closes = await apmPage.evaluate(() => PyApm.calls().filter((c) => c.method === "session.close"));
    expect(closes.map((c) => [c.refused, c.reason !== null])).toEqual([[true, true]]);
  });

  test("holds only this test's messages", async ({ apmPage, apmConsole }) => {
    await apmPage.evaluate(() => console.log("only mine"));
    expect(apmConsole.map((m) => m.text)).toEqual(["only mine"]);
  });
});

test.describe("per-test options", () => {
  test.use({ apmOptions: { strictTemplates: true } });

  test("strictTemplates refuses an unknown template (422)", async ({ apmPage }) => {
    const code = await apmPage.evaluate(async () => {
      try {
        await Microsoft.Apm.createSession({ templateName: "contoso_missing" });
        return null;
      } catch (e) {
        return (e as Microsoft.Apm.ApmError).errorCode;
      }
    });
    expect(code).toBe(422);
  });
});

test.describe("a fresh page", () => {
  test.use({ apmFreshPage: true });

  test("is its own ready page with the configuration applied", async ({ apmPage, apmSharedPage }) => {
    expect(apmPage).not.toBe(apmSharedPage);
    expect(await apmPage.evaluate(() => [PyApm.isReady, PyApm.bootedFromSnapshot])).toEqual([true, true]);
    const names = await apmPage.evaluate(() => PyApm.configure({}).sessionTemplates);
    expect(names).toContain("contoso_case_session");
  });
});
