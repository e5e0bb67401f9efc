// What the shim's modules name as globals and Node gives differently, injected into the Node
// bundle in place of those globals (esbuild `inject`): fetch (Node's reads no file: URLs) and
// BroadcastChannel (Node's does not keep a page's order across channels). npm/lib/node.mjs sets
// them before install().

/** @type {{fetch: typeof globalThis.fetch, BroadcastChannel: typeof globalThis.BroadcastChannel} | null} */
let host = null;

/** @param {{fetch: typeof globalThis.fetch, BroadcastChannel: typeof globalThis.BroadcastChannel}} given */
export function setHost(given) {
  host = given;
}

/** @type {typeof globalThis.fetch} */
const hostFetch = (input, init) => host.fetch(input, init);

/** A BroadcastChannel made by the host's class. */
class HostBroadcastChannel {
  /** @param {string} name */
  constructor(name) {
    return new host.BroadcastChannel(name);
  }
}

export { hostFetch as fetch, HostBroadcastChannel as BroadcastChannel };
