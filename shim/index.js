// Installs py-apm on a window (or any global object with a DOM, such as a jsdom window):
// Microsoft.Apm, Microsoft.AppRuntime, Xrm.App.sessions, Microsoft.CIFramework and PyApm, then
// boots Python.
// The browser entry (browser.js) calls install() with the script tag's settings; other hosts
// call it with their own.
import { readSettings, start } from "./boot.js";
import { forgetBound, installMicrosoft, xrmRead } from "./bound.js";
import { createControl } from "./control.js";
import { dispatch, listeners, report } from "./events.js";
import { Apm } from "./faces/apm.js";
import { forgetClosed } from "./faces/build.js";
import { installCif } from "./faces/cif.js";
import { AppRuntime } from "./faces/runtime.js";
import { XrmSessions, installXrm } from "./faces/xrm.js";
import { watchFrames } from "./frames.js";
import { attach, invoke } from "./wire.js";
import { bindWindow } from "./win.js";

export { readSettings };

/**
 * Installs the faces on `target` and starts the boot; once per module instance (the emulator's
 * state lives in the modules). A window already served by py-apm is left alone; a same-origin
 * frame binds to its top window's emulator instead of booting its own (decision 21).
 * @param {any} target the window or global object to install on
 * @param {import("./boot.js").ScriptTag} tag where the script came from and its attributes
 * @returns {any} the control object (target.PyApm)
 */
export function install(target, tag) {
  if (target.PyApm && target.PyApm.__pyApmShim) return target.PyApm; // loaded twice: keep the first
  if (bindToTop(target)) return target.PyApm;

  const settings = readSettings(tag);
  bindWindow(target);
  const { PyApm, readyResolve, readyReject } = createControl(settings);
  // Closed sessions' and tabs' objects are dropped first: a listener can no longer get them.
  attach((p) => { forgetClosed(p.events, forgetBound); dispatch(p); }, () => { PyApm.isReady = false; });
  watchFrames();

  target.Microsoft = target.Microsoft || {};
  target.Microsoft.Apm = Apm;
  target.Microsoft.AppRuntime = AppRuntime;
  installMicrosoft(target); // (and Xrm) read by a hooked tab frame: the tab's bound faces
  installXrm(target, XrmSessions, xrmRead);
  installCif(target, PyApm, { invoke, report, listeners });
  target.PyApm = PyApm;

  start(settings, PyApm, readyResolve, readyReject);
  return PyApm;
}

// ---- Frames (decision 21): a same-origin frame binds to the top window's emulator. -------
/** @param {any} target */
function bindToTop(target) {
  let top = null;
  try {
    if (target.top && target.top !== target && target.top.PyApm && target.top.PyApm.__pyApmShim) top = target.top;
  } catch (_) {
    top = null; // cross-origin top: reading it throws; boot our own emulator
  }
  if (!top) return false;
  // A frame hosted by a workspace tab gets a Microsoft object that tags its calls with that
  // tab (the timeline's "frame" and warning APM-W002); any other frame shares the top's.
  const tabId = top.PyApm.__hostTab ? top.PyApm.__hostTab(target) : null;
  target.Microsoft = tabId ? top.PyApm.__forFrame(tabId) : top.Microsoft;
  target.PyApm = top.PyApm;
  const sessions = tabId && top.PyApm.__sessionsForFrame ? top.PyApm.__sessionsForFrame(tabId)
    : top.Xrm && top.Xrm.App && top.Xrm.App.sessions;
  if (sessions) installXrm(target, sessions);
  return true;
}
