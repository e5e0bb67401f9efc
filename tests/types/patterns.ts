// Patterns real code uses, checked under `strict` against types/apm.d.ts and types/pyapm.d.ts.
// Type-checked only (tsc --noEmit), never run. The `@ts-expect-error` lines are misuses the
// typings must reject: tsc fails if one of them is accepted.

// ---- A web resource in a workspace tab reaches the emulator through its parent window. ----
const apm: Microsoft.Apm.Api = window.parent.Microsoft.Apm;
const topApm = window.top?.Microsoft.Apm ?? Microsoft.Apm;

async function openCase(incidentId: string): Promise<string> {
  const sessionContext = new Map<string, string>([
    ["parametersStr", JSON.stringify([["entityName", "incident"], ["entityId", incidentId]])],
    ["customerName", "Alex"],
  ]);
  if (!apm.canCreateSession()) throw new Error("too many sessions");
  const sessionId: string = await apm.createSession({
    templateName: "case_entity_session_default_template",
    sessionContext,
    isFocused: true,
  });
  return sessionId;
}

async function contextRoundTrip(): Promise<string | undefined> {
  const session = topApm.getFocusedSession();
  await session.updateContext({ customerName: "Contoso", tier: 2 });
  const context = await session.getContext();
  context.set("caseTitle", "Printer jam");
  const anchor = context.getTabContext("anchor");
  const entityId: string | undefined = anchor?.entityId;
  const templateName: string | null = context.templateName;
  const names: string[] = Object.keys(context.parameters);
  console.log(entityId, templateName, names, await context.resolveSlug("{anchor.title}"));
  return context.get("customerName");
}

async function tabsOfTemplate(): Promise<number> {
  const session = apm.getFocusedSession();
  const tabId = await session.createTab({
    templateName: "msdyn_omnichannel_kbsearch",
    appContext: new Map([["data", "printer"]]),
  });
  const tab = session.getTab(tabId);
  if (tab !== null && tab.canClose) {
    tab.title = "Printer articles";
    const closed: boolean = await tab.close();
    console.log(closed);
  }
  const ids: string[] = await session.getAllTabsForTemplate("msdyn_omnichannel_kbsearch");
  return ids.length;
}

async function focusAndRefresh(tabId: string): Promise<void> {
  await apm.focusTab(tabId);
  await apm.refreshTab(tabId);
  const closed: boolean = await apm.closeTab(tabId);
  const session = apm.getSession("session-id-1");
  if (session && !session.isDefault) {
    session.title = `${session.title} (${closed ? "closed" : "kept"})`;
    session.requestFocus();
    await session.focus();
    session.getAllTabs().forEach((id) => console.log(session.getTab(id)?.title));
  }
}

function subscribe(): () => void {
  const channel = new BroadcastChannel(apm.getEventPublisherTopic("ON_TAB_SWITCH"));
  channel.onmessage = (event: Microsoft.Apm.EventMessage<"ON_TAB_SWITCH">) => {
    const { previousTabId, sessionId, tabId } = event.data;
    console.log(previousTabId ?? "none", sessionId, tabId);
  };
  const closed = new BroadcastChannel(apm.getEventPublisherTopic("ON_SESSION_CLOSED"));
  closed.onmessage = (event: MessageEvent<Microsoft.Apm.SessionClosedEventData>) => {
    console.log(event.data.sessionId);
  };
  return () => {
    channel.close();
    closed.close();
  };
}

async function errorCodes(): Promise<number | undefined> {
  try {
    await apm.createTab({ templateName: "new_missing_template" });
  } catch (e) {
    const error = e as Microsoft.Apm.ApmError;
    if (error.errorCode === 409) return error.errorCode;
    console.log(error.message);
  }
  apm.createSession({ templateName: "msdyn_chat_session" }).then(
    (id) => console.log(id.toUpperCase()),
    (error: Microsoft.Apm.ApmError) => console.log(error.errorCode),
  );
  return undefined;
}

// ---- The documented (synchronous) contract, for pages configured with returns: "documented".
function documented(): string {
  const sync = Microsoft.Apm as unknown as Microsoft.Apm.DocumentedApi;
  const id: string = sync.createTab({ templateName: "msdyn_omnichannel_kbsearch" });
  sync.getFocusedSession().getFocusedTab().close();
  return id;
}

