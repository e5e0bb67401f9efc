// Microsoft.AppRuntime (AppRuntimeClientSdk.d.ts): Sessions with their session and tab
// objects, Internal, Notification and Utility. Actions always return Promises.
import { apmError } from "../errors.js";
import { fireSessionRefresh, handlerPair } from "../events.js";
import { always, invoke, invoke1 } from "../wire.js";
import { Apm } from "./apm.js";
import { contextObject, method, notEmulated, property, refusedAsync, refusedSync, requireString, typeName } from "./common.js";

// ---- Microsoft.AppRuntime.Sessions (AppRuntimeClientSdk.d.ts) -------------------------------
const runtimeSessions = new Map();
const runtimeTabs = new Map();
const R = (m) => `Microsoft.AppRuntime.Sessions.${m}`;

function runtimeSession(id) {
  if (typeof id !== "string") return null;
  let s = runtimeSessions.get(id);
  if (s) return s;
  s = {};
  const n = (m) => `AppRuntime session.${m}`;
  Object.defineProperties(s, {
    sessionId: { value: id, enumerable: true, configurable: true },
    title: property(n("title"), "session.getTitle", "session.setTitle", id),
    isDefault: property(n("isDefault"), "session.isDefault", null, id),
    canClose: property(n("canClose"), "session.getCanClose", "session.setCanClose", id),
    iconPath: { get: () => "", enumerable: true, configurable: true }, // py-apm shows no icons
    iconTitle: { get: () => "", enumerable: true, configurable: true },
    focus: method(function focus() {
      return always(n("focus"), () => { invoke1(n("focus"), "session.focus", id); });
    }),
    requestFocus: method(function requestFocus() { invoke1(n("requestFocus"), "session.requestFocus", id); }),
    close: method(function close() {
      return always(n("close"), () => invoke1(n("close"), "session.close", id));
    }),
    canCreateTab: method(function canCreateTab() { return invoke1(n("canCreateTab"), "session.canCreateTab", id); }),
    getFocusedTab: method(function getFocusedTab() {
      return runtimeTab(invoke1(n("getFocusedTab"), "session.getFocusedTab", id));
    }),
    getTab: method(function getTab(tabId) {
      return runtimeTab(invoke(n("getTab"), "session.getTab", [id, tabId]));
    }),
    createTab: method(function createTab(input) {
      return always(n("createTab"), () => invoke(n("createTab"), "session.createTab", [id, input]));
    }),
    getAllTabs: method(function getAllTabs() { return invoke1(n("getAllTabs"), "session.getAllTabs", id); }),
    getAllTabsForTemplate: method(function getAllTabsForTemplate(name) {
      return always(n("getAllTabsForTemplate"),
        () => invoke(n("getAllTabsForTemplate"), "session.getAllTabsForTemplate", [id, name]));
    }),
    getContext: method(function getContext() {
      return always(n("getContext"), () => contextObject(id, invoke1(n("getContext"), "session.getContext", id)));
    }),
    // isDelete true: the input's keys are removed from the context instead of set.
    updateContext: method(function updateContext(input, isDelete) {
      return always(n("updateContext"), () => {
        if (isDelete !== true) return contextObject(id, invoke(n("updateContext"), "session.updateContext", [id, input]));
        const keys = input !== null && typeof input === "object"
          ? (Object.prototype.toString.call(input) === "[object Map]" ? Array.from(input.keys()) : Object.keys(input))
          : null;
        if (keys === null) throw apmError(400, `${n("updateContext")}: input must be an object or a Map, got ${typeName(input)}`);
        keys.forEach((k) => requireString(n("updateContext"), "input key", k));
        keys.forEach((k) => invoke(n("updateContext"), "session.deleteContext", [id, k]));
        return contextObject(id, invoke1(n("getContext"), "session.getContext", id));
      });
    }),
    notifyKpiBreach: refusedAsync(n("notifyKpiBreach"), "KPI indicators are not part of the workspace model"),
    notifyNewActivity: refusedAsync(n("notifyNewActivity"), "activity counters are not part of the workspace model (requestFocus sets the attention indicator)"),
    resetActivityIndicator: refusedAsync(n("resetActivityIndicator"), "activity counters are not part of the workspace model"),
    setTitleAndInitials: method(function setTitleAndInitials(title) {
      invoke(n("setTitleAndInitials"), "session.setTitle", [id, title]);
    }),
  });
  runtimeSessions.set(id, s);
  return s;
}

