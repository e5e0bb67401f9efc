// The one factory of face objects: turns the rows of faces/table.js into the properties and
// methods of a session, tab or face object. Labels and bridge members are read once per object,
// when it is built; a call pays what the hand-written method paid.
import { handlerPair } from "../events.js";
import { action, always, invoke, invoke1, toUndefined } from "../wire.js";
import { contextObject, method, property, refusedAsync, refusedSync } from "./common.js";

/** @typedef {import("./table.js").Row} Row */
/** @typedef {import("./table.js").FaceObject} FaceObject */
/** @typedef {import("./table.js").As} As */

/**
 * What a face gives the factory: its session and tab objects (for rows `as` "session"/"tab"),
 * and the descriptors of its "hand" rows.
 * @typedef {object} Face
 * @property {(id: unknown) => object | null} [session]
 * @property {(id: unknown, owner?: string) => object | null} [tab]
 * @property {Record<string, (id: string | undefined, target: object) => PropertyDescriptor>} [hand]
 */

/**
 * A result's shape for `as` (the id is the session's, for "context").
 * @param {As | undefined} as
 * @param {Face} face
 * @param {string | undefined} id
 * @returns {((value: any) => any) | null}
 */
function shape(as, face, id) {
  switch (as) {
    case undefined: return null;
    case "String": return String;
    case "Boolean": return Boolean;
    case "nothing": return toUndefined;
    case "context": return (data) => contextObject(/** @type {string} */ (id), data);
    case "session": return /** @type {(id: unknown) => object | null} */ (face.session);
    case "tab": {
      const tab = /** @type {(id: unknown, owner?: string) => object | null} */ (face.tab);
      return id === undefined ? tab : (tabId) => tab(tabId, id); // a session's: its owner
    }
    default: throw new Error(`faces/table.js: unknown result shape ${as}`);
  }
}

/**
 * The bridge call of a "call" row as a function of the user's arguments, the object's id put
 * first when it has one: one form per arity (none, one, all), as the hand-written methods were,
 * so that a call builds no array it does not need.
 * @param {string} label
 * @param {string} bridge
 * @param {string[] | "rest" | undefined} args
 * @param {string | undefined} id
 * @returns {(...args: any[]) => any}
 */
function bridgeCall(label, bridge, args, id) {
  const withId = id !== undefined;
  switch (arity(args, label)) {
    case 0: return withId ? () => invoke1(label, bridge, id) : () => invoke(label, bridge, []);
    case 1: return withId ? (a) => invoke(label, bridge, [id, a]) : (a) => invoke(label, bridge, [a]);
    default: return withId ? (...a) => invoke(label, bridge, [id, ...a]) : (...a) => invoke(label, bridge, a);
  }
}

/**
 * 0, 1, or -1 for all the arguments ("rest").
 * @param {string[] | "rest" | undefined} args
 * @param {string} label
 */
function arity(args, label) {
  if (args === "rest") return -1;
  const n = args ? args.length : 0;
  if (n > 1) throw new Error(`faces/table.js: ${label} takes ${n} parameters (0, 1 or "rest")`);
  return n;
}

/**
 * The method of a "call" row, named and with the length of its JS declaration.
 * @param {Row} row
 * @param {string} label
 * @param {Face} face
 * @param {string | undefined} id
 */
function callMethod(row, label, face, id) {
  const n = arity(row.args, label);
  const run = bridgeCall(label, /** @type {string} */ (row.bridge), row.args, id);
  const as = shape(row.as, face, id);
  /** @type {(...args: any[]) => any} */
  let fn;
  if (row.returns === "sync") {
    const shaped = as;
    if (shaped === null) fn = run;
    else if (n === 0) fn = () => shaped(run());
    else if (n === 1) fn = (a) => shaped(run(a));
    else fn = (...a) => shaped(run(...a));
  } else if (row.returns === "void") {
    if (n === 0) fn = () => { run(); };
    else if (n === 1) fn = (a) => { run(a); };
    else fn = (...a) => { run(...a); };
  } else {
    const finish = settle(row, label, as, face, id);
    if (n === 0) fn = () => finish(run);
    else if (n === 1) fn = (a) => finish(() => run(a));
    else fn = (...a) => finish(() => run(...a));
  }
  Object.defineProperty(fn, "name", { value: row.name });
  Object.defineProperty(fn, "length", { value: Math.max(n, 0) });
  return fn;
}

/**
 * How a "promise" or "action" row hands the outcome of `run` to the caller.
 * @param {Row} row
 * @param {string} label
 * @param {((value: any) => any) | null} as
 * @param {Face} face
 * @param {string | undefined} id
 * @returns {(run: () => any) => any}
 */
function settle(row, label, as, face, id) {
  if (row.returns === "promise") {
    return as === null ? (run) => always(label, run) : (run) => always(label, () => as(run()));
  }
  if (row.returns === "action") {
    const runtime = /** @type {(value: any) => any} */ (as);
    const documented = /** @type {(value: any) => any} */ (shape(row.documented, face, id));
    return (run) => action(label, run, runtime, documented);
  }
  throw new Error(`faces/table.js: ${label} has no return contract`);
}

