// What a change payload sets off: topic events, console warnings, handler events (Xrm and
// AppRuntime addOn*), page listeners (PyApm.onChange) and the window's pyapm:change event.
import { apmError } from "./errors.js";
import { findTab, method, pageInputOf, refusedSync, requireString, typeName } from "./faces/common.js";
import { frameGone, ownerFrame } from "./frames.js";
import { win } from "./win.js";

/** @type {Map<string, BroadcastChannel>} */
const channels = new Map();
// Topics handed out by getEventPublisherTopic: only those can have subscribers (a topic is
// unique to this workspace), so events on the others are not posted (postMessage is costly).
/** @type {Set<string>} */
export const topics = new Set();
/** @type {Map<Function, {frame: Window, root: object} | null>} */
export const listeners = new Map(); // PyApm.onChange listener -> the frame it came from (or null)
/** @type {Set<string>} */
export const warned = new Set();

/** @param {string} topic */
function channel(topic) {
  let ch = channels.get(topic);
  if (!ch) {
    ch = new BroadcastChannel(topic);
    channels.set(topic, ch);
  }
  return ch;
}

/** @param {unknown} e */
export function report(e) {
  if (typeof win.reportError === "function") win.reportError(e);
  else setTimeout(() => { throw e; });
}

// Delivers a change payload: topic events to BroadcastChannel subscribers, warnings to the
// console, handler events, page listeners and the window's `pyapm:change` event.
/** @param {import("./wire.js").ChangePayload} p */
export function dispatch(p) {
  for (const ev of p.events || []) {
    if (!topics.has(ev.topic)) continue;
    try {
      channel(ev.topic).postMessage(ev.data);
    } catch (e) {
      report(e);
    }
  }
  for (const w of p.warnings || []) {
    if (warned.has(w)) continue; // each warning once on the console (until reset)
    warned.add(w);
    console.warn(`[py-apm] ${w}`);
  }
  if (handlerCount) fireHandlers(p.events || []);
  for (const [fn, owner] of listeners.size ? Array.from(listeners) : []) {
    if (!listeners.has(fn)) continue; // unsubscribed by an earlier listener
    if (frameGone(owner)) {
      listeners.delete(fn);
      continue;
    }
    try {
      fn(p);
    } catch (e) {
      report(e);
    }
  }
  if (typeof win.dispatchEvent !== "function") return; // a global that is no EventTarget
  try {
    win.dispatchEvent(new win.CustomEvent("pyapm:change", { detail: p }));
  } catch (e) {
    report(e);
  }
}

// ---- Handler events -------------------------------------------------------------------------
// Fired from the change payloads, so API calls and clicks in the page (PyApm.ui.*) alike fire
// them, after the change, in the order of the payload's events; a payload's "Before" handlers
// run before its "After" handlers (the change is already made: a handler cannot veto it).
/** @type {Map<string, Map<string, {fn: Function, source: unknown, owner: ReturnType<typeof ownerFrame>}>>} */
const handlerSets = new Map(); // handler event -> Map(handler id -> {fn, source, owner})
let handlerCount = 0;
let handlerSeq = 0;
/** @type {Record<string, Array<string | null>>} */
const HANDLED = {
  SESSION_CREATED: ["BeforeSessionCreate", "AfterSessionCreate"],
  ON_SESSION_SWITCH: ["BeforeSessionSwitch", "AfterSessionSwitch"],
  ON_SESSION_CLOSED: [null, "AfterSessionClose"],
  TAB_CREATED: ["BeforeTabCreate", "AfterTabCreate"],
  TAB_CLOSED: [null, "AfterTabClose"],
  ON_TAB_SWITCH: ["BeforeTabSwitch", "AfterTabSwitch"],
};

/** @param {string} label @param {string} event @param {unknown} fn @param {unknown} source */
export function addHandler(label, event, fn, source) {
  if (typeof fn !== "function") throw apmError(400, `${label}: handler must be a function, got ${typeName(fn)}`);
  let set = handlerSets.get(event);
  if (!set) handlerSets.set(event, (set = new Map()));
  const id = `pyapm-handler-${++handlerSeq}`;
  set.set(id, { fn, source, owner: ownerFrame(fn) }); // a frame's handler goes with its frame
  handlerCount++;
  return id;
}

/** @param {string} label @param {string} event @param {unknown} id */
export function removeHandler(label, event, id) {
  requireString(label, "handlerId", id);
  const set = handlerSets.get(event);
  if (set && set.delete(/** @type {string} */ (id))) handlerCount--;
}

