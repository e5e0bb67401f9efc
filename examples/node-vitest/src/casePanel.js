// The script of a case panel web resource, as a module: in the workspace it runs in a tab's
// iframe and reaches the workspace through window.parent; in Node tests that is the global.
const apm = () => (globalThis.parent ?? globalThis).Microsoft.Apm;

/** The focused session's id and title, and the customer from its context. */
export async function sessionSummary() {
  const session = apm().getFocusedSession();
  const context = await session.getContext();
  return { sessionId: session.sessionId, title: session.title, customer: context.get("customerName") ?? null };
}

/** Opens the Knowledge Search tab for `query` in the focused session; resolves to its tab id. */
export function openKnowledgeSearch(query) {
  return apm().createTab({
    templateName: "msdyn_omnichannel_kbsearch",
    appContext: new Map().set("data", query),
    isFocused: true,
  });
}

/** Calls `onSwitch({previousSessionId, newSessionId})` on every session switch; returns the unsubscribe. */
export function watchSessionSwitch(onSwitch) {
  const channel = new BroadcastChannel(apm().getEventPublisherTopic("ON_SESSION_SWITCH"));
  channel.onmessage = (message) => onSwitch(message.data);
  return () => channel.close();
}

/** Renders the panel into `root` (a DOM element): the session title, a search box and button. */
export async function mount(root) {
  const doc = root.ownerDocument;
  const heading = doc.createElement("h1");
  const input = doc.createElement("input");
  const button = doc.createElement("button");
  button.textContent = "Search knowledge";
  button.addEventListener("click", () => openKnowledgeSearch(input.value));
  root.append(heading, input, button);
  const show = async () => {
    const { title, customer } = await sessionSummary();
    heading.textContent = customer ? `${title} (${customer})` : title;
  };
  const stop = watchSessionSwitch(show);
  await show();
  return { heading, input, button, stop };
}
