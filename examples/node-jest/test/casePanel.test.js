const { XrmMockGenerator } = require("xrm-mock");
const { mount, openKnowledgeSearch, sessionSummary } = require("../src/casePanel");

const caseSession = (isFocused = true) => ({
  templateName: "case_entity_session_default_template",
  sessionContext: new Map()
    .set("parametersStr", '[["entityName","incident"],["entityId","11bb11bb-cc22-dd33-ee44-55ff55ff55ff"]]')
    .set("customerName", "Contoso"),
  isFocused,
});

beforeEach(() => {
  // What xrm-mock users write: a new Xrm for every test. Xrm.App.sessions stays.
  XrmMockGenerator.initialise();
  XrmMockGenerator.context.userSettings.userName = "Avery";
});

test("xrm-mock's Xrm and py-apm's sessions side by side", async () => {
  expect(typeof Xrm.App.sessions.getFocusedSession).toBe("function");
  await Microsoft.Apm.createSession(caseSession());
  expect(await sessionSummary()).toEqual({
    sessionId: "session-id-1", title: "Printer on fire", customer: "Contoso", user: "Avery",
  });
});

test("opens the Knowledge Search tab through Xrm.App.sessions", async () => {
  await Microsoft.Apm.createSession(caseSession());
  const tabId = await openKnowledgeSearch("printer jam");
  const tab = Microsoft.Apm.getFocusedSession().getFocusedTab();
  expect(tab.tabId).toBe(tabId);
  expect(tab.title).toBe("Knowledge Search");
  expect(PyApm.state().sessions[1].tabs[1].parameters.data).toBe("printer jam");
});

test("the button opens a tab and the heading follows ON_SESSION_SWITCH", async () => {
  const panel = await mount(document.body);
  expect(panel.heading.textContent).toBe("Home");
  await Microsoft.Apm.createSession(caseSession());
  await new Promise((done) => setTimeout(done, 10));
  expect(panel.heading.textContent).toBe("Printer on fire");
  panel.button.click();
  await new Promise((done) => setTimeout(done, 10));
  expect(Microsoft.Apm.getFocusedSession().getAllTabs()).toEqual(["tab-id-1", "tab-id-2"]);
  panel.stop();
});

test("every test starts from a fresh workspace", () => {
  expect(Microsoft.Apm.getAllSessions()).toEqual(["session-id-0"]);
});
