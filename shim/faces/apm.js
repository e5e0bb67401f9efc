// Microsoft.Apm and its session and tab objects (decision 3): actions follow the return
// contract (`returns`: runtime Promises or documented synchronous values).
import { topics } from "../events.js";
import { action, always, invoke, invoke1, toUndefined } from "../wire.js";
import { contextObject, method, property } from "./common.js";

const sessionCache = new Map();
const tabCache = new Map();

function sessionObject(id) {
  if (typeof id !== "string") return null;
  let s = sessionCache.get(id);
  if (s) return s;
  s = {};
  const n = (m) => `session.${m}`;
  Object.defineProperties(s, {
    sessionId: { value: id, enumerable: true, configurable: true },
    title: property("session.title", "session.getTitle", "session.setTitle", id),
    isDefault: property("session.isDefault", "session.isDefault", null, id),
    canClose: property("session.canClose", "session.getCanClose", "session.setCanClose", id),
    close: method(function close() {
      return action(n("close"), () => invoke1(n("close"), "session.close", id), Boolean, toUndefined);
    }),
    focus: method(function focus() {
      return action(n("focus"), () => invoke1(n("focus"), "session.focus", id), toUndefined, toUndefined);
    }),
    requestFocus: method(function requestFocus() {
      invoke1(n("requestFocus"), "session.requestFocus", id);
    }),
    getFocusedTab: method(function getFocusedTab() {
      return tabObject(invoke1(n("getFocusedTab"), "session.getFocusedTab", id));
    }),
    getTab: method(function getTab(...args) {
      return tabObject(invoke(n("getTab"), "session.getTab", [id, ...args]));
    }),
    getAllTabs: method(function getAllTabs() {
      return invoke1(n("getAllTabs"), "session.getAllTabs", id);
    }),
    canCreateTab: method(function canCreateTab() {
      return invoke1(n("canCreateTab"), "session.canCreateTab", id);
    }),
    updateContext: method(function updateContext(...args) {
      return action(n("updateContext"), () => invoke(n("updateContext"), "session.updateContext", [id, ...args]),
        (data) => contextObject(id, data), toUndefined);
    }),
    resolveSlug: method(function resolveSlug(...args) {
      return invoke(n("resolveSlug"), "session.resolveSlug", [id, ...args]);
    }),
    getContext: method(function getContext() {
      return always(n("getContext"), () => contextObject(id, invoke1(n("getContext"), "session.getContext", id)));
    }),
    createTab: method(function createTab(...args) {
      const run = () => invoke(n("createTab"), "session.createTab", [id, ...args]);
      return action(n("createTab"), run, String, String);
    }),
    getAllTabsForTemplate: method(function getAllTabsForTemplate(...args) {
      return always(n("getAllTabsForTemplate"),
        () => invoke(n("getAllTabsForTemplate"), "session.getAllTabsForTemplate", [id, ...args]));
    }),
  });
  sessionCache.set(id, s);
  return s;
}

function tabObject(id) {
  if (typeof id !== "string") return null;
  let t = tabCache.get(id);
  if (t) return t;
  t = {};
  Object.defineProperties(t, {
    tabId: { value: id, enumerable: true, configurable: true },
    title: property("tab.title", "tab.getTitle", "tab.setTitle", id),
    canClose: property("tab.canClose", "tab.getCanClose", "tab.setCanClose", id),
    close: method(function close() {
      return action("tab.close", () => invoke1("tab.close", "tab.close", id), Boolean, toUndefined);
    }),
    focus: method(function focus() {
      return action("tab.focus", () => invoke1("tab.focus", "tab.focus", id), toUndefined, toUndefined);
    }),
    refresh: method(function refresh() {
      return action("tab.refresh", () => invoke1("tab.refresh", "tab.refresh", id), toUndefined, toUndefined);
    }),
  });
  tabCache.set(id, t);
  return t;
}

// ---- Microsoft.Apm ------------------------------------------------------------------------
const A = (m) => `Microsoft.Apm.${m}`;
export const Apm = {
  getFocusedSession() {
    return sessionObject(invoke(A("getFocusedSession"), "getFocusedSession", []));
  },
  getAllSessions() {
    return invoke(A("getAllSessions"), "getAllSessions", []);
  },
  getSession(...args) {
    return sessionObject(invoke(A("getSession"), "getSession", args));
  },
  createSession(...args) {
    return action(A("createSession"), () => invoke(A("createSession"), "createSession", args), String, String);
  },
  canCreateSession() {
    return invoke(A("canCreateSession"), "canCreateSession", []);
  },
  createTab(...args) {
    return action(A("createTab"), () => invoke(A("createTab"), "createTab", args), String, String);
  },
  closeTab(...args) {
    return action(A("closeTab"), () => invoke(A("closeTab"), "closeTab", args), Boolean, toUndefined);
  },
  focusTab(...args) {
    return action(A("focusTab"), () => invoke(A("focusTab"), "focusTab", args), toUndefined, toUndefined);
  },
  refreshTab(...args) {
    return action(A("refreshTab"), () => invoke(A("refreshTab"), "refreshTab", args), toUndefined, toUndefined);
  },
  getEventPublisherTopic(...args) {
    const topic = invoke(A("getEventPublisherTopic"), "getEventPublisherTopic", args);
    topics.add(topic);
    return topic;
  },
};

/** Forgets the session and tab objects handed out (PyApm.reset). */
export function clearApm() {
  sessionCache.clear();
  tabCache.clear();
}
