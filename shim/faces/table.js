// The faces' members, declared once: one table per face, one entry per JS object of the face,
// one row per member. faces/build.js turns the rows into the objects; the face modules
// (faces/apm.js, runtime.js, xrm.js) write by hand only the rows of kind "hand". Data only (no
// imports): the registry tests read it with node (tests/tooling/test_member_registry.py).

/**
 * How a "call" row's result reaches the caller:
 * "sync" the value at once; "void" nothing; "promise" always a Promise (the AppRuntime and Xrm
 * faces, getContext, getAllTabsForTemplate); "action" the return contract of Microsoft.Apm
 * (a Promise under `returns: "runtime"`, the value at once under `returns: "documented"`).
 * @typedef {"sync" | "void" | "promise" | "action"} Returns
 */

/**
 * What a result becomes: the face's session or tab object for an id, the context object, a
 * String or Boolean, or "nothing" (undefined). Absent: the value itself.
 * @typedef {"session" | "tab" | "context" | "String" | "Boolean" | "nothing"} As
 */

/**
 * One member of a face object.
 * - "id": the object's own id (sessionId, tabId), an enumerable value;
 * - "property": an enumerable accessor, read through `bridge` (cached until the next change),
 *   written through `set` when there is one;
 * - "constant": an enumerable accessor always answering `value`;
 * - "call": a method calling the bridge member `bridge` with the object's id (if it has one)
 *   then `args`, its result shaped by `returns` and `as`;
 * - "handler": the addOn<name>/removeOn<name> pair of a handler event;
 * - "refused": a member the typings declare and py-apm cannot emulate: a 501 Error saying `why`
 *   (thrown, or a rejected Promise when `async`);
 * - "hand": written by hand in the face's module (what a row cannot say).
 * @typedef {object} Row
 * @property {string} name  the JS name
 * @property {"id" | "property" | "constant" | "call" | "handler" | "refused" | "hand"} kind
 * @property {string} [bridge]  "call": the bridge member; "property": its getter
 * @property {string} [set]  "property": the setter's bridge member (absent: read-only)
 * @property {Returns} [returns]  "call"
 * @property {As} [as]  "call": the result's shape (under "action": the runtime contract's)
 * @property {As} [documented]  "action": the result's shape under `returns: "documented"`
 * @property {string[] | "rest"} [args]  "call": the parameters passed on (default none; "rest": all)
 * @property {string} [value]  "constant"
 * @property {string} [why]  "refused"
 * @property {boolean} [async]  "refused": a rejected Promise instead of a throw
 * @property {number} [arity]  CIF "call": the arguments passed after the provider
 * @property {CifResult} [result]  CIF "call": what the answer becomes
 * @property {boolean} [waits]  CIF "call": no timeout while the workspace is not ready
 * @property {string} [errorName]  CIF: the msdyn_name of its errors (default: its name)
 */

/** @typedef {"value" | "null" | "map" | "notification"} CifResult */

/**
 * One JS object of a face: its members in definition order (enumerable ones in the order
 * `Object.keys` shows them).
 * @typedef {object} FaceObject
 * @property {string} label  the prefix of its members' labels (what errors and calls() say)
 * @property {string} [typing]  the interface of types/apm.d.ts it implements
 * @property {boolean} [enumerable]  methods enumerable (an object literal's), else not
 * @property {Row[]} members
 */

/** @typedef {Record<string, FaceObject>} Face */

/** @type {(returns: Returns, bridge: string, more?: Partial<Row>) => (name: string) => Row} */
const call = (returns, bridge, more = {}) => (name) => ({ name, kind: "call", bridge, returns, ...more });

/** @param {Record<string, (name: string) => Row>} rows @returns {Row[]} */
const rows = (rows) => Object.entries(rows).map(([name, row]) => row(name));

