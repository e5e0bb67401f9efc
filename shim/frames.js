// Same-origin frames (decision 21): which workspace tab hosts a frame, which tab a call comes
// from (a tab frame's `parent` read, else the call stack), and which frame a page listener
// belongs to.
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
// at load and used later in callbacks. A tab's frame is told by its `parent`: right after the
// workspace inserts a tab's iframe, its Window (still the initial about:blank one, which the
// browser keeps for the first same-origin document the iframe loads) gets an own `parent`
// accessor that notes "tab T read parent" (`pendingTab`, cleared by a microtask, so it never
// outlives the synchronous run that read it) and returns the real parent. The top's `Microsoft`
// and `Xrm` getters (bound.js) consume the note and hand out T's bound faces, whose calls carry
// T without reading any stack; reading `parent` costs nothing else.
//
// A frame that is not hooked (reloaded or navigated: a new Window; a tab iframe given its src
// after insertion; a frame nested in a tab's frame) calls the page's own objects: while one is
// hosted (`framesUnhooked`), the caller of a call through the page's objects is read from the
// call stack. V8 lists the frames of every same-origin realm, and the first one outside shim.js
// made the call. Its script's URL (a page's inline code has the page's URL) is matched against
// the frames' addresses and script sources; V8 hides the realm (`getFunction`, `getThis`) of
// every frame below a strict one, and the shim is strict. A URL shown by two tabs leaves the
// call untagged. This runs once per call from outside (nested crossings see `caller` set), never
// for PyApm's own members nor for unlogged property reads (wire.js `cachedGetter`).
export let framesUnhooked = 0; // same-origin windows of tabs whose calls only the stack tells
/** @type {Map<string, string | null>} */
const urlTabs = new Map(); // script URL -> its tab (null: none or two); cleared by `countFrames`

// ---- Hooked tab frames ---------------------------------------------------------------------
/** @type {string | null} */
let pendingTab = null; // the tab whose frame read `parent` in this synchronous run
let clearQueued = false;
const clearPending = () => {
  pendingTab = null;
  clearQueued = false;
};

/** The tab whose frame just read `parent` (null: none), consumed. @returns {string | null} */
export function takePending() {
  const tab = pendingTab;
  pendingTab = null;
  return tab;
}

/** @type {Map<string, () => Window | null>} */
const parentGetters = new Map(); // tab id -> the `parent` getter of its frames
/** @type {WeakSet<HTMLIFrameElement>} */
const navigating = new WeakSet(); // hooked iframes whose Window left (pagehide) until their load

/** @type {(this: Window) => Window | null} */
let nativeParent = function () { return win; }; // Window's own getter (watchFrames)

/** @param {string} tab @returns {() => Window | null} */
function parentGetter(tab) {
  let get = parentGetters.get(tab);
  if (get === undefined) {
    get = /** @this {Window} */ function () {
      const p = nativeParent.call(this); // the top (`parent === top` holds), null once detached
      if (p !== win) return p;
      pendingTab = tab;
      if (!clearQueued) {
        clearQueued = true;
        win.queueMicrotask(clearPending);
      }
      return p;
    };
    parentGetters.set(tab, get);
  }
  return get;
}

/** @param {Window} w @param {string} tab */
function isHooked(w, tab) {
  const d = Object.getOwnPropertyDescriptor(w, "parent");
  return d !== undefined && d.get === parentGetters.get(tab);
}

/** @param {HTMLIFrameElement} el @param {Window} w @param {string} tab @returns {boolean} */
function hook(el, w, tab) {
  const own = Object.getOwnPropertyDescriptor(w, "parent");
  if (own && !own.configurable) return false;
  Object.defineProperty(w, "parent", {
    configurable: true,
    enumerable: own ? own.enumerable : true,
    get: parentGetter(tab),
    // `parent` is [Replaceable]: an assignment replaces it with a data property
    set: (value) => {
      Object.defineProperty(w, "parent", { value, writable: true, enumerable: true, configurable: true });
    },
  });
  // A reload or navigation makes a new Window (unhooked): the stack tells its calls from now
  // on, until its load says whether the Window was kept (the first load from about:blank).
  w.addEventListener("pagehide", () => {
    if (navigating.has(el)) return;
    navigating.add(el);
    framesUnhooked++;
  });
  return true;
}

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

// Every same-origin window under `root` (`root` first), as the workspace nests them.
/** @param {Window} root */
export function sameOriginWindows(root) {
  /** @type {Window[]} */
  const found = [];
  /** @param {Window} w @param {number} depth */
  const walk = (w, depth) => {
    found.push(w);
    // A window being torn down (jsdom's, after its test) has no frames any more.
    const count = w.frames ? w.frames.length : 0;
    for (let i = 0; depth < 8 && i < count; i++) {
      try {
        const f = w.frames[i];
        if (f.document) walk(f, depth + 1);
      } catch (_) { /* a cross-origin frame */ }
    }
  };
  walk(root, 0);
  return found;
}

