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
// members nor for unlogged property reads (wire.js `cachedGetter`).
export let framesSame = 0; // same-origin iframes in this page: their code can reach its objects
/** @type {Map<string, string | null>} */
const urlTabs = new Map(); // script URL -> its tab (null: none or two); cleared by `forget`

// The stack is read with one `Error.captureStackTrace` on a reused holder, its `stack` prepared
// into the one file name wanted (no CallSite array handed back, no string formatted). Under
// DevTools or Playwright (the inspector asks V8 for detailed traces) any capture costs a few µs
// whatever the limit: 14 frames reach past the deepest path through the shim.
/** @type {{stack?: unknown}} */
const holder = {};
/** The first site's file (`ownFile`). @param {Error} _ @param {V8CallSite[]} sites */
const firstFile = (_, sites) => (sites.length ? sites[0].getFileName() : null);
/** The caller's file: the first site outside shim.js; "" when it has none (eval'd code).
 * @param {Error} _ @param {V8CallSite[]} sites */
const callerFile = (_, sites) => {
  for (let i = 0; i < sites.length; i++) {
    const file = sites[i].getFileName();
    // (a built-in such as Array.prototype.forEach has no line: the next site called it)
    if (file === SHIM_FILE || sites[i].getLineNumber() === null) continue;
    return file || "";
  }
  return "";
};

/** `prepare`'s result for the stack below `below` (excluded).
 * @param {(e: Error, sites: V8CallSite[]) => unknown} prepare @param {Function} below */
function readStack(prepare, below) {
  const saved = Error.prepareStackTrace;
  const limit = Error.stackTraceLimit;
  Error.prepareStackTrace = prepare;
  Error.stackTraceLimit = 14;
  try {
    /** @type {NonNullable<ErrorConstructor["captureStackTrace"]>} */ (Error.captureStackTrace)(holder, below);
    return holder.stack; // prepared on this first read
  } finally {
    Error.prepareStackTrace = saved;
    Error.stackTraceLimit = limit;
    holder.stack = undefined;
  }
}

function ownFile() {
  try {
    const file = readStack(firstFile, ownFile);
    return typeof file === "string" ? file : null;
  } catch (_) {
    return null;
  }
}
const SHIM_FILE = typeof Error.captureStackTrace === "function" ? ownFile() : null; // V8 only

/** @param {string} method @returns {string | null} */
export function callingTab(method) {
  if (SHIM_FILE === null || method.startsWith("pyapm.") || method.startsWith("ui.")) return null;
  try {
    const file = readStack(callerFile, callingTab);
    return typeof file === "string" && file ? urlTab(file) : null; // no file: the console...
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

// A script URL's tab, remembered until a frame is added, removed or loaded, or a script or
// iframe element is added to or removed from a same-origin document (`forget`): then the
// frames are looked at again. A URL no frame shows (code run by a test driver, a console) is
// remembered too: looking again on every call cost several times the call itself.
/** @param {string} file @returns {string | null} */
function urlTab(file) {
  const url = file.split("#")[0];
  const known = urlTabs.get(url);
  if (known !== undefined) return known;
  const tabs = new Set();
  for (const w of sameOriginWindows()) {
    const doc = w.document;
    let shows = doc.URL.split("#")[0] === url;
    for (let i = 0; !shows && i < doc.scripts.length; i++) shows = doc.scripts[i].src === url;
    if (shows) tabs.add(hostTab(w));
  }
  const tab = tabs.size === 1 ? tabs.values().next().value ?? null : null; // two: ambiguous
  urlTabs.set(url, tab);
  watchDocuments();
  return tab;
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

// What a frame's document shows changes when a script or iframe element comes or goes (an
// iframe's load is seen by the load listener of its document): each same-origin document
// looked at by `urlTab` is watched once, so that a call checks nothing but the Map.
/** @type {WeakSet<Document>} */
const watched = new WeakSet();
/** @param {Node} node */
const shows = (node) => node.nodeType === 1 && (/** @type {Element} */ (node).matches("script, iframe") ||
  /** @type {Element} */ (node).querySelector("script, iframe") !== null);
/** @param {MutationRecord[]} records */
function changed(records) {
  for (const r of records) {
    for (const n of r.addedNodes) if (shows(n)) return urlTabs.clear();
    for (const n of r.removedNodes) if (shows(n)) return urlTabs.clear();
  }
}
function watchDocuments() {
  for (const w of sameOriginWindows()) {
    const doc = w.document;
    if (w === win || watched.has(doc)) continue;
    watched.add(doc);
    new win.MutationObserver(changed).observe(doc, { childList: true, subtree: true });
    doc.addEventListener("load", (ev) => {
      if (/** @type {Element} */ (ev.target).localName === "iframe") urlTabs.clear(); // a nested frame
    }, true);
  }
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
