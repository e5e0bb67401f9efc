// Xrm.App.sessions (XrmClientApi.d.ts), built from the XRM table and installed next to whatever
// Xrm the page already has. Actions always return Promises.
import { invoke, invoke1 } from "../wire.js";
import { faceObject, objectFor, objectsById } from "./build.js";
import { currentUrl, findTab, itemCollection, method, pageInputOf } from "./common.js";
import { XRM } from "./table.js";

/** @typedef {import("./build.js").Face} Face */
/** @param {() => any} get @returns {PropertyDescriptor} */
const getter = (get) => ({ get, enumerable: false, configurable: true });
/** @param {unknown} value @returns {PropertyDescriptor} */
const hidden = (value) => ({ value, enumerable: false, configurable: true });

/** @type {Face} */
const tabFace = {
  hand: {
    currentUrl: (id) => getter(() => currentUrl(findTab("Xrm tab.currentUrl", id).tab)),
    currentPageInput: (id) => getter(() => pageInputOf(findTab("Xrm tab.currentPageInput", id).tab)),
    history: () => hidden(faceObject(XRM.history, {
      hand: { clear: () => method(function clear() { /* a tab's history is always empty in py-apm */ }) },
    })),
    getParentSessionId: (id) => method(function getParentSessionId() {
      return findTab("Xrm tab.getParentSessionId", id).session.sessionId;
    }),
  },
};
const tabs = objectsById(XRM.tab, tabFace, "tab");

/** @type {Face} */
const tabsFace = {
  tab: tabs.get,
  hand: {
    getAll: (id) => method(function getAll() {
      const ids = invoke1("Xrm session.tabs.getAll", "session.getAllTabs", id);
      return itemCollection("Xrm session.tabs.getAll()", ids.map((/** @type {string} */ t) => tabs.get(t, id)), (t) => t.tabId);
    }),
  },
};

/** @type {Face} */
const sessionFace = {
  hand: {
    tabs: (id) => hidden(objectFor(XRM.tabs, tabsFace, /** @type {string} */ (id))),
    anchorTab: (id) => getter(() => tabs.get(invoke1("Xrm session.anchorTab", "session.getAllTabs", id)[0], id)),
  },
};
const sessions = objectsById(XRM.session, sessionFace, "session");

/** Xrm.App.sessions */
export const XrmSessions = faceObject(XRM.sessions, {
  session: sessions.get,
  hand: {
    getAll: () => method(function getAll() {
      const ids = invoke("Xrm.App.sessions.getAll", "getAllSessions", []);
      return itemCollection("Xrm.App.sessions.getAll()", ids.map((/** @type {string} */ s) => sessions.get(s)), (s) => s.sessionId);
    }),
  },
});

/**
 * Xrm.App.sessions on a window, keeping whatever Xrm (a mock such as xrm-mock) it already has,
 * and on every Xrm the window is given later (xrm-mock's XrmMockGenerator.initialise() replaces
 * window.Xrm before each test).
 * @param {any} target
 * @param {unknown} sessions
 * @param {(xrm: any) => any} [read] what a read of `target.Xrm` hands out for the page's Xrm
 */
export function installXrm(target, sessions, read) {
  /** @param {any} xrm */
  const attach = (xrm) => {
    if (xrm === null || typeof xrm !== "object") return;
    try {
      if (!xrm.App || typeof xrm.App !== "object") xrm.App = {};
      if (xrm.App.sessions !== sessions) xrm.App.sessions = sessions;
    } catch (_) { /* a frozen Xrm keeps what it has */ }
  };
  let current = target.Xrm && typeof target.Xrm === "object" ? target.Xrm : {};
  attach(current);
  try {
    Object.defineProperty(target, "Xrm", {
      configurable: true,
      enumerable: true,
      get: read ? () => read(current) : () => current,
      set: (xrm) => { current = xrm; attach(xrm); },
    });
  } catch (_) {
    target.Xrm = current; // a non-configurable Xrm (a page's `var Xrm`): sessions on this one only
  }
}

/** Forgets the session and tab objects handed out (PyApm.reset). */
export function clearXrm() {
  sessions.clear();
  tabs.clear();
}