function runtimeTab(id) {
  if (typeof id !== "string") return null;
  let t = runtimeTabs.get(id);
  if (t) return t;
  t = {};
  const n = (m) => `AppRuntime tab.${m}`;
  Object.defineProperties(t, {
    tabId: { value: id, enumerable: true, configurable: true },
    title: property(n("title"), "tab.getTitle", "tab.setTitle", id),
    canClose: property(n("canClose"), "tab.getCanClose", "tab.setCanClose", id),
    focus: method(function focus() { invoke1(n("focus"), "tab.focus", id); }), // void in the typing
    close: method(function close() { return always(n("close"), () => invoke1(n("close"), "tab.close", id)); }),
    refresh: method(function refresh() {
      return always(n("refresh"), () => { invoke1(n("refresh"), "tab.refresh", id); });
    }),
  });
  runtimeTabs.set(id, t);
  return t;
}

// registrySessionStatePersistence & co: components' state per session, kept in the page.
const persisted = new Map(); // component id -> {get, restore}
const savedStates = new Map(); // session id -> Map(component id -> value)

const RuntimeSessions = {};
Object.defineProperties(RuntimeSessions, Object.assign({
  create: method(function create(sessionInput) {
    return always(R("create"), () => invoke(R("create"), "createSession", [sessionInput]));
  }),
  getSession: method(function getSession(sessionId) {
    return runtimeSession(invoke(R("getSession"), "getSession", [sessionId]));
  }),
  getFocusedSession: method(function getFocusedSession() {
    return runtimeSession(invoke(R("getFocusedSession"), "getFocusedSession", []));
  }),
  canCreateSession: method(function canCreateSession() { return invoke(R("canCreateSession"), "canCreateSession", []); }),
  getAll: method(function getAll() { return invoke(R("getAll"), "getAllSessions", []); }),
  registrySessionStatePersistence: method(function registrySessionStatePersistence(id, getValueFunc, restoreValueFunc) {
    const label = R("registrySessionStatePersistence");
    requireString(label, "id", id);
    if (typeof getValueFunc !== "function") throw apmError(400, `${label}: getValueFunc must be a function, got ${typeName(getValueFunc)}`);
    if (typeof restoreValueFunc !== "function") throw apmError(400, `${label}: restoreValueFunc must be a function, got ${typeName(restoreValueFunc)}`);
    persisted.set(id, { get: getValueFunc, restore: restoreValueFunc });
  }),
  cacheSessionState: method(function cacheSessionState(sessionId) {
    requireString(R("cacheSessionState"), "sessionId", sessionId);
    const values = new Map();
    for (const [id, c] of persisted) values.set(id, c.get());
    savedStates.set(sessionId, values);
  }),
  restoreSessionState: method(function restoreSessionState(sessionId) {
    requireString(R("restoreSessionState"), "sessionId", sessionId);
    for (const [id, value] of savedStates.get(sessionId) || []) {
      const c = persisted.get(id);
      if (c) c.restore(value);
    }
  }),
  removeSessionState: method(function removeSessionState(sessionId) {
    if (sessionId === undefined) savedStates.clear();
    else savedStates.delete(requireString(R("removeSessionState"), "sessionId", sessionId));
  }),
  // The focused session's context re-read from the record store (the "Refresh the session
  // context" macro action); a session re-made from another template is not emulated.
  refreshSession: method(function refreshSession(_skipCreateAdditionalTabs, sessionTemplateName, templateParameters) {
    return always(R("refreshSession"), () => {
      if (sessionTemplateName !== undefined || templateParameters !== undefined) {
        throw notEmulated(R("refreshSession"), "re-making a session from another session template");
      }
      const sid = invoke(R("refreshSession"), "getFocusedSession", []);
      invoke(R("refreshSession"), "pyapm.refreshContext", [sid]);
      fireSessionRefresh(sid);
      return sid;
    });
  }),
}, ...["AfterSessionCreate", "AfterSessionClose", "AfterSessionSwitch", "ContextChange", "SessionRefresh"]
  .map((event) => handlerPair(R, event, () => RuntimeSessions))));