export function clearHandlers() {
  handlerSets.clear();
  handlerCount = 0;
  handlerSeq = 0; // ids restart with the workspace, as session and tab ids do: a test sees its own
  deferred = [];
}

// What an Xrm event handler receives (Xrm's EventContext): the event's data is
// `getEventArgs()._inputArguments` (and `getEventArgs().getInputArguments()`).
/** @param {unknown} source @param {object} data */
function eventContext(source, data) {
  const args = Object.freeze(Object.assign({}, data));
  const eventArgs = Object.freeze({ _inputArguments: args, getInputArguments: () => args });
  const shared = new Map();
  const ctx = {};
  Object.defineProperties(ctx, {
    getEventArgs: method(function getEventArgs() { return eventArgs; }),
    getEventSource: method(function getEventSource() { return source; }),
    getDepth: method(function getDepth() { return 0; }),
    getSharedVariable: method(function getSharedVariable(/** @type {unknown} */ key) { return shared.get(key); }),
    setSharedVariable: method(function setSharedVariable(/** @type {unknown} */ key, /** @type {unknown} */ value) { shared.set(key, value); }),
    getContext: refusedSync("EventContext.getContext", "there is no Xrm global context (org, user) in py-apm"),
    getFormContext: refusedSync("EventContext.getFormContext", "session events have no form"),
  });
  return ctx;
}

/** @param {string} event @param {(source: unknown) => unknown} make */
export function fire(event, make) {
  const set = handlerSets.get(event);
  if (!set || set.size === 0) return;
  for (const [id, h] of Array.from(set)) {
    if (frameGone(h.owner)) {
      if (set.delete(id)) handlerCount--;
      continue;
    }
    try {
      h.fn(make(h.source));
    } catch (e) {
      report(e);
    }
  }
}

// Handlers that make changes fire more handlers (a switch handler that switches back...): such
// a chain runs inside one task and would starve the page (its timers, input, rendering). At
// most HANDLER_BURST handler events fire per task; the rest wait, in order, for a later task
// (a timer), so a chain goes on but the page stays responsive.
export const HANDLER_BURST = 1000;
let firedThisTask = 0;
/** @type {Array<import("./wire.js").ChangePayload["events"]>} */
let deferred = []; // handler events waiting for a later task, in order
/** @type {ReturnType<typeof setTimeout> | null} */
let taskTimer = null;
const later = setTimeout.bind(globalThis); // not a wrapper a test harness installs later

function nextTask() {
  if (taskTimer !== null) return;
  taskTimer = later(() => {
    taskTimer = null;
    firedThisTask = 0;
    const waiting = deferred;
    deferred = [];
    for (const events of waiting) fireHandlers(events);
  }, 0);
}

/** @param {import("./wire.js").ChangePayload["events"]} events */
function fireHandlers(events) {
  if (handlerCount === 0) return;
  nextTask(); // counts this task's handler events until it ends
  if (deferred.length || firedThisTask >= HANDLER_BURST) {
    deferred.push(events);
    return;
  }
  firedThisTask += events.length;
  for (const phase of [0, 1]) {
    for (const ev of events) {
      const names = HANDLED[ev.name];
      if (!names || !names[phase]) continue;
      fire(names[phase], (source) => eventContext(source, ev.data));
      if (phase === 1 && ev.name === "ON_TAB_SWITCH") fireContextChange(/** @type {string} */ (ev.data.tabId));
    }
  }
}

// Microsoft.AppRuntime.Sessions.addOnContextChange: IContextChangeEvent {eventType, context}.
/** @param {string} tabId */
function fireContextChange(tabId) {
  const set = handlerSets.get("ContextChange");
  if (!set || set.size === 0) return;
  let found;
  try {
    found = findTab("ContextChange", tabId);
  } catch (_) {
    return; // closed again before the handlers ran
  }
  fire("ContextChange", () => ({ eventType: "TabSwitch", context: pageInputOf(found.tab) }));
}

/** @param {string} sessionId */
export function fireSessionRefresh(sessionId) {
  fire("SessionRefresh", () => ({ eventType: "SessionRefresh", sessionId }));
}

// The addOn<event>/removeOn<event> pair of a face's sessions object.
/** @param {(member: string) => string} label @param {string} event @param {() => unknown} source */
export const handlerPair = (label, event, source) => ({
  [`addOn${event}`]: method(function add(/** @type {unknown} */ handler) { return addHandler(label(`addOn${event}`), event, handler, source()); }),
  [`removeOn${event}`]: method(function remove(/** @type {unknown} */ handlerId) { removeHandler(label(`removeOn${event}`), event, handlerId); }),
});
