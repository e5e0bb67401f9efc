"""The wait after a `py-apm run` script: until what it left running is done, at most --wait.

A fixed wait made every run pay it in full; most one-line scripts leave nothing behind and now
settle in about :data:`QUIET_MS`. The same code serves cold and warm runs, so their output stays
the same.
"""

from __future__ import annotations

#: The most time to let the script's asynchronous work (BroadcastChannel messages, timers...)
#: run, in ms (``--wait``).
SETTLE_MS = 250
#: The wait ends sooner once nothing the script started is pending and nothing has happened for
#: this long, in ms: a BroadcastChannel hop or a promise chain takes a few.
QUIET_MS = 30

# What the script leaves running, counted so that the wait after it (SETTLE_JS) can end as soon
# as all of it is done: its timers and intervals, animation frames, requests, and messages on
# their way to this page (BroadcastChannel, MessageChannel ports, postMessage to itself): a
# script that keeps itself busy passing messages is never idle. `last` is the time of the last
# sign of life (one of those callbacks, a workspace change).
TRACK_PENDING_JS = """
function trackPending() {
  const track = { pending: 0, last: performance.now(), wait: setTimeout.bind(window) };
  const busy = () => { track.last = performance.now(); };
  const done = (set, id) => { if (set.delete(id)) { track.pending--; busy(); } };
  const timers = new Set();
  const frames = new Set();
  const [st, si, ct, ci] = [setTimeout, setInterval, clearTimeout, clearInterval];
  window.setTimeout = function (fn, ...rest) {
    if (typeof fn !== "function") return st.call(window, fn, ...rest);
    const run = function (...a) { done(timers, id); return fn.apply(this, a); };
    const id = st.call(window, run, ...rest);
    timers.add(id);
    track.pending++;
    return id;
  };
  window.setInterval = function (fn, ...rest) {
    if (typeof fn !== "function") return si.call(window, fn, ...rest);
    const id = si.call(window, function (...a) { busy(); return fn.apply(this, a); }, ...rest);
    timers.add(id);
    track.pending++;
    return id;
  };
  window.clearTimeout = (id) => { done(timers, id); ct.call(window, id); };
  window.clearInterval = (id) => { done(timers, id); ci.call(window, id); };
  const [raf, caf] = [requestAnimationFrame, cancelAnimationFrame];
  window.requestAnimationFrame = function (fn) {
    const id = raf.call(window, function (...a) { done(frames, id); return fn.apply(this, a); });
    frames.add(id);
    track.pending++;
    return id;
  };
  window.cancelAnimationFrame = (id) => { done(frames, id); caf.call(window, id); };
  const realFetch = window.fetch;
  window.fetch = function (...a) {
    track.pending++;
    const settled = () => { track.pending--; busy(); };
    const p = realFetch.apply(this, a);
    p.then(settled, settled);
    return p;
  };
  const xhrSend = XMLHttpRequest.prototype.send;
  XMLHttpRequest.prototype.send = function (...a) {
    track.pending++;
    this.addEventListener("loadend", () => { track.pending--; busy(); }, { once: true });
    return xhrSend.apply(this, a);
  };
  const BC = window.BroadcastChannel;
  const open = new Set(); // channels made from here on, with the messages owed to each
  const owed = new WeakMap();
  const post = BC.prototype.postMessage;
  BC.prototype.postMessage = function (...a) {
    const r = post.apply(this, a);
    for (const c of open) {
      if (c !== this && c.name === this.name) { owed.set(c, owed.get(c) + 1); track.pending++; }
    }
    return r;
  };
  window.BroadcastChannel = class BroadcastChannel extends BC {
    constructor(name) {
      super(name);
      open.add(this);
      owed.set(this, 0);
      this.addEventListener("message", () => {
        if (owed.get(this) > 0) { owed.set(this, owed.get(this) - 1); track.pending--; }
        busy();
      });
    }
    close() {
      if (open.delete(this)) { track.pending -= owed.get(this); owed.set(this, 0); }
      return super.close();
    }
  };
  // MessageChannel: a message posted on one port is owed to its partner until delivered (a
  // port handed elsewhere never hears it here: the page stays busy, which is the safe side).
  const partner = new WeakMap();
  const portOwed = new WeakMap();
  const settlePort = (port, n) => {
    const owes = portOwed.get(port) || 0;
    const by = Math.min(owes, n);
    if (by > 0) { portOwed.set(port, owes - by); track.pending -= by; }
  };
  const portPost = MessagePort.prototype.postMessage;
  MessagePort.prototype.postMessage = function (...a) {
    const r = portPost.apply(this, a);
    const to = partner.get(this);
    if (to && portOwed.has(to)) { portOwed.set(to, portOwed.get(to) + 1); track.pending++; }
    return r;
  };
  const portClose = MessagePort.prototype.close;
  MessagePort.prototype.close = function () {
    settlePort(this, Infinity);
    const to = partner.get(this);
    if (to) settlePort(to, Infinity);
    return portClose.call(this);
  };
  const MC = window.MessageChannel;
  window.MessageChannel = class MessageChannel extends MC {
    constructor() {
      super();
      partner.set(this.port1, this.port2);
      partner.set(this.port2, this.port1);
      for (const port of [this.port1, this.port2]) {
        portOwed.set(port, 0);
        port.addEventListener("message", () => { settlePort(port, 1); busy(); });
      }
    }
  };
  // postMessage to this window from itself: owed until its "message" event.
  let selfOwed = 0;
  const winPost = window.postMessage;
  const reachesSelf = (target) => {
    if (target === undefined || target === "*" || target === "/") return true;
    try { return new URL(String(target)).origin === location.origin; } catch (_e) { return false; }
  };
  window.postMessage = function (message, target, ...rest) {
    const r = winPost.call(this, message, target, ...rest);
    const to = target !== null && typeof target === "object" ? target.targetOrigin : target;
    if ((this === window || this === undefined) && reachesSelf(to)) { selfOwed++; track.pending++; }
    return r;
  };
  window.addEventListener("message", (ev) => {
    if (ev.source === window && selfOwed > 0) { selfOwed--; track.pending--; }
    busy();
  }, true);
  if (window.PyApm && PyApm.onChange) PyApm.onChange(busy);
  return track;
}
"""

#: Resolves after at most `maxMs`; sooner once nothing is pending and nothing happened for
#: `quietMs` (a script without asynchronous work settles in about `quietMs`).
SETTLE_JS = """
async ([maxMs, quietMs]) => {
  const track = window.__pyapmRun && window.__pyapmRun.track;
  const wait = track ? track.wait : setTimeout;
  const t0 = performance.now();
  for (;;) {
    const now = performance.now();
    const left = maxMs - (now - t0);
    if (left <= 0) return;
    if (track && track.pending <= 0 && now - track.last >= quietMs) return;
    await new Promise((resolve) => wait(resolve, Math.min(5, left)));
  }
}
"""