const id = () => (/** @type {string} */ name) => /** @type {Row} */ ({ name, kind: "id" });
/** @param {string} bridge @param {string} [set] */
const property = (bridge, set) => (/** @type {string} */ name) => /** @type {Row} */ ({ name, kind: "property", bridge, set });
const constant = (value = "") => (/** @type {string} */ name) => /** @type {Row} */ ({ name, kind: "constant", value });
const hand = () => (/** @type {string} */ name) => /** @type {Row} */ ({ name, kind: "hand" });
const handler = () => (/** @type {string} */ name) => /** @type {Row} */ ({ name, kind: "handler" });
/** @param {string} why */
const refused = (why) => (/** @type {string} */ name) => /** @type {Row} */ ({ name, kind: "refused", why });
/** @param {string} why */
const refusedAsync = (why) => (/** @type {string} */ name) => /** @type {Row} */ ({ name, kind: "refused", why, async: true });

const sessionProperties = {
  title: property("session.getTitle", "session.setTitle"),
  isDefault: property("session.isDefault"),
  canClose: property("session.getCanClose", "session.setCanClose"),
};
const tabProperties = {
  title: property("tab.getTitle", "tab.setTitle"),
  canClose: property("tab.getCanClose", "tab.setCanClose"),
};

/** Microsoft.Apm (decision 3): actions follow the return contract. @type {Face} */
export const APM = {
  Apm: {
    label: "Microsoft.Apm.",
    typing: "Microsoft.Apm.Api",
    enumerable: true,
    members: rows({
      getFocusedSession: call("sync", "getFocusedSession", { as: "session" }),
      getAllSessions: call("sync", "getAllSessions"),
      getSession: call("sync", "getSession", { as: "session", args: "rest" }),
      createSession: call("action", "createSession", { as: "String", documented: "String", args: "rest" }),
      canCreateSession: call("sync", "canCreateSession"),
      createTab: call("action", "createTab", { as: "String", documented: "String", args: "rest" }),
      closeTab: call("action", "closeTab", { as: "Boolean", documented: "nothing", args: "rest" }),
      focusTab: call("action", "focusTab", { as: "nothing", documented: "nothing", args: "rest" }),
      refreshTab: call("action", "refreshTab", { as: "nothing", documented: "nothing", args: "rest" }),
      getEventPublisherTopic: hand(),
    }),
  },
  session: {
    label: "session.",
    typing: "Microsoft.Apm.Session",
    members: rows({
      sessionId: id(),
      ...sessionProperties,
      close: call("action", "session.close", { as: "Boolean", documented: "nothing" }),
      focus: call("action", "session.focus", { as: "nothing", documented: "nothing" }),
      requestFocus: call("void", "session.requestFocus"),
      getFocusedTab: call("sync", "session.getFocusedTab", { as: "tab" }),
      getTab: call("sync", "session.getTab", { as: "tab", args: "rest" }),
      getAllTabs: call("sync", "session.getAllTabs"),
      canCreateTab: call("sync", "session.canCreateTab"),
      updateContext: call("action", "session.updateContext", { as: "context", documented: "nothing", args: "rest" }),
      resolveSlug: call("sync", "session.resolveSlug", { args: "rest" }),
      getContext: call("promise", "session.getContext", { as: "context" }),
      createTab: call("action", "session.createTab", { as: "String", documented: "String", args: "rest" }),
      getAllTabsForTemplate: call("promise", "session.getAllTabsForTemplate", { args: "rest" }),
    }),
  },
  tab: {
    label: "tab.",
    typing: "Microsoft.Apm.Tab",
    members: rows({
      tabId: id(),
      ...tabProperties,
      close: call("action", "tab.close", { as: "Boolean", documented: "nothing" }),
      focus: call("action", "tab.focus", { as: "nothing", documented: "nothing" }),
      refresh: call("action", "tab.refresh", { as: "nothing", documented: "nothing" }),
    }),
  },
};

const noTemplates = "the org's template records are not emulated (templates are configured with PyApm.configure)";
const noNotifications = "notifications are not emulated";
const noActivity = "activity counters are not part of the workspace model";

