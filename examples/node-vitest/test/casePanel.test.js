import { expect, test } from "vitest";
import { openKnowledgeSearch, sessionSummary, watchSessionSwitch } from "../src/casePanel.js";

const caseSession = (isFocused = true) => ({
  templateName: "case_entity_session_default_template",
  sessionContext: new Map()
    .set("parametersStr", '[["entityName","incident"],["entityId","11bb11bb-cc22-dd33-ee44-55ff55ff55ff"]]')
    .set("customerName", "Contoso"),
  isFocused,
});

test("reads its session context", async () => {
  await Microsoft.Apm.createSession(caseSession());
  expect(await sessionSummary()).toEqual({ sessionId: "session-id-1", title: "Printer on fire", customer: "Contoso" });
});

test("opens the Knowledge Search tab with the query", async () => {
  await Microsoft.Apm.createSession(caseSession());
  const tabId = await openKnowledgeSearch("printer jam");
  const session = PyApm.state().sessions.find((s) => s.sessionId === "session-id-1");
  expect(session.focusedTabId).toBe(tabId);
  expect(session.tabs.find((t) => t.tabId === tabId).parameters.data).toBe("printer jam");
});

test("hears ON_SESSION_SWITCH", async () => {
  await Microsoft.Apm.createSession(caseSession());
  await Microsoft.Apm.createSession(caseSession(false));
  const seen = [];
  const stop = watchSessionSwitch((data) => seen.push(data));
  await Microsoft.Apm.getSession("session-id-2").focus();
  await new Promise((done) => setTimeout(done, 10));
  stop();
  expect(seen).toEqual([{ previousSessionId: "session-id-1", newSessionId: "session-id-2" }]);
});

test("every test starts from a fresh workspace", () => {
  expect(Microsoft.Apm.getAllSessions()).toEqual(["session-id-0"]);
});

test("errors are the emulator's", async () => {
  await expect(Microsoft.Apm.focusTab("tab-id-99")).rejects.toMatchObject({ errorCode: 404 });
});