// A script URL's tab, remembered until a frame is added, removed or loaded, or a script or
// iframe element is added to or removed from a same-origin document (`countFrames`): then the
// frames are looked at again. A URL no frame shows (code run by a test driver, a console) is
// remembered too: looking again on every call cost several times the call itself.
/** @param {string} file @returns {string | null} */
function urlTab(file) {
  const url = file.split("#")[0];
  const known = urlTabs.get(url);
  if (known !== undefined) return known;
  const tabs = new Set();
  for (const w of sameOriginWindows(win)) {
    const doc = w.document;
    let shows = doc.URL.split("#")[0] === url;
    for (let i = 0; !shows && i < doc.scripts.length; i++) shows = doc.scripts[i].src === url;
    if (shows) tabs.add(hostTab(w));
  }
  const tab = tabs.size === 1 ? tabs.values().next().value ?? null : null; // two: ambiguous
  urlTabs.set(url, tab);
  return tab;
}

// Counted again after every change of the page's elements (a tab's iframe added or removed),
// every iframe load (it may have gone to another origin, or be a new Window), and every change
// of a tab frame's iframes; what frames show is forgotten. A frame's code runs only after its
// iframe was added: the observer has run by then, and hooked its Window.
/** @type {HTMLCollectionOf<HTMLIFrameElement> | null} */
let iframes = null; // live (no iframes in shadow roots)
function countFrames() {
  let unhooked = 0;
  const list = /** @type {HTMLCollectionOf<HTMLIFrameElement>} */ (iframes);
  for (let i = 0; i < list.length; i++) {
    const el = list[i];
    const tab = el.getAttribute("data-tab-id");
    if (!tab || !el.contentDocument) continue; // no tab: untagged whoever calls; cross-origin
    const w = /** @type {Window} */ (el.contentWindow);
    if (isHooked(w, tab)) {
      if (navigating.has(el)) unhooked++;
    } else if (w.document.URL === "about:blank" && !navigating.has(el)) {
      if (!hook(el, w, tab)) unhooked++; // no code of the frame ran yet: the Window its document keeps
    } else {
      unhooked++;
    }
    unhooked += sameOriginWindows(w).length - 1; // nested frames: their calls pass through the page's objects
  }
  framesUnhooked = unhooked;
  urlTabs.clear();
  watchDocuments();
}

// What a frame's document shows changes when a script or iframe element comes or goes (an
// iframe's load is seen by the load listener of its document): each same-origin document is
// watched once, so that a call checks nothing but a count and the Map.
/** @type {WeakSet<Document>} */
const watched = new WeakSet();
/** @param {Node} node */
const shows = (node) => node.nodeType === 1 && (/** @type {Element} */ (node).matches("script, iframe") ||
  /** @type {Element} */ (node).querySelector("script, iframe") !== null);
/** @param {MutationRecord[]} records */
function changed(records) {
  for (const r of records) {
    for (const n of r.addedNodes) if (shows(n)) return countFrames();
    for (const n of r.removedNodes) if (shows(n)) return countFrames();
  }
}
function watchDocuments() {
  for (const w of sameOriginWindows(win)) {
    const doc = w.document;
    if (w === win || watched.has(doc)) continue;
    watched.add(doc);
    new win.MutationObserver(changed).observe(doc, { childList: true, subtree: true });
    doc.addEventListener("load", (ev) => {
      if (/** @type {Element} */ (ev.target).localName === "iframe") countFrames(); // a nested frame
    }, true);
  }
}

/** Starts counting (and hooking) the same-origin iframes of the installed window's document (V8 only). */
export function watchFrames() {
  if (SHIM_FILE === null || !win.document) return; // (a global without a DOM has no frames)
  const document = win.document;
  const own = Object.getOwnPropertyDescriptor(win, "parent");
  if (own && own.get) nativeParent = own.get;
  iframes = document.getElementsByTagName("iframe");
  new win.MutationObserver(countFrames).observe(document, { childList: true, subtree: true });
  // (a load event never reaches the window: listen on the document)
  document.addEventListener("load", (ev) => {
    if (!(ev.target instanceof win.HTMLIFrameElement)) return;
    navigating.delete(ev.target);
    countFrames();
  }, true);
  countFrames();
}

// The same-origin frame whose realm made `fn` (null: this window or unknown), so a listener
// of a closed or navigated web resource frame can be dropped.
/** @param {Function} fn @returns {{frame: Window, root: object} | null} */
export function ownerFrame(fn) {
  let root = fn;
  for (let p = Object.getPrototypeOf(fn); p; p = Object.getPrototypeOf(p)) root = p;
  if (root === Object.prototype) return null;
  try {
    const frame = sameOriginWindows(win).find((w) => w !== win && w.Object.prototype === root);
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