/** Microsoft.AppRuntime (AppRuntimeClientSdk.d.ts): actions always return Promises. @type {Face} */
export const RUNTIME = {
  Sessions: {
    label: "Microsoft.AppRuntime.Sessions.",
    typing: "Microsoft.AppRuntime.Sessions",
    members: rows({
      create: call("promise", "createSession", { args: ["sessionInput"] }),
      getSession: call("sync", "getSession", { as: "session", args: ["sessionId"] }),
      getFocusedSession: call("sync", "getFocusedSession", { as: "session" }),
      canCreateSession: call("sync", "canCreateSession"),
      getAll: call("sync", "getAllSessions"),
      registrySessionStatePersistence: hand(),
      cacheSessionState: hand(),
      restoreSessionState: hand(),
      removeSessionState: hand(),
      refreshSession: hand(),
      AfterSessionCreate: handler(),
      AfterSessionClose: handler(),
      AfterSessionSwitch: handler(),
      ContextChange: handler(),
      SessionRefresh: handler(),
    }),
  },
  session: {
    label: "AppRuntime session.",
    typing: "Microsoft.AppRuntime.Session",
    members: rows({
      sessionId: id(),
      ...sessionProperties,
      iconPath: constant(), // py-apm shows no icons
      iconTitle: constant(),
      focus: call("promise", "session.focus", { as: "nothing" }),
      requestFocus: call("void", "session.requestFocus"),
      close: call("promise", "session.close"),
      canCreateTab: call("sync", "session.canCreateTab"),
      getFocusedTab: call("sync", "session.getFocusedTab", { as: "tab" }),
      getTab: call("sync", "session.getTab", { as: "tab", args: ["tabId"] }),
      createTab: call("promise", "session.createTab", { args: ["input"] }),
      getAllTabs: call("sync", "session.getAllTabs"),
      getAllTabsForTemplate: call("promise", "session.getAllTabsForTemplate", { args: ["name"] }),
      getContext: call("promise", "session.getContext", { as: "context" }),
      updateContext: hand(), // isDelete: the input's keys removed instead of set
      notifyKpiBreach: refusedAsync("KPI indicators are not part of the workspace model"),
      notifyNewActivity: refusedAsync(`${noActivity} (requestFocus sets the attention indicator)`),
      resetActivityIndicator: refusedAsync(noActivity),
      setTitleAndInitials: call("void", "session.setTitle", { args: ["title"] }),
    }),
  },
  tab: {
    label: "AppRuntime tab.",
    typing: "Microsoft.AppRuntime.Tab",
    members: rows({
      tabId: id(),
      ...tabProperties,
      focus: call("void", "tab.focus"), // void in the typing
      close: call("promise", "tab.close"),
      refresh: call("promise", "tab.refresh", { as: "nothing" }),
    }),
  },
  Internal: {
    label: "Microsoft.AppRuntime.Internal.",
    typing: "Microsoft.AppRuntime.Internal",
    members: rows({
      createTab: hand(),
      getAPMRuntimeTopics: hand(),
      publishTopic: hand(),
      subscribeTopic: hand(),
      telemetryLogInfo: hand(),
      telemetryLogWarning: hand(),
      telemetryLogError: hand(),
      findSessionWithPageInput: refused("matching sessions by page input is not part of the workspace model"),
      addOnWindowVisibilityStateChangeHandler: refused("window visibility of the host app is not emulated"),
      removeOnWindowVisibilityStateChangeHandler: refused("window visibility of the host app is not emulated"),
      getChannelProviders: refusedAsync("channel providers are not emulated"),
      getSessionTemplate: refusedAsync(noTemplates),
      getTemplate: refusedAsync(noTemplates),
      getEntityPageInput: refusedAsync(noTemplates),
      getPageInputFromSessionTemplate: refusedAsync(noTemplates),
    }),
  },
  Notification: {
    label: "Microsoft.AppRuntime.Notification.",
    members: rows({
      showNotification: refusedAsync(noNotifications),
      cancelNotification: refusedAsync(noNotifications),
      addOnNotificationStateChangeHandler: refused(noNotifications),
      removeOnNotificationStateChangeHandler: refused(noNotifications),
    }),
  },
  Utility: {
    label: "Microsoft.AppRuntime.Utility.",
    members: rows({
      getEnvironment: refusedAsync("there is no org, user or app in py-apm"),
      resolveSlug: refusedAsync("slugs resolve against a session (session.resolveSlug, getContext().resolveSlug), not free parameters"),
    }),
  },
};

