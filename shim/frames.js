// Same-origin frames (decision 21): which workspace tab hosts a frame, which tab a call comes
// from (read from the call stack), and which frame a page listener belongs to.
import { win } from "./win.js";

// The tab whose iframe (data-tab-id, set by the workspace page) hosts `frameWin`, else null.
/** @param {Window} frameWin @returns {string | null} */
export function hostTab(frameWin) {
  try {
    let w = frameWin;
    while (w.parent && w.parent !== win && w.parent !== w) w = w.parent;
    const el = w.parent === win ? w.frameElement : null;
    const id = el && el.getAttribute("data-tab-id");
    return id || null;
  } catch (_) {
    return null;
  }
}

// Most web resources never load shim.js: they call `window.parent.Microsoft.Apm` (or
// `parent.Xrm.App.sessions`, `parent.Microsoft.AppRuntime`), often through a reference cached
// at load and used later in callbacks. Those calls reach the objects above with nothing saying
// which frame made them, so the caller is read from the call stack: V8 lists the frames of
// every same-origin realm, and the first one outside shim.js made the call. Its script's URL
// (a page's inline code has the page's URL) is matched against the frames' addresses and
// script sources; V8 hides the realm (`getFunction`, `getThis`) of every frame below a strict
// one, and the shim is strict. A URL shown by two tabs leaves the call untagged. This runs only
// while a same-origin iframe is hosted (otherwise the page's own calls pay one comparison),
// once per call from outside (nested crossings see `caller` set), never for PyApm's own
// members.
export let framesSame = 0; // same-origin iframes in this page: their code can reach its objects
/** @type {Map<string, {tab: string | null, scan: Array<[Window, Document, number, number]>}>} */
const urlTabs = new Map(); // script URL -> {tab, scan: [[window, document, scripts, frames]]}

// The stack as V8's CallSites (`new Error()` is V8's cheapest capture; 14 frames reach past
// the deepest path through the shim).
const asSites = (/** @type {Error} */ _, /** @type {V8CallSite[]} */ sites) => sites;
/** @returns {V8CallSite[] | undefined} */
function callSites() {
  const prepare = Error.prepareStackTrace;
  const limit = Error.stackTraceLimit;
  Error.prepareStackTrace = asSites;
  Error.stackTraceLimit = 14;
  try {
    return /** @type {any} */ (new Error().stack); // prepared on this first read
  } finally {
    Error.prepareStackTrace = prepare;
    Error.stackTraceLimit = limit;
  }
}

function ownFile() {
  try {
    const sites = callSites();
    return Array.isArray(sites) && sites.length ? sites[0].getFileName() : null;
  } catch (_) {
    return null;
  }
}
const SHIM_FILE = typeof Error.captureStackTrace === "function" ? ownFile() : null; // V8 only

/** @param {string} method @returns {string | null} */
export function callingTab(method) {
  if (SHIM_FILE === null || method.startsWith("pyapm.") || method.startsWith("ui.")) return null;
  try {
    const sites = callSites();
    for (let i = 0; Array.isArray(sites) && i < sites.length; i++) {
      const file = sites[i].getFileName();
      // (a built-in such as Array.prototype.forEach has no line: the next site called it)
      if (file === SHIM_FILE || sites[i].getLineNumber() === null) continue;
      return file ? urlTab(file) : null; // no file: eval'd code (the console...): untagged
    }
  } catch (_) { /* a frame went away while we looked: untagged */ }
  return null;
}

// Every same-origin window under this one (this one first), as the workspace nests them.
export function sameOriginWindows() {
  /** @type {Window[]} */
  const found = [];
  /** @param {Window} w @param {number} depth */
  const walk = (w, depth) => {
    found.push(w);
    for (let i = 0; depth < 8 && i < w.frames.length; i++) {
      try {
        const f = w.frames[i];
        if (f.document) walk(f, depth + 1);
      } catch (_) { /* a cross-origin frame */ }
    }
  };
  walk(win, 0);
  return found;
}

// A script URL's tab, remembered with what was looked at: every same-origin window's document
// and its script and frame counts. A URL no frame shows (code run by a test driver, a console)
// is remembered too: looking again on every call cost several times the call itself.
/** @param {string} file @returns {string | null} */
function urlTab(file) {
  const url = file.split("#")[0];
  let known = urlTabs.get(url);
  if (known && known.scan.every(([w, doc, n, f]) =>
    !w.closed && w.document === doc && doc.scripts.length === n && w.frames.length === f)) {
    return known.tab;
  }
  known = { tab: null, scan: [] };
  const tabs = new Set();
  for (const w of sameOriginWindows()) {
    const doc = w.document;
    known.scan.push([w, doc, doc.scripts.length, w.frames.length]);
    let shows = doc.URL.split("#")[0] === url;
    for (let i = 0; !shows && i < doc.scripts.length; i++) shows = doc.scripts[i].src === url;
    if (shows) tabs.add(hostTab(w));
  }
  if (tabs.size === 1) known.tab = tabs.values().next().value; // else ambiguous or none: untagged
  urlTabs.set(url, known);
  return known.tab;
}

// Counted again after every change of the page's elements (a tab's iframe added or removed)
// and every iframe load (it may have gone to another origin); what frames show is forgotten.
// A frame's code runs only after its iframe was added: the observer has run by then.
/** @type {HTMLCollectionOf<HTMLIFrameElement> | null} */
let iframes = null; // live (no iframes in shadow roots)
function countFrames() {
  framesSame = 0;
  const list = /** @type {HTMLCollectionOf<HTMLIFrameElement>} */ (iframes);
  for (let i = 0; i < list.length; i++) if (list[i].contentDocument) framesSame++; // null: cross-origin
  urlTabs.clear();
}

/** Starts counting the same-origin iframes of the installed window's document (V8 only). */
export function watchFrames() {
  if (SHIM_FILE === null || !win.document) return; // (a global without a DOM has no frames)
  const document = win.document;
  iframes = document.getElementsByTagName("iframe");
  new win.MutationObserver(countFrames).observe(document, { childList: true, subtree: true });
  // (a load event never reaches the window: listen on the document)
  document.addEventListener("load", (ev) => {
    if (ev.target instanceof win.HTMLIFrameElement) countFrames();
  }, true);
}

// The same-origin frame whose realm made `fn` (null: this window or unknown), so a listener
// of a closed or navigated web resource frame can be dropped.
/** @param {Function} fn @returns {{frame: Window, root: object} | null} */
export function ownerFrame(fn) {
  let root = fn;
  for (let p = Object.getPrototypeOf(fn); p; p = Object.getPrototypeOf(p)) root = p;
  if (root === Object.prototype) return null;
  try {
    const frame = sameOriginWindows().find((w) => w !== win && w.Object.prototype === root);
    return frame ? { frame, root } : null;
  } catch (_) {
    return null; // a frame went to another origin while we looked
  }
}

/** @param {{frame: Window, root: object} | null} owner */
export function frameGone(owner) {
  if (owner === null) return false;
  try {
    return owner.frame.closed || owner.frame.Object.prototype !== owner.root;
  } catch (_) {
    return true; // navigated to another origin
  }
}
