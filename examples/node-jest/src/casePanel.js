// The script of a case panel web resource, as a module: in the workspace it runs in a tab's
// iframe and reaches the workspace through window.parent; in Jest that is the test's global.
const host = () => (typeof window !== "undefined" ? window.parent : globalThis);

/** The focused session's id and title, the customer from its context, and the user's name (Xrm). */
async function sessionSummary() {
  const session = host().Microsoft.Apm.getFocusedSession();
  const context = await session.getContext();
  const user = host().Xrm.Utility.getGlobalContext().userSettings.userName;
  return { sessionId: session.sessionId, title: session.title, customer: context.get("customerName") ?? null, user };
}

/** Opens the Knowledge Search tab for `query` in the focused session (through Xrm.App.sessions). */
async function openKnowledgeSearch(query) {
  const session = await host().Xrm.App.sessions.getFocusedSession();
  return session.tabs.createTab({
    pageInput: { pageType: "webresource", webresourceName: "msdyn_kbsearchpagehost.html", data: query },
    options: { title: "Knowledge Search", isFocused: true },
  });
}

/** Calls `onSwitch({previousSessionId, newSessionId})` on every session switch; returns the unsubscribe. */
function watchSessionSwitch(onSwitch) {
  const channel = new BroadcastChannel(host().Microsoft.Apm.getEventPublisherTopic("ON_SESSION_SWITCH"));
  channel.onmessage = (message) => onSwitch(message.data);
  return () => channel.close();
}

/** Renders the panel into `root`: a heading with the session title and a search button. */
async function mount(root) {
  const doc = root.ownerDocument;
  const heading = doc.createElement("h1");
  const input = doc.createElement("input");
  const button = doc.createElement("button");
  button.textContent = "Search knowledge";
  button.addEventListener("click", () => openKnowledgeSearch(input.value));
  root.append(heading, input, button);
  const show = async () => {
    heading.textContent = (await sessionSummary()).title;
  };
  const stop = watchSessionSwitch(show);
  await show();
  return { heading, input, button, stop };
}

module.exports = { sessionSummary, openKnowledgeSearch, watchSessionSwitch, mount };
