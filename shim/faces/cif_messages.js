// The workspace's side of the CIF postMessage protocol (docs/cif.md "Cross-origin providers"):
// a provider frame on another origin than the workspace cannot reach the workspace's objects,
// so its msdyn_ciLibrary.js posts each call to the top window; this module checks who sent it,
// runs it through the provider's face (the same member code as the same-origin path) and posts
// the outcome back. Handlers registered by such a frame are forwarders that post each event to
// it. Only structured-clone-safe data crosses: a Map is sent as its entries, an error as
// {message, errorCode, msdyn_name}.

/** The spec's texts for a sender the workspace does not accept. */
export const UNKNOWN_DOMAIN = "Sender domain is not a recognised or is invalid and hence the message cant be processed";
export const NO_PROVIDER = "Associated Provider record not found";

/**
 * @typedef {object} Request
 * @property {string} messageType  the member name
 * @property {{args?: unknown[], instance?: string}} [messageData]
 * @property {string} messageCorrelationId
 */

/** @param {unknown} data @returns {data is Request} */
function isRequest(data) {
  if (!data || typeof data !== "object") return false;
  const d = /** @type {Record<string, unknown>} */ (data);
  return typeof d.messageType === "string" && d.messageType !== "CIF_Response" && d.messageType !== "CIF_Event" &&
    typeof d.messageCorrelationId === "string" && !("messageOutcome" in d);
}

/**
 * The origin of a URL resolved against the workspace page, or "" when it has none.
 * @param {unknown} url @param {string} base
 */
function originOf(url, base) {
  if (typeof url !== "string" || url === "") return "";
  try {
    const o = new URL(url, base).origin;
    return o === "null" ? "" : o;
  } catch (_) {
    return "";
  }
}

/**
 * What an error becomes on the wire (the provider's library rebuilds the Error).
 * @param {any} e @param {string} api
 */
function errorData(e, api) {
  return {
    message: String(e && e.message !== undefined ? e.message : e),
    errorCode: e && typeof e.errorCode === "number" ? e.errorCode : 500,
    msdyn_name: e && typeof e.msdyn_name === "string" ? e.msdyn_name : api,
  };
}

/**
 * Answers the CIF requests posted to `target` (the workspace window) by provider frames.
 * @param {any} target the workspace window
 * @param {{
 *   face: (provider: string) => any,
 *   providerOf: (who: unknown) => string,
 *   providers: () => {name: string, frameUrl: string, trustedDomain?: string}[],
 *   ready: () => Promise<unknown>,
 *   isReady: () => boolean,
 *   report: (e: unknown) => void,
 * }} deps
 */
export function listenForProviders(target, deps) {
  if (typeof target.addEventListener !== "function") return;
  /** @type {Map<string, {instance: string, forwarders: Map<string, [string, Function]>}>} provider -> its frame's handlers */
  const remote = new Map();

  /** @param {string} provider @param {string} instance */
  function forwardersOf(provider, instance) {
    let r = remote.get(provider);
    if (r && r.instance !== instance) {
      // The frame was reloaded: the old document's handlers go with it.
      const face = deps.face(provider);
      for (const [name, fn] of r.forwarders.values()) face.removeHandler(name, fn);
      r = undefined;
    }
    if (!r) {
      r = { instance, forwarders: new Map() };
      remote.set(provider, r);
    }
    return r.forwarders;
  }

  /**
   * Which provider may send this message, or the refusal text.
   * @param {MessageEvent} ev
   * @returns {[string, string]} [provider, refusal]
   */
  function sender(ev) {
    const base = target.location.href;
    const configured = deps.isReady() ? deps.providers() : [];
    /** @param {{frameUrl: string, trustedDomain?: string}} p */
    const origins = (p) => [originOf(p.frameUrl, base), originOf(p.trustedDomain, base)].filter(Boolean);
    if (!configured.some((p) => origins(p).includes(ev.origin))) return ["", UNKNOWN_DOMAIN];
    const name = deps.providerOf(ev.source);
    const record = configured.find((p) => p.name === name);
    if (!record || !origins(record).includes(ev.origin)) return ["", NO_PROVIDER];
    return [name, ""];
  }

  /** @param {MessageEvent} ev @param {Request} msg */
  function handle(ev, msg) {
    const api = msg.messageType;
    const source = /** @type {Window} */ (ev.source);
    /** @param {"success" | "failure"} outcome @param {unknown} messageData */
    const reply = (outcome, messageData) => {
      try {
        source.postMessage({ messageOutcome: outcome, messageData, messageCorrelationId: msg.messageCorrelationId, messageType: "CIF_Response" }, ev.origin);
      } catch (e) {
        deps.report(e);
      }
    };
    const [provider, refusal] = sender(ev);
    if (refusal) {
      reply("failure", { message: refusal, errorCode: 403, msdyn_name: api });
      return;
    }
    const face = deps.face(provider);
    const data = msg.messageData && typeof msg.messageData === "object" ? msg.messageData : {};
    const args = Array.isArray(data.args) ? data.args : [];
    const member = Object.prototype.hasOwnProperty.call(face, api) ? face[api] : null;
    if (typeof member !== "function") {
      reply("failure", { message: `Microsoft.CIFramework.${api} is not a member of the library`, errorCode: 501, msdyn_name: api });
      return;
    }
    const forwarders = forwardersOf(provider, String(data.instance || ""));
    if (api === "addHandler" || api === "removeHandler") {
      handler(api, face, forwarders, args, source, ev.origin, reply);
      return;
    }
    /** @type {Promise<unknown>} */
    let answer;
    try {
      answer = Promise.resolve(member(...args));
    } catch (e) {
      answer = Promise.reject(e);
    }
    answer.then(
      (value) => reply("success", value instanceof Map ? { value: Object.fromEntries(value), map: true } : { value }),
      (e) => reply("failure", errorData(e, api)),
    );
  }

  /**
   * addHandler/removeHandler: args = [eventName, handlerId]; a handler id that is not a string
   * stands for an argument that is not a function, so the face gives its own refusal.
   * @param {string} api @param {any} face @param {Map<string, [string, Function]>} forwarders
   * @param {unknown[]} args @param {Window} source @param {string} origin
   * @param {(outcome: "success" | "failure", data: unknown) => void} reply
   */
  function handler(api, face, forwarders, args, source, origin, reply) {
    const [name, id] = args;
    let fn = typeof id === "string" ? forwarders.get(id)?.[1] : undefined;
    if (!fn && typeof id === "string" && api === "addHandler") {
      fn = (/** @type {unknown} */ payload) => {
        source.postMessage({ messageType: "CIF_Event", messageData: { handlerId: id, name, payload } }, origin);
      };
      forwarders.set(id, [String(name), fn]);
    }
    const r = face[api](name, typeof id === "string" ? fn || (() => undefined) : null);
    if (r && typeof r.then === "function") {
      if (typeof id === "string") forwarders.delete(id);
      r.then(undefined, (/** @type {unknown} */ e) => reply("failure", errorData(e, api)));
      return;
    }
    if (api === "removeHandler" && typeof id === "string") forwarders.delete(id);
    reply("success", { value: undefined });
  }

  target.addEventListener("message", (/** @type {MessageEvent} */ ev) => {
    if (!isRequest(ev.data) || !ev.source || ev.source === target) return;
    const msg = ev.data;
    if (deps.isReady()) handle(ev, msg);
    else deps.ready().then(() => handle(ev, msg), deps.report);
  });
}
