"""The JavaScript a `py-apm run` evaluates in its page: start the script, collect what it did,
clear what a reload keeps. Shared by cold and warm runs (``run_page.py``)."""

from __future__ import annotations

# Runs SCRIPT as a classic, sloppy-mode script (implicit globals work) from a blob URL, so a
# SyntaxError is reported like any other error. Errors are recorded from the window "error" and
# "unhandledrejection" events until the run is collected.
RUN_JS = """
async ([source, name]) => {
  const run = { errors: [], shift: 0, url: "" };
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
    // Columns on the first line are counted without the block's opening (see below).
    const col = (line, column) => (line === 1 ? Math.max(1, column - run.shift) : column);
    // (A SyntaxError names the blob, not the sourceURL, once the script is in its block.)
    if (ev && ev.filename && (ev.filename.endsWith(name) || ev.filename === run.url)) {
      return { lineno: ev.lineno, colno: col(ev.lineno, ev.colno) };
    }
    const isObj = value !== null && typeof value === "object";
    const stack = isObj && typeof value.stack === "string" ? value.stack : "";
    const at = stack.indexOf(name + ":");
    if (at < 0) return {};
    const m = /^:(\\d+):(\\d+)/.exec(stack.slice(at + name.length));
    return m ? { lineno: Number(m[1]), colno: col(Number(m[1]), Number(m[2])) } : {};
  };
  run.onError = (ev) => {
    const value = ev.error !== undefined && ev.error !== null ? ev.error : ev.message;
    run.errors.push(describe(value, whereIn(value, ev)));
  };
  run.onRejection = (ev) => run.errors.push(
    describe(ev.reason, { ...whereIn(ev.reason, null), kind: "unhandledrejection" }));
  window.addEventListener("error", run.onError);
  window.addEventListener("unhandledrejection", run.onRejection);
  run.track = window.__pyapmTrack.start();
  // A block around the script keeps its top-level let/const/class its own (they would
  // otherwise stay in the page's global scope, where only a reload drops them), so the page can
  // serve a later script after an in-place reset. A "use strict" prologue keeps its meaning; a
  // script that starts with a hashbang runs as it is.
  const strict = /^(?:\\s|\\/\\/[^\\n]*|\\/\\*[\\s\\S]*?\\*\\/)*(["'])use strict\\1/.test(source);
  const head = source.startsWith("#!") ? "" : strict ? '"use strict";{' : "{";
  run.shift = head.length;
  const text = head + source + (head ? "\\n}" : "") + "\\n//# sourceURL=" + name + "\\n";
  const url = URL.createObjectURL(new Blob([text], { type: "text/javascript" }));
  run.url = url;
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


COLLECT_JS = """
() => {
  const run = window.__pyapmRun || { errors: [] };
  if (run.onError) window.removeEventListener("error", run.onError);
  if (run.onRejection) window.removeEventListener("unhandledrejection", run.onRejection);
  const state = PyApm.state();
  return { state, errors: run.errors };
}
"""


#: What a page keeps across a reload besides storage and cookies (both cleared from outside), and
#: what the isolation guard does not reset: ``window.name``.
CLEAR_PAGE_JS = """() => {
  sessionStorage.clear();
  window.name = "";
}"""

#: The isolation guard's baseline, taken once the page has booted (``web/isolation.js``); returns
#: the workspace's revision.
MARK_JS = "() => { window.__pyApmIsolation.mark(); return PyApm.state().revision; }"

#: The in-place reset between scripts: the guard undoes what the script made (restoring the
#: workspace's API objects it may have patched), ``PyApm.reset`` empties the workspace (its
#: render removes the tabs' frames, which the first undo sees as globals it cannot delete), a second
#: undo checks that nothing is left, and what follows belongs to the next script. Returns what
#: still needs a reload (nothing: the page is ready) and the revision the next script starts at.
RESET_JS = """async (options) => {
  const guard = window.__pyApmIsolation;
  if (!window.PyApm || !PyApm.isReady || !guard || !guard.marked) return { dirty: ["not ready"] };
  const track = window.__pyapmTrack.stop(); // the run's own count (out of the script's reach)
  await guard.clean();
  // Only now has nothing of the script a way to run (its ports, channels, listeners and timers
  // are gone): what a script busy passing messages wrote after CLEAR_PAGE_JS is cleared again.
  sessionStorage.clear();
  window.name = "";
  if (track && track.requests > 0) return { dirty: ["a request in flight"] }; // a reload aborts it
  PyApm.reset(options);
  await new Promise((rendered) => setTimeout(rendered, 0)); // the page renders the reset
  const { dirty } = await guard.clean();
  if (dirty.length) return { dirty };
  guard.mark();
  return { dirty, revision: PyApm.state().revision };
}"""
