// @vitest-environment jsdom
import { expect, test } from "vitest";
import { mount } from "../src/casePanel.js";

const caseSession = (isFocused = true) => ({
  templateName: "case_entity_session_default_template",
  sessionContext: new Map()
    .set("parametersStr", '[["entityName","incident"],["entityId","11bb11bb-cc22-dd33-ee44-55ff55ff55ff"]]')
    .set("customerName", "Contoso"),
  isFocused,
});

test("window.parent is the global: the panel shows its session", async () => {
  expect(window.parent.Microsoft.Apm).toBe(Microsoft.Apm);
  await Microsoft.Apm.createSession(caseSession());
  const panel = await mount(document.body);
  expect(panel.heading.textContent).toBe("Printer on fire (Contoso)");
  panel.stop();
});

test("the button opens a Knowledge Search tab", async () => {
  await Microsoft.Apm.createSession(caseSession());
  const panel = await mount(document.body);
  panel.input.value = "printer jam";
  panel.button.click();
  const focused = Microsoft.Apm.getFocusedSession().getFocusedTab();
  expect(focused.title).toBe("Knowledge Search");
  panel.stop();
});

test("the heading follows a session switch", async () => {
  const panel = await mount(document.body);
  expect(panel.heading.textContent).toBe("Home");
  await Microsoft.Apm.createSession(caseSession());
  await new Promise((done) => setTimeout(done, 10));
  expect(panel.heading.textContent).toBe("Printer on fire (Contoso)");
  panel.stop();
});