const noNavigation = "in-tab navigation is not emulated (a tab shows the page it was opened with)";

/** Xrm.App.sessions (XrmClientApi.d.ts): actions always return Promises. @type {Face} */
export const XRM = {
  sessions: {
    label: "Xrm.App.sessions.",
    typing: "Xrm.App.Sessions",
    members: rows({
      getSession: call("sync", "getSession", { as: "session", args: ["id"] }),
      getFocusedSession: call("sync", "getFocusedSession", { as: "session" }),
      canCreateSession: call("sync", "canCreateSession"),
      createSession: call("promise", "createPageSession", { args: ["input"] }),
      getAll: hand(), // an ItemCollection
      AfterSessionCreate: handler(),
      AfterSessionClose: handler(),
      AfterSessionSwitch: handler(),
      AfterTabCreate: handler(),
      AfterTabClose: handler(),
      AfterTabSwitch: handler(),
      BeforeSessionCreate: handler(),
      BeforeSessionSwitch: handler(),
      BeforeTabCreate: handler(),
      BeforeTabSwitch: handler(),
    }),
  },
  session: {
    label: "Xrm session.",
    typing: "Xrm.App.Session",
    members: rows({
      sessionId: id(),
      title: sessionProperties.title,
      canClose: sessionProperties.canClose,
      isDefault: sessionProperties.isDefault,
      iconPath: constant(), // py-apm shows no icons
      iconTitle: constant(),
      tabs: hand(),
      anchorTab: hand(),
      focus: call("promise", "session.focus", { as: "nothing" }),
      requestFocus: call("void", "session.requestFocus"),
      close: call("promise", "session.close"),
    }),
  },
  tabs: {
    label: "Xrm session.tabs.",
    typing: "Xrm.App.Tabs",
    members: rows({
      getTab: call("sync", "session.getTab", { as: "tab", args: ["tabId"] }),
      getFocusedTab: call("sync", "session.getFocusedTab", { as: "tab" }),
      canCreateTab: call("sync", "session.canCreateTab"),
      createTab: call("promise", "session.createPageTab", { args: ["input"] }),
      getAll: hand(), // an ItemCollection
    }),
  },
  tab: {
    label: "Xrm tab.",
    typing: "Xrm.App.Tab",
    members: rows({
      tabId: id(),
      ...tabProperties,
      currentUrl: hand(),
      currentPageInput: hand(),
      history: hand(),
      focus: call("void", "tab.focus"), // void in the typing
      close: call("promise", "tab.close"),
      refresh: call("promise", "tab.refresh", { as: "nothing" }),
      navigateTo: refusedAsync(noNavigation),
      getParentSessionId: hand(),
    }),
  },
  history: {
    label: "Xrm tab.history.",
    members: rows({
      back: refusedAsync(noNavigation),
      clear: hand(), // a tab's history is always empty in py-apm
    }),
  },
};

// ---- Microsoft.CIFramework (docs/cif.md): one object per channel provider -------------------
// A "call" row here always returns a Promise; the bridge member gets the provider first, then
// `arity` arguments (the rest of what the caller passed, e.g. a correlationId, is dropped), and
// `result` shapes the answer: "value" as answered (undefined: null), "null", "map" a SessionInfo
// Map, "notification" a Promise settled by the CIF_NOTIFICATION event. `waits`: before the
// workspace is ready the call waits without the library's timeout (CIF-D20); `errorName`: the
// msdyn_name its errors carry where the documentation spells it in PascalCase.

