// Provider code as the CIF documentation and Microsoft's samples write it (docs/cif.md), checked
// under `strict` against types/cif.d.ts. Type-checked only, never run. `@ts-expect-error` lines
// are misuses the typings must reject.

const CIF = Microsoft.CIFramework;

// DOC: createSession / getSession / getFocusedSession
async function answerCall(number: string): Promise<string | null> {
  if (!(await CIF.canCreateSession())) return null;
  const sessionId = await CIF.createSession({
    templateName: "sample_TwilioCallSessionTemplate",
    templateParameters: { customer: number, sample_bing: { searchQ: number } },
    context: { media: "voice" },
  }, "corr-1");
  const info = await CIF.getSession(sessionId);
  const conversationId = info.get("conversationId");
  const focused: boolean = info.isFocused;
  const focusedId: string | null = await CIF.getFocusedSession();
  await CIF.setSessionTitle({ sessionId, customer: number });
  return focused && focusedId === sessionId ? String(conversationId) : null;
}

// TW: notifyEvent resolves JSON text; a rejection is read through .message
async function notify(number: string): Promise<boolean> {
  try {
    const result = JSON.parse(await CIF.notifyEvent({
      templateName: "sample_IncomingCallNotification",
      templateParameters: { number },
      cancellationToken: "call-1",
    })) as { actionName: string; responseReason: string };
    return result.actionName === "Accept";
  } catch (e) {
    const error = e as Microsoft.CIFramework.CifError;
    return error.get("message") === "NotificationTemplateNotFoundError" && error.errorCode === 404;
  }
}

// TW: records and tabs
async function findContact(phone: string): Promise<string | undefined> {
  const text = await CIF.searchAndOpenRecords(
    "contact", `?$select=fullname&$filter=contains(mobilephone, '${phone}')`, true);
  const found = JSON.parse(text) as { [index: string]: { fullname?: string; contactid: string } };
  const created = JSON.parse(await CIF.createRecord("phonecall", JSON.stringify({ subject: "Call" })));
  await CIF.updateRecord("phonecall", created.id, JSON.stringify({ description: "x" }));
  await CIF.retrieveRecord("incident", created.id, "?$select=title");
  const tab: string = await CIF.createTab({
    templateName: "sample_entityrecord",
    templateParameters: { entityName: "incident", entityId: created.id },
    isFocused: true,
  });
  await CIF.setTabTitle(tab, { title: "Case {n}", n: 1 });
  return found[0]?.fullname;
}

// SIM: handlers, panel, presence, indicators
function start(): void {
  window.addEventListener("CIFInitDone", (ev) => { const origins: string[] = ev.detail; void origins; });
  CIF.addHandler("onSessionSwitched", (payload) => {
    const data = JSON.parse(payload) as { sessionId: string; focused: boolean };
    if (!data.focused) void CIF.notifyKpiBreach(data.sessionId, false, null);
    return Promise.resolve();
  });
  CIF.addHandler("onPageNavigate", () => undefined); // registered as given (never raised)
  void CIF.setClickToAct(true);
  void CIF.setMode(1).then((mode: 0 | 1 | 2) => mode);
  void CIF.setWidth(400);
  void CIF.setPresence("Appear away").then((ok: boolean) => ok);
  void CIF.getAllSessions().then((ids) => ids.forEach((id) => {
    void CIF.notifyNewActivity(id, 2);
    void CIF.requestFocusSession(id);
  }));
  void CIF.getFocusedTab().then((tab) => (tab ? CIF.closeTab(tab) : false));
  void CIF.getTabs(undefined, ["crm"]);
  void CIF.openForm(JSON.stringify({ entityName: "contact", entityId: "x" }), JSON.stringify({}));
  void CIF.logAnalyticsEvent({ a: 1 }, "CallAccepted");
  void CIF.getEnvironment().then((text) => JSON.parse(text) as { appid: string });
}

// Test code: PyApm's CIF control
function drive(): void {
  PyApm.configure({
    channelProviders: [{ name: "softphone", url: "sample_softphone.html", enableOutbound: true }],
    notificationTemplates: [{ uniqueName: "cb_incoming", title: "Call from {number}", timeout: 30 }],
    sessionTemplates: [{ uniqueName: "cb_call", type: "generic", anchorTab: "cb_contacts", panelMode: "docked" }],
  });
  const pending = PyApm.notifications()[0];
  if (pending) PyApm.ui.respondToNotification(pending.id, "Accept");
  const mode: 0 | 1 | 2 = PyApm.cif().mode;
  void mode;
}

// ---- misuses the typings reject ----
// @ts-expect-error setMode takes 0, 1 or 2
void CIF.setMode(3);
// @ts-expect-error openForm takes JSON text, not an object
void CIF.openForm({ entityName: "contact" });
// @ts-expect-error a notification answer is Accept, Reject or Timeout
PyApm.ui.respondToNotification("notification-1", "Maybe");
// @ts-expect-error createRecord's data is JSON text
void CIF.createRecord("contact", { fullname: "x" });

void answerCall; void notify; void findContact; void start; void drive;
