"""The JavaScript a `py-apm run` evaluates in its page: start the script, collect what it did,
clear what a reload keeps. Shared by cold and warm runs (``run_page.py``)."""

from __future__ import annotations

from .settle import TRACK_PENDING_JS

# Runs SCRIPT as a classic, sloppy-mode script (implicit globals work) from a blob URL, so a
# SyntaxError is reported like any other error. Errors are recorded from the window "error" and
# "unhandledrejection" events until the run is collected.
RUN_JS = """
async ([source, name]) => {
  TRACK_PENDING
  const run = { errors: [] };
  window.__pyapmRun = run;
  const describe = (value, where) => {
    const isErr = value !== null && typeof value === "object";
    let message;
    try { message = isErr && "message" in value ? String(value.message) : String(value); }
    catch (_e) { message = "(unprintable value)"; }
    const code = isErr ? value.errorCode : undefined;
    return {
      name: isErr && value.name ? String(value.name) : null,
      message,
      errorCode: typeof code === "number" ? code : null,
      line: where && where.lineno ? where.lineno : null,
      column: where && where.colno ? where.colno : null,
      kind: where && where.kind ? where.kind : "error",
    };
  };
  // Where in SCRIPT: the event's position when the error was raised in it (SyntaxError...),
  // else the first frame of the stack that names it (errors thrown by shim.js for a call).
  const whereIn = (value, ev) => {
    if (ev && ev.filename && ev.filename.endsWith(name)) {
      return { lineno: ev.lineno, colno: ev.colno };
    }
    const isObj = value !== null && typeof value === "object";
    const stack = isObj && typeof value.stack === "string" ? value.stack : "";
    const at = stack.indexOf(name + ":");
    if (at < 0) return {};
    const m = /^:(\\d+):(\\d+)/.exec(stack.slice(at + name.length));
    return m ? { lineno: Number(m[1]), colno: Number(m[2]) } : {};
  };
  run.onError = (ev) => {
    const value = ev.error !== undefined && ev.error !== null ? ev.error : ev.message;
    run.errors.push(describe(value, whereIn(value, ev)));
  };
  run.onRejection = (ev) => run.errors.push(
    describe(ev.reason, { ...whereIn(ev.reason, null), kind: "unhandledrejection" }));
  window.addEventListener("error", run.onError);
  window.addEventListener("unhandledrejection", run.onRejection);
  run.track = trackPending();
  const text = source + "\\n//# sourceURL=" + name + "\\n";
  const url = URL.createObjectURL(new Blob([text], { type: "text/javascript" }));
  // Not awaited here: the runner waits for this console message with a time limit, in the
  // driver (a script that never ends keeps the page from answering anything).
  const s = document.createElement("script");
  s.src = url;
  s.onload = s.onerror = () => {
    s.remove();
    URL.revokeObjectURL(url);
    run.track.last = performance.now();
    console.debug("__pyapm_run_loaded__");
  };
  document.head.append(s);
  return run.errors.length;
}
"""

RUN_JS = RUN_JS.replace("TRACK_PENDING", TRACK_PENDING_JS.strip())

COLLECT_JS = """
() => {
  const run = window.__pyapmRun || { errors: [] };
  if (run.onError) window.removeEventListener("error", run.onError);
  if (run.onRejection) window.removeEventListener("unhandledrejection", run.onRejection);
  const state = PyApm.state();
  const pending = run.track ? Math.max(0, run.track.pending) : 0;
  return { state, errors: run.errors, pending };
}
"""


#: What a page keeps across a reload besides storage and cookies (both cleared from outside);
#: returns how much of the last script is still pending (timers, requests, messages).
CLEAR_PAGE_JS = """() => {
  sessionStorage.clear();
  window.name = "";
  const track = window.__pyapmRun && window.__pyapmRun.track;
  return track ? Math.max(0, track.pending) : 0;
}"""
