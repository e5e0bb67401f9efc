// py-apm-emulator/node: py-apm in Node (Jest, Vitest, scripts).
/// <reference path="../types/pyapm.d.ts" />

export interface CreateApmOptions {
  /** Where Microsoft.Apm, Microsoft.AppRuntime, Xrm.App.sessions and PyApm go (default globalThis; a jsdom window works). */
  global?: object;
  /** PyApm.configure options applied before ready: an object, or a JSON file path. */
  config?: PyApm.Options | string;
  /** Boot from the Node memory snapshot, built once per machine when missing (default true). */
  snapshot?: boolean;
}

export interface NodeApm {
  /** The installed PyApm (ready). */
  readonly PyApm: PyApm.Api;
  /** The global the faces were installed on. */
  readonly global: object;
  /** ms from createApm() to ready. */
  readonly bootTimeMs: number;
  /** Whether the boot used the Node memory snapshot. */
  readonly bootedFromSnapshot: boolean;
  /** PyApm.reset: a fresh workspace (keeps the options unless `restoreDefaults`). */
  reset(options?: PyApm.Options): void;
  /** Removes what createApm defined on the global. */
  close(): Promise<void>;
}

/** Boots py-apm in this process and installs its faces on `options.global`. */
export function createApm(options?: CreateApmOptions): Promise<NodeApm>;
