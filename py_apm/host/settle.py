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
# as all of it is done: its timers and intervals, animation frames, requests, and
# BroadcastChannel messages on their way to a listener in this page. An init script of every run
# context, added before the isolation guard (web/isolation.js): the guard wraps these wrappers,
# so it still sees who called (a channel the workspace opens for its events is not the
# script's). It counts only during a run: `__pyapmTrack.start()` returns the run's `track`
# (`pending`; `requests`, the requests alone, which only a reload takes back; `last`, the time
# of the last sign of life: one of those callbacks, a workspace change) and `stop()` ends it and
# returns it, unsubscribing the PyApm.onChange listeners registered during the run (PyApm.reset
# keeps them).
TRACK_INIT_JS = """
(() => {
  "use strict";
  if (window !== window.top || Object.prototype.hasOwnProperty.call(window, "__pyapmTrack")) return;
  let current = null; // the running script's track
  const now = () => performance.now();
  const listen = EventTarget.prototype.addEventListener; // the browser's, not a wrapper
  const timers = new Map(); // id -> track
  const frames = new Map();
  const done = (map, id) => {
    const t = map.get(id);
    if (t) { map.delete(id); t.pending--; t.last = now(); }
  };
  const [st, si, ct, ci] = [setTimeout, setInterval, clearTimeout, clearInterval];
  window.setTimeout = function (fn, ...rest) {
    const t = current;
    if (!t || typeof fn !== "function") return st.call(window, fn, ...rest);
    const run = function (...a) { done(timers, id); return fn.apply(this, a); };
    const id = st.call(window, run, ...rest);
    timers.set(id, t);
    t.pending++;
    return id;
  };
  window.setInterval = function (fn, ...rest) {
    const t = current;
    if (!t || typeof fn !== "function") return si.call(window, fn, ...rest);
    const run = function (...a) { t.last = now(); return fn.apply(this, a); };
    const id = si.call(window, run, ...rest);
    timers.set(id, t);
    t.pending++;
    return id;
  };
  window.clearTimeout = function (id) { done(timers, id); return ct.call(window, id); };
  window.clearInterval = function (id) { done(timers, id); return ci.call(window, id); };
  const [raf, caf] = [requestAnimationFrame, cancelAnimationFrame];
  window.requestAnimationFrame = function (fn) {
    const t = current;
    if (!t) return raf.call(window, fn);
    const id = raf.call(window, function (...a) { done(frames, id); return fn.apply(this, a); });
    frames.set(id, t);
    t.pending++;
    return id;
  };
  window.cancelAnimationFrame = function (id) { done(frames, id); return caf.call(window, id); };
  const request = (t) => {
    t.pending++;
    t.requests++;
    return () => { t.pending--; t.requests--; t.last = now(); };
  };
  const realFetch = window.fetch;
  window.fetch = function (...a) {
    const t = current;
    const p = realFetch.apply(this, a);
    if (t) { const settled = request(t); p.then(settled, settled); }
    return p;
  };
  const xhrSend = XMLHttpRequest.prototype.send;
  XMLHttpRequest.prototype.send = function (...a) {
    const t = current;
    if (t) listen.call(this, "loadend", request(t), { once: true });
    return xhrSend.apply(this, a);
  };
  const BC = window.BroadcastChannel;
  const open = new Set(); // channels of this page, each with the tracks of the messages owed to it
  const owed = new WeakMap();
  const post = BC.prototype.postMessage;
  BC.prototype.postMessage = function (...a) {
    const r = post.apply(this, a);
    const t = current;
    if (t) {
      for (const c of open) {
        if (c !== this && c.name === this.name) { owed.get(c).push(t); t.pending++; }
      }
    }
    return r;
  };
  window.BroadcastChannel = class BroadcastChannel extends BC {
    constructor(name) {
      super(name);
      open.add(this);
      owed.set(this, []);
      listen.call(this, "message", () => {
        const t = owed.get(this).shift();
        if (t) t.pending--;
        const live = t || current;
        if (live) live.last = now();
      });
    }
    close() {
      if (open.delete(this)) { for (const t of owed.get(this)) t.pending--; owed.set(this, []); }
      return super.close();
    }
  };
  let offs = [];
  const api = {
    start() {
      const t = { pending: 0, requests: 0, last: now(), wait: st.bind(window) };
      current = t;
      offs = [];
      if (window.PyApm && typeof PyApm.onChange === "function") {
        const on = PyApm.onChange;
        PyApm.onChange = function onChange(...a) {
          const off = on.apply(this, a);
          if (typeof off === "function") offs.push(off);
          return off;
        };
        offs.push(on.call(PyApm, () => { t.last = now(); }));
      }
      return t;
    },
    stop() {
      const t = current;
      current = null;
      for (const off of offs) off();
      offs = [];
      return t;
    },
  };
  Object.defineProperty(window, "__pyapmTrack", { value: Object.freeze(api) });
})();
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