// ---- The other two faces of the same workspace. ----
async function runtimeFace(): Promise<void> {
  const sessions = Microsoft.AppRuntime.Sessions;
  const handlerId = sessions.addOnAfterSessionSwitch((ctx) => {
    const { previousSessionId, newSessionId } = ctx.getEventArgs()._inputArguments;
    console.log(previousSessionId, newSessionId);
  });
  sessions.addOnContextChange((event) => console.log(event.eventType, event.context.pageType));
  const topic = Microsoft.AppRuntime.Internal.getAPMRuntimeTopics().get("ON_TAB_SWITCH");
  const focused = sessions.getFocusedSession();
  await focused.updateContext({ draft: "" }, true);
  console.log(topic, focused.iconPath, await sessions.refreshSession());
  const id = await sessions.create({ templateName: "msdyn_chat_session", sessionContext: { customerName: "Alex" } });
  const context = await sessions.getFocusedSession().getContext();
  console.log(id, sessions.getAll().length, context.parameters["customerName"]);
  sessions.removeOnAfterSessionSwitch(handlerId);
}

async function xrmFace(): Promise<void> {
  const sessions = window.parent.Xrm.App.sessions;
  sessions.addOnAfterSessionClose(() => undefined);
  const session = sessions.getFocusedSession();
  if (session.tabs.canCreateTab()) {
    await session.tabs.createTab({
      pageInput: { pageType: "entityrecord", entityName: "account", entityId: "11bb" },
      options: { isFocused: true, title: "Account" },
    });
  }
  const first = sessions.getAll().get(0);
  const tab = first?.tabs.getFocusedTab();
  if (tab && tab.currentPageInput.pageType === "webresource") console.log(tab.currentPageInput.webresourceName);
  const id = await sessions.createSession({
    pageInput: { pageType: "entityrecord", entityName: "incident", entityId: "11bb" },
    options: { isFocused: false, isFocusRequested: true },
  });
  console.log(id, sessions.getAll().getLength(), Xrm.App.sessions.canCreateSession(), tab?.getParentSessionId());
}

// ---- Test code: PyApm. ----
async function testControl(): Promise<void> {
  await PyApm.ready;
  PyApm.reset({ restoreDefaults: true, returns: "documented" });
  const effective = PyApm.configure({
    strictTemplates: true,
    records: { incident: { "11bb": { title: "Printer jam", ticketnumber: "CAS-01003" } } },
    sessionTemplates: [
      { uniqueName: "contoso_case_session", type: "Entity", entity: "incident", title: "{anchor.title}" },
    ],
    tabTemplates: [
      { uniqueName: "contoso_bing", pageType: "Third-party website", parameters: { url: "https://www.bing.com/search?q=" } },
    ],
  });
  const state = PyApm.state();
  const home = state.sessions[0];
  console.log(effective.sessionTemplates, state.focusedSessionId, home?.tabs[0]?.pageType, PyApm.version);
  const failed = PyApm.calls().filter((c) => c.error !== null && c.error.errorCode === 400);
  const stop = PyApm.onChange((payload) => {
    for (const event of payload.events) {
      if (event.name === "ON_SESSION_SWITCH") console.log(event.data.newSessionId);
    }
  });
  window.addEventListener("pyapm:change", (e) => console.log(e.detail.revision));
  PyApm.ui.closeSession("session-id-1");
  stop();
  console.log(failed.length, PyApm.isReady, PyApm.bootTimeMs, PyApm.bootedFromSnapshot);
}

// ---- Misuses the typings reject. ----
function misuses(): void {
  // @ts-expect-error an unknown event name
  apm.getEventPublisherTopic("ON_TAB_CLOSED");
  const session = apm.getFocusedSession();
  // @ts-expect-error canClose is a property, not a method
  session.canClose();
  // @ts-expect-error getTab's result can be null: check it first
  session.getTab("tab-id-1").focus();
  // @ts-expect-error getSession's result can be null: check it first
  apm.getSession("session-id-1").focus();
  // @ts-expect-error createTab resolves to the id (a Promise): await it first
  apm.focusTab(apm.createTab({ templateName: "msdyn_omnichannel_kbsearch" }));
  // @ts-expect-error templateName is required
  apm.createSession({ sessionContext: new Map() });
  // @ts-expect-error sessionId is read-only
  session.sessionId = "session-id-9";
  // @ts-expect-error an unknown configure option
  PyApm.configure({ legacyPromise: true });
  // @ts-expect-error returns is "runtime" or "documented"
  PyApm.reset({ returns: "sync" });
  // @ts-expect-error a member py-apm refuses (501) is not declared
  void Microsoft.AppRuntime.Sessions.getFocusedSession().notifyKpiBreach(true);
  // @ts-expect-error an Xrm page type py-apm does not know
  Xrm.App.sessions.getFocusedSession().tabs.createTab({ pageInput: { pageType: "inlinedialog", uniqueName: "x" } });
}

export {
  openCase, contextRoundTrip, tabsOfTemplate, focusAndRefresh, subscribe, errorCodes, documented,
  runtimeFace, xrmFace, testControl, misuses,
};
