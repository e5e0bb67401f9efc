// The window (or global object) the shim is installed on: set once by install() before anything
// else runs, read by every module that touches the page (frames, events, the debug flag).

/** @type {Window & typeof globalThis} */
// @ts-ignore -- assigned by bindWindow before any reader runs
export let win = null;

/** @param {Window & typeof globalThis} target */
export function bindWindow(target) {
  win = target;
}
