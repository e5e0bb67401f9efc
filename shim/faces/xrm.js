// Xrm.App.sessions (XrmClientApi.d.ts), installed next to whatever Xrm the page already has.
// Actions always return Promises.
import { handlerPair } from "../events.js";
import { always, invoke, invoke1 } from "../wire.js";
import { currentUrl, findTab, itemCollection, method, pageInputOf, property, refusedAsync } from "./common.js";

// ---- Xrm.App.sessions (XrmClientApi.d.ts) ---------------------------------------------------
const xrmSessions = new Map();
const xrmTabs = new Map();
const X = (m) => `Xrm.App.sessions.${m}`;

function xrmSession(id) {
  if (typeof id !== "string") return null;
  let s = xrmSessions.get(id);
  if (s) return s;
  s = {};
  const n = (m) => `Xrm session.${m}`;
  const tabs = {};
  Object.defineProperties(tabs, {
    getTab: method(function getTab(tabId) { return xrmTab(invoke(n("tabs.getTab"), "session.getTab", [id, tabId])); }),
    getFocusedTab: method(function getFocusedTab() {
      return xrmTab(invoke1(n("tabs.getFocusedTab"), "session.getFocusedTab", id));
    }),
    canCreateTab: method(function canCreateTab() { return invoke1(n("tabs.canCreateTab"), "session.canCreateTab", id); }),
    createTab: method(function createTab(input) {
      return always(n("tabs.createTab"), () => invoke(n("tabs.createTab"), "session.createPageTab", [id, input]));
    }),
    getAll: method(function getAll() {
      const ids = invoke1(n("tabs.getAll"), "session.getAllTabs", id);
      return itemCollection(n("tabs.getAll()"), ids.map(xrmTab), (t) => t.tabId);
    }),
  });
  Object.defineProperties(s, {
    sessionId: { value: id, enumerable: true, configurable: true },
    title: property(n("title"), "session.getTitle", "session.setTitle", id),
    canClose: property(n("canClose"), "session.getCanClose", "session.setCanClose", id),
    isDefault: property(n("isDefault"), "session.isDefault", null, id),
    iconPath: { get: () => "", enumerable: true, configurable: true }, // py-apm shows no icons
    iconTitle: { get: () => "", enumerable: true, configurable: true },
    tabs: { value: tabs, enumerable: false, configurable: true },
    anchorTab: {
      get: () => xrmTab(invoke1(n("anchorTab"), "session.getAllTabs", id)[0]),
      enumerable: false, configurable: true,
    },
    focus: method(function focus() {
      return always(n("focus"), () => { invoke1(n("focus"), "session.focus", id); });
    }),
    requestFocus: method(function requestFocus() { invoke1(n("requestFocus"), "session.requestFocus", id); }),
    close: method(function close() { return always(n("close"), () => invoke1(n("close"), "session.close", id)); }),
  });
  xrmSessions.set(id, s);
  return s;
}

function xrmTab(id) {
  if (typeof id !== "string") return null;
  let t = xrmTabs.get(id);
  if (t) return t;
  t = {};
  const n = (m) => `Xrm tab.${m}`;
  const noNavigation = "in-tab navigation is not emulated (a tab shows the page it was opened with)";
  const history = {};
  Object.defineProperties(history, {
    back: refusedAsync(n("history.back"), noNavigation),
    clear: method(function clear() { /* a tab's history is always empty in py-apm */ }),
  });
  Object.defineProperties(t, {
    tabId: { value: id, enumerable: true, configurable: true },
    title: property(n("title"), "tab.getTitle", "tab.setTitle", id),
    canClose: property(n("canClose"), "tab.getCanClose", "tab.setCanClose", id),
    currentUrl: { get: () => currentUrl(findTab(n("currentUrl"), id).tab), enumerable: false, configurable: true },
    currentPageInput: { get: () => pageInputOf(findTab(n("currentPageInput"), id).tab), enumerable: false, configurable: true },
    history: { value: history, enumerable: false, configurable: true },
    focus: method(function focus() { invoke1(n("focus"), "tab.focus", id); }), // void in the typing
    close: method(function close() { return always(n("close"), () => invoke1(n("close"), "tab.close", id)); }),
    refresh: method(function refresh() {
      return always(n("refresh"), () => { invoke1(n("refresh"), "tab.refresh", id); });
    }),
    navigateTo: refusedAsync(n("navigateTo"), noNavigation),
    getParentSessionId: method(function getParentSessionId() {
      return findTab(n("getParentSessionId"), id).session.sessionId;
    }),
  });
  xrmTabs.set(id, t);
  return t;
}

export const XrmSessions = {};
Object.defineProperties(XrmSessions, Object.assign({
  getSession: method(function getSession(id) { return xrmSession(invoke(X("getSession"), "getSession", [id])); }),
  getFocusedSession: method(function getFocusedSession() {
    return xrmSession(invoke(X("getFocusedSession"), "getFocusedSession", []));
  }),
  canCreateSession: method(function canCreateSession() { return invoke(X("canCreateSession"), "canCreateSession", []); }),
  createSession: method(function createSession(input) {
    return always(X("createSession"), () => invoke(X("createSession"), "createPageSession", [input]));
  }),
  getAll: method(function getAll() {
    const ids = invoke(X("getAll"), "getAllSessions", []);
    return itemCollection(X("getAll()"), ids.map(xrmSession), (s) => s.sessionId);
  }),
}, ...["AfterSessionCreate", "AfterSessionClose", "AfterSessionSwitch", "AfterTabCreate", "AfterTabClose",
  "AfterTabSwitch", "BeforeSessionCreate", "BeforeSessionSwitch", "BeforeTabCreate", "BeforeTabSwitch"]
  .map((event) => handlerPair(X, event, () => XrmSessions))));

// Xrm.App.sessions on a window, keeping whatever Xrm (a mock such as xrm-mock) it already has.
export function installXrm(target, sessions) {
  const xrm = target.Xrm && typeof target.Xrm === "object" ? target.Xrm : (target.Xrm = {});
  if (!xrm.App || typeof xrm.App !== "object") xrm.App = {};
  xrm.App.sessions = sessions;
}

/** Forgets the session and tab objects handed out (PyApm.reset). */
export function clearXrm() {
  xrmSessions.clear();
  xrmTabs.clear();
}