const I = (m) => `Microsoft.AppRuntime.Internal.${m}`;
const noTemplates = "the org's template records are not emulated (templates are configured with PyApm.configure)";
const RuntimeInternal = {};
Object.defineProperties(RuntimeInternal, {
  createTab: method(function createTab(input) {
    return always(I("createTab"), () => {
      const sid = invoke(I("createTab"), "getFocusedSession", []);
      return invoke(I("createTab"), "session.createPageTab", [sid, input]);
    });
  }),
  getAPMRuntimeTopics: method(function getAPMRuntimeTopics() {
    const map = new Map();
    for (const name of ["ON_SESSION_SWITCH", "ON_SESSION_CLOSED", "ON_TAB_SWITCH"]) {
      map.set(name, Apm.getEventPublisherTopic(name));
    }
    return map;
  }),
  publishTopic: method(function publishTopic(topicName) {
    requireString(I("publishTopic"), "topicName", topicName);
    const ch = new BroadcastChannel(topicName);
    return {
      postMessage(payload) { ch.postMessage(payload); },
      close() { ch.close(); },
    };
  }),
  subscribeTopic: method(function subscribeTopic(subscriberName, topicName, callback) {
    requireString(I("subscribeTopic"), "topicName", topicName);
    if (typeof callback !== "function") throw apmError(400, `${I("subscribeTopic")}: callback must be a function, got ${typeName(callback)}`);
    const ch = new BroadcastChannel(topicName);
    ch.onmessage = (ev) => callback(ev.data);
    return { close() { ch.close(); } };
  }),
  telemetryLogInfo: method(function telemetryLogInfo(message, data) { console.info("[py-apm telemetry]", message, data); }),
  telemetryLogWarning: method(function telemetryLogWarning(message, data) { console.warn("[py-apm telemetry]", message, data); }),
  telemetryLogError: method(function telemetryLogError(message, data) { console.error("[py-apm telemetry]", message, data); }),
  findSessionWithPageInput: refusedSync(I("findSessionWithPageInput"), "matching sessions by page input is not part of the workspace model"),
  addOnWindowVisibilityStateChangeHandler: refusedSync(I("addOnWindowVisibilityStateChangeHandler"), "window visibility of the host app is not emulated"),
  removeOnWindowVisibilityStateChangeHandler: refusedSync(I("removeOnWindowVisibilityStateChangeHandler"), "window visibility of the host app is not emulated"),
  getChannelProviders: refusedAsync(I("getChannelProviders"), "channel providers are not emulated"),
  getSessionTemplate: refusedAsync(I("getSessionTemplate"), noTemplates),
  getTemplate: refusedAsync(I("getTemplate"), noTemplates),
  getEntityPageInput: refusedAsync(I("getEntityPageInput"), noTemplates),
  getPageInputFromSessionTemplate: refusedAsync(I("getPageInputFromSessionTemplate"), noTemplates),
});

const noNotifications = "notifications are not emulated";
const RuntimeNotification = {};
Object.defineProperties(RuntimeNotification, {
  showNotification: refusedAsync("Microsoft.AppRuntime.Notification.showNotification", noNotifications),
  cancelNotification: refusedAsync("Microsoft.AppRuntime.Notification.cancelNotification", noNotifications),
  addOnNotificationStateChangeHandler: refusedSync("Microsoft.AppRuntime.Notification.addOnNotificationStateChangeHandler", noNotifications),
  removeOnNotificationStateChangeHandler: refusedSync("Microsoft.AppRuntime.Notification.removeOnNotificationStateChangeHandler", noNotifications),
});
const RuntimeUtility = {};
Object.defineProperties(RuntimeUtility, {
  getEnvironment: refusedAsync("Microsoft.AppRuntime.Utility.getEnvironment", "there is no org, user or app in py-apm"),
  resolveSlug: refusedAsync("Microsoft.AppRuntime.Utility.resolveSlug",
    "slugs resolve against a session (session.resolveSlug, getContext().resolveSlug), not free parameters"),
});
export const AppRuntime = { Sessions: RuntimeSessions, Internal: RuntimeInternal, Notification: RuntimeNotification, Utility: RuntimeUtility };

/** Forgets the session and tab objects and the saved component states (PyApm.reset). */
export function clearRuntime() {
  for (const cache of [runtimeSessions, runtimeTabs, persisted, savedStates]) cache.clear();
}
