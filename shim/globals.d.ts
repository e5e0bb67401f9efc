// What the shim uses beyond TypeScript's DOM library: V8's stack API (frames.js) and the globals
// it installs on a window.

interface V8CallSite {
  getFileName(): string | null;
  getLineNumber(): number | null;
}

interface ErrorConstructor {
  /** V8: formats `error.stack` from its call sites. */
  prepareStackTrace?: (error: Error, sites: V8CallSite[]) => unknown;
  /** V8: how many call sites `error.stack` keeps. */
  stackTraceLimit: number;
  /** V8 only (absent elsewhere). */
  captureStackTrace?: (target: object, below?: Function) => void;
}

interface Window {
  Object: ObjectConstructor;
  Microsoft?: any;
  Xrm?: any;
  PyApm?: any;
}
