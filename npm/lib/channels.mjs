// BroadcastChannel as a page has it, for the global py-apm is installed on in Node: every
// message posted on any channel is delivered in the order it was posted, one task each (Node's
// own BroadcastChannel delivers each channel's messages in order, but not the messages of
// different channels: ON_SESSION_CLOSED could arrive after the ON_SESSION_SWITCH that followed
// it). Within this process only; nothing keeps the process alive.

// One 0 ms timer per message, set when it is posted (Node runs timers of one duration in the
// order they were set): a timer a test sets after the post, even a 0 ms one, fires after the
// message is delivered, however busy the machine. Captured now: a test's fake timers must not
// hold the workspace's events back.
const realSetTimeout = globalThis.setTimeout;
const nextTask = (fn) => realSetTimeout(fn, 0);

/** A BroadcastChannel class whose instances live in `registry` (name -> Set of channels). */
export function orderedChannelClass() {
  const registry = new Map();
  const queue = [];

  function deliverOne() {
    const message = queue.shift();
    if (!message) return; // closeAll() emptied the queue
    for (const channel of registry.get(message.name) || []) {
      if (channel === message.from) continue;
      channel.dispatchEvent(new MessageEvent("message", { data: structuredClone(message.data) }));
    }
  }

  class BroadcastChannel extends EventTarget {
    #name;
    #closed = false;
    #onmessage = null;

    constructor(name) {
      if (arguments.length === 0) throw new TypeError("BroadcastChannel: a name is required");
      super();
      this.#name = String(name);
      if (!registry.has(this.#name)) registry.set(this.#name, new Set());
      registry.get(this.#name).add(this);
    }

    get name() {
      return this.#name;
    }

    get onmessage() {
      return this.#onmessage;
    }

    set onmessage(handler) {
      if (this.#onmessage) this.removeEventListener("message", this.#onmessage);
      this.#onmessage = typeof handler === "function" ? handler : null;
      if (this.#onmessage) this.addEventListener("message", this.#onmessage);
    }

    postMessage(data) {
      if (this.#closed) throw new DOMException("BroadcastChannel is closed", "InvalidStateError");
      queue.push({ from: this, name: this.#name, data: structuredClone(data) });
      nextTask(deliverOne);
    }

    close() {
      this.#closed = true;
      const peers = registry.get(this.#name);
      if (peers) {
        peers.delete(this);
        if (peers.size === 0) registry.delete(this.#name);
      }
    }

    /** Nothing to do: these channels never keep the process alive (Node's have ref/unref). */
    ref() {}
    unref() {}
  }

  /** Close every channel of this class (createApm's close()). */
  const closeAll = () => {
    for (const peers of [...registry.values()]) for (const channel of [...peers]) channel.close();
    queue.length = 0;
  };
  return { BroadcastChannel, closeAll };
}
