// Microsoft.AppRuntime (AppRuntimeClientSdk.d.ts), built from the RUNTIME table: Sessions with
// their session and tab objects, Internal, Notification and Utility. Actions always return
// Promises.
import { apmError } from "../errors.js";
import { fireSessionRefresh } from "../events.js";
import { always, invoke, invoke1 } from "../wire.js";
import { Apm } from "./apm.js";
import { faceObject, objectsById } from "./build.js";
import { contextObject, method, notEmulated, requireString, typeName } from "./common.js";
import { RUNTIME } from "./table.js";

/** @typedef {import("./build.js").Face} Face */

const tabs = objectsById(RUNTIME.tab, {}, "tab");

/** @type {Face} */
const sessionFace = {
  tab: tabs.get,
  hand: {
    // isDelete true: the input's keys are removed from the context instead of set.
    updateContext: (id) => method(function updateContext(/** @type {any} */ input, /** @type {unknown} */ isDelete) {
      const label = "AppRuntime session.updateContext";
      return always(label, () => {
        if (isDelete !== true) return contextObject(/** @type {string} */ (id), invoke(label, "session.updateContext", [id, input]));
        const keys = input !== null && typeof input === "object"
          ? (Object.prototype.toString.call(input) === "[object Map]" ? Array.from(input.keys()) : Object.keys(input))
          : null;
        if (keys === null) throw apmError(400, `${label}: input must be an object or a Map, got ${typeName(input)}`);
        keys.forEach((k) => requireString(label, "input key", k));
        keys.forEach((k) => invoke(label, "session.deleteContext", [id, k]));
        return contextObject(/** @type {string} */ (id), invoke1("AppRuntime session.getContext", "session.getContext", id));
      });
    }),
  },
};
const sessions = objectsById(RUNTIME.session, sessionFace, "session");

// registrySessionStatePersistence & co: components' state per session, kept in the page.
/** @type {Map<string, {get: () => unknown, restore: (value: unknown) => void}>} */
const persisted = new Map(); // component id -> {get, restore}
/** @type {Map<string, Map<string, unknown>>} */
const savedStates = new Map(); // session id -> Map(component id -> value)

const R = (/** @type {string} */ m) => `Microsoft.AppRuntime.Sessions.${m}`;

const RuntimeSessions = faceObject(RUNTIME.Sessions, {
  session: sessions.get,
  hand: {
    registrySessionStatePersistence: () => method(function registrySessionStatePersistence(
      /** @type {unknown} */ id, /** @type {unknown} */ getValueFunc, /** @type {unknown} */ restoreValueFunc,
    ) {
      const label = R("registrySessionStatePersistence");
      requireString(label, "id", id);
      if (typeof getValueFunc !== "function") throw apmError(400, `${label}: getValueFunc must be a function, got ${typeName(getValueFunc)}`);
      if (typeof restoreValueFunc !== "function") throw apmError(400, `${label}: restoreValueFunc must be a function, got ${typeName(restoreValueFunc)}`);
      persisted.set(/** @type {string} */ (id), { get: /** @type {any} */ (getValueFunc), restore: /** @type {any} */ (restoreValueFunc) });
    }),
    cacheSessionState: () => method(function cacheSessionState(/** @type {unknown} */ sessionId) {
      requireString(R("cacheSessionState"), "sessionId", sessionId);
      const values = new Map();
      for (const [id, c] of persisted) values.set(id, c.get());
      savedStates.set(/** @type {string} */ (sessionId), values);
    }),
    restoreSessionState: () => method(function restoreSessionState(/** @type {unknown} */ sessionId) {
      requireString(R("restoreSessionState"), "sessionId", sessionId);
      for (const [id, value] of savedStates.get(/** @type {string} */ (sessionId)) || []) {
        const c = persisted.get(id);
        if (c) c.restore(value);
      }
    }),
    removeSessionState: () => method(function removeSessionState(/** @type {unknown} */ sessionId) {
      if (sessionId === undefined) savedStates.clear();
      else savedStates.delete(requireString(R("removeSessionState"), "sessionId", sessionId));
    }),
    // The focused session's context re-read from the record store (the "Refresh the session
    // context" macro action); a session re-made from another template is not emulated.
    refreshSession: () => method(function refreshSession(
      /** @type {unknown} */ _skipCreateAdditionalTabs, /** @type {unknown} */ sessionTemplateName,
      /** @type {unknown} */ templateParameters,
    ) {
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
  },
});

const I = (/** @type {string} */ m) => `Microsoft.AppRuntime.Internal.${m}`;

const RuntimeInternal = faceObject(RUNTIME.Internal, {
  hand: {
    createTab: () => method(function createTab(/** @type {unknown} */ input) {
      return always(I("createTab"), () => {
        const sid = invoke(I("createTab"), "getFocusedSession", []);
        return invoke(I("createTab"), "session.createPageTab", [sid, input]);
      });
    }),
    getAPMRuntimeTopics: () => method(function getAPMRuntimeTopics() {
      const map = new Map();
      for (const name of ["ON_SESSION_SWITCH", "ON_SESSION_CLOSED", "ON_TAB_SWITCH"]) {
        map.set(name, Apm.getEventPublisherTopic(name));
      }
      return map;
    }),
    publishTopic: () => method(function publishTopic(/** @type {unknown} */ topicName) {
      requireString(I("publishTopic"), "topicName", topicName);
      const ch = new BroadcastChannel(/** @type {string} */ (topicName));
      return {
        postMessage(/** @type {unknown} */ payload) { ch.postMessage(payload); },
        close() { ch.close(); },
      };
    }),
    subscribeTopic: () => method(function subscribeTopic(
      /** @type {unknown} */ subscriberName, /** @type {unknown} */ topicName, /** @type {unknown} */ callback,
    ) {
      requireString(I("subscribeTopic"), "topicName", topicName);
      if (typeof callback !== "function") throw apmError(400, `${I("subscribeTopic")}: callback must be a function, got ${typeName(callback)}`);
      const ch = new BroadcastChannel(/** @type {string} */ (topicName));
      ch.onmessage = (ev) => callback(ev.data);
      return { close() { ch.close(); } };
    }),
    telemetryLogInfo: () => method(function telemetryLogInfo(/** @type {unknown} */ message, /** @type {unknown} */ data) {
      console.info("[py-apm telemetry]", message, data);
    }),
    telemetryLogWarning: () => method(function telemetryLogWarning(/** @type {unknown} */ message, /** @type {unknown} */ data) {
      console.warn("[py-apm telemetry]", message, data);
    }),
    telemetryLogError: () => method(function telemetryLogError(/** @type {unknown} */ message, /** @type {unknown} */ data) {
      console.error("[py-apm telemetry]", message, data);
    }),
  },
});

/** Microsoft.AppRuntime */
export const AppRuntime = {
  Sessions: RuntimeSessions,
  Internal: RuntimeInternal,
  Notification: faceObject(RUNTIME.Notification),
  Utility: faceObject(RUNTIME.Utility),
};

/** Forgets the session and tab objects and the saved component states (PyApm.reset). */
export function clearRuntime() {
  sessions.clear();
  tabs.clear();
  persisted.clear();
  savedStates.clear();
}