/**
 * The property descriptors of one face object from its table entry, in row order.
 * @param {FaceObject} spec
 * @param {Face} face
 * @param {string | undefined} id the session or tab id (none for a face's root objects)
 * @param {object} target the object being built (the source of its handler events)
 * @returns {PropertyDescriptorMap}
 */
function descriptors(spec, face, id, target) {
  /** @type {PropertyDescriptorMap} */
  const out = {};
  const methodOf = spec.enumerable
    ? (/** @type {Function} */ fn) => ({ value: fn, writable: true, configurable: true, enumerable: true })
    : method;
  const labelOf = (/** @type {string} */ name) => spec.label + name;
  for (const row of spec.members) {
    const label = labelOf(row.name);
    switch (row.kind) {
      case "id":
        out[row.name] = { value: id, enumerable: true, configurable: true };
        break;
      case "property":
        out[row.name] = property(label, /** @type {string} */ (row.bridge), row.set || null, id);
        break;
      case "constant": {
        const value = row.value;
        out[row.name] = { get: () => value, enumerable: true, configurable: true };
        break;
      }
      case "call":
        out[row.name] = methodOf(callMethod(row, label, face, id));
        break;
      case "handler":
        Object.assign(out, handlerPair(labelOf, row.name, () => target));
        break;
      case "refused":
        out[row.name] = (row.async ? refusedAsync : refusedSync)(label, /** @type {string} */ (row.why));
        break;
      case "hand": {
        const make = face.hand && face.hand[row.name];
        if (!make) throw new Error(`faces/table.js: ${label} is written by hand, and is missing`);
        out[row.name] = make(id, target);
        break;
      }
      default:
        throw new Error(`faces/table.js: ${label} has an unknown kind`);
    }
  }
  return out;
}

/**
 * A face's root object (Microsoft.Apm, Microsoft.AppRuntime.Sessions, ...).
 * @param {FaceObject} spec
 * @param {Face} [face]
 * @returns {any}
 */
export function faceObject(spec, face = {}) {
  const target = {};
  Object.defineProperties(target, descriptors(spec, face, undefined, target));
  return target;
}

/**
 * One object of a face for an id, not kept (Xrm's `session.tabs`, made with its session).
 * @param {FaceObject} spec
 * @param {Face} face
 * @param {string} id
 * @returns {any}
 */
export function objectFor(spec, face, id) {
  const target = {};
  Object.defineProperties(target, descriptors(spec, face, id, target));
  return target;
}

// Every face's caches of session and tab objects, by kind: a close forgets the closed id's
// objects in all of them (`forgetClosed`).
/** @type {{session: Array<Map<string, object>>, tab: Array<Map<string, object>>}} */
const caches = { session: [], tab: [] };
/** @type {Map<string, string>} */
const tabOwners = new Map(); // tab id -> the id of the session whose object handed it out

/**
 * The builder of a face's session or tab objects: one object per id, kept while it is open
 * (until `forgetClosed` sees it close, or `clear()`: PyApm.reset); a value that is not an id
 * (null: none) gives null. A tab object is given with its session's id (`owner`): a session's
 * close emits no event per tab, and forgets them through it.
 * @param {FaceObject} spec
 * @param {Face} face
 * @param {"session" | "tab"} kind
 */
export function objectsById(spec, face, kind) {
  /** @type {Map<string, object>} */
  const cache = new Map();
  caches[kind].push(cache);
  /** @param {unknown} id @param {string} [owner] @returns {any} */
  const get = (id, owner) => {
    if (typeof id !== "string") return null;
    /** @type {any} */
    let target = cache.get(id);
    if (target) return target;
    target = objectFor(spec, face, id);
    cache.set(id, target);
    if (owner !== undefined) tabOwners.set(id, owner);
    return target;
  };
  const clear = () => {
    cache.clear();
    if (kind === "tab") tabOwners.clear();
  };
  return { get, clear };
}

/**
 * Forgets the objects of the sessions and tabs a change payload closed: a loop that creates,
 * reads and closes sessions keeps no object per closed id (ids are not reused before a reset,
 * and lookups of a closed id answer null, so no caller can get the object again).
 * `closedTab` hears each closed tab's id (what else keeps something per tab).
 * @param {import("../wire.js").ChangePayload["events"]} events
 * @param {(tabId: string) => void} closedTab
 */
export function forgetClosed(events, closedTab) {
  for (const ev of events) {
    if (ev.name === "TAB_CLOSED") {
      forgetTab(/** @type {string} */ (ev.data.tabId));
      closedTab(/** @type {string} */ (ev.data.tabId));
    } else if (ev.name === "ON_SESSION_CLOSED") {
      const id = /** @type {string} */ (ev.data.sessionId);
      for (const cache of caches.session) cache.delete(id);
      for (const [tabId, owner] of tabOwners) {
        if (owner !== id) continue;
        forgetTab(tabId);
        closedTab(tabId);
      }
    }
  }
}

/** @param {string} id */
function forgetTab(id) {
  for (const cache of caches.tab) cache.delete(id);
  tabOwners.delete(id);
}