/** @param {string} bridge @param {number} arity @param {CifResult} [result] @param {Partial<Row>} [more] */
const cif = (bridge, arity, result = "value", more = {}) =>
  call("promise", bridge, { arity, result, ...more });
const noOmnichannel = "Omnichannel conversation records are not emulated";

/** Microsoft.CIFramework v2 (types/cif.d.ts; faces/cif.js builds a provider's object). @type {Face} */
export const CIF = {
  framework: {
    label: "Microsoft.CIFramework.",
    members: rows({
      canCreateSession: cif("cif.canCreateSession", 0),
      createSession: cif("cif.createSession", 2, "value", { waits: true }),
      getSession: cif("cif.getSession", 1, "map"),
      getFocusedSession: cif("cif.getFocusedSession", 0),
      getAllSessions: cif("cif.getAllSessions", 0),
      requestFocusSession: cif("cif.requestFocusSession", 2, "null"),
      setSessionTitle: cif("cif.setSessionTitle", 1),
      updateContext: cif("cif.updateContext", 3),
      createTab: cif("cif.createTab", 1),
      getTabs: cif("cif.getTabs", 2),
      getFocusedTab: cif("cif.getFocusedTab", 0),
      focusTab: cif("cif.focusTab", 1, "null"),
      refreshTab: cif("cif.refreshTab", 1, "null"),
      setTabTitle: cif("cif.setTabTitle", 2),
      closeTab: cif("cif.closeTab", 1),
      notifyNewActivity: cif("cif.notifyNewActivity", 3, "null"),
      notifyKpiBreach: cif("cif.notifyKpiBreach", 3, "null"),
      setMode: cif("cif.setMode", 1),
      getMode: cif("cif.getMode", 0),
      setWidth: cif("cif.setWidth", 1),
      getWidth: cif("cif.getWidth", 0),
      setPresence: cif("cif.setPresence", 1),
      getPresence: cif("cif.getPresence", 0),
      setClickToAct: cif("cif.setClickToAct", 1, "null"),
      getClickToAct: cif("cif.getClickToAct", 0),
      getEnvironment: cif("cif.getEnvironment", 0),
      notifyEvent: cif("cif.notifyEvent", 2, "notification", { waits: true, errorName: "NotifyEvent" }),
      cancelEvent: cif("cif.cancelEvent", 1, "value", { errorName: "CancelEvent" }),
      initLogAnalytics: cif("cif.initLogAnalytics", 1, "null"),
      logAnalyticsEvent: cif("cif.logAnalyticsEvent", 2, "null"),
      createRecord: cif("cif.createRecord", 2),
      retrieveRecord: cif("cif.retrieveRecord", 3),
      updateRecord: cif("cif.updateRecord", 3),
      deleteRecord: cif("cif.deleteRecord", 2),
      searchAndOpenRecords: cif("cif.searchAndOpenRecords", 3),
      openForm: cif("cif.openForm", 2, "value", { waits: true }),
      addHandler: hand(),
      removeHandler: hand(),
      updateConversation: refusedAsync(noOmnichannel),
      renderSearchPage: refusedAsync("the entity search page is not emulated"),
      openKBSearchControl: refusedAsync("the knowledge base search control is not emulated"),
      getEntityMetadata: refusedAsync("entity metadata is not emulated"),
      raiseEvent: refusedAsync("custom host events are not emulated"),
      insertNotes: refusedAsync("the notes control is not emulated"),
      openDialog: refusedAsync("dialogs are not emulated"),
    }),
  },
};

/** Every face by name (a new face adds its table here). */
export const FACES = { apm: APM, runtime: RUNTIME, xrm: XRM, cif: CIF };
