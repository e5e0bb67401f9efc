/**
 * Typings for `window.PyApm`, py-apm's test-control API (never part of `Microsoft.Apm`): for
 * test code, next to `apm.d.ts` for the code under test.
 */

/// <reference path="./apm.d.ts" />

declare namespace PyApm {
  type PageType =
    | "dashboard"
    | "entitylist"
    | "entityrecord"
    | "search"
    | "thirdpartywebsite"
    | "webresource"
    | "custom"
    | "control";

  /** A session template, as in the configuration file. */
  interface SessionTemplate {
    uniqueName: string;
    name?: string;
    description?: string;
    /** "Entity" (needs `entity`) or "Generic" (needs `anchorTab`). */
    type?: "Entity" | "Generic" | "entity" | "generic";
    entity?: string;
    anchorTab?: string;
    /** Title with slugs, e.g. "{anchor.ticketnumber} {anchor.title}". */
    title?: string;
    additionalTabs?: string[];
    applySessionTitleToAnchorTab?: boolean;
    communicationPanelMode?: unknown;
  }

  /** An application tab template, as in the configuration file. */
  interface TabTemplate {
    uniqueName: string;
    name?: string;
    description?: string;
    /** A page type by its display name ("Web resource") or key ("webresource"). */
    pageType: string;
    title?: string;
    parameters?: { [name: string]: string | number | boolean | null | object };
  }

  /** `PyApm.configure(...)` / `reset(...)` options; a bad set is refused as a whole (422). */
  interface Options {
    /** Start from the defaults instead of the current options. */
    restoreDefaults?: boolean;
    /** "runtime" (default): actions return Promises; "documented": synchronous values. */
    returns?: "runtime" | "documented";
    /** Former name of the Promise contract; still accepted. */
    legacyPromises?: boolean;
    /** Unknown template names throw 422 instead of making a generic session or tab. */
    strictTemplates?: boolean;
    /** The record store for `{anchor.<attribute>}` slugs: entity -> id -> attributes. */
    records?: { [entityName: string]: { [recordId: string]: { [attribute: string]: unknown } } };
    sessionTemplates?: SessionTemplate[] | { [uniqueName: string]: Omit<SessionTemplate, "uniqueName"> };
    tabTemplates?: TabTemplate[] | { [uniqueName: string]: Omit<TabTemplate, "uniqueName"> };
    /** How many entries `calls()` keeps (1 to 1,000,000; default 10,000). */
    callLogLimit?: number;
  }

  /** What `configure` returns: the effective options. */
  interface EffectiveOptions {
    readonly returns?: "runtime" | "documented";
    readonly legacyPromises: boolean;
    readonly strictTemplates: boolean;
    readonly sessionTemplates: string[];
    readonly tabTemplates: string[];
    /** Records per entity. */
    readonly records: { readonly [entityName: string]: number };
    readonly callLogLimit: number;
  }

  interface TabState {
    readonly tabId: string;
    readonly title: string;
    readonly canClose: boolean;
    readonly isAnchor: boolean;
    readonly templateName: string | null;
    readonly pageType: PageType;
    /** Resolved parameters (slugs substituted). */
    readonly parameters: { readonly [name: string]: string };
    /** Set for third-party website and web resource tabs. */
    readonly url: string | null;
    readonly refreshCount: number;
  }

  interface SessionState {
    readonly sessionId: string;
    readonly title: string;
    readonly isDefault: boolean;
    readonly canClose: boolean;
    readonly templateName: string | null;
    readonly focusedTabId: string;
    readonly anchorTabId: string;
    /** The indicator set by `requestFocus()`. */
    readonly notification: boolean;
    readonly context: { readonly [key: string]: string };
    /** In strip order, anchor first. */
    readonly tabs: TabState[];
  }

  /** `PyApm.state()`: the whole workspace as plain JSON. */
  interface State {
    readonly revision: number;
    readonly focusedSessionId: string;
    /** In panel order, Home first. */
    readonly sessions: SessionState[];
  }

  /** One `PyApm.calls()` entry (property writes and every method call). */
  interface CallEntry {
    readonly seq: number;
    /** Bridge member name: "createSession", "session.close", "tab.setTitle", ... */
    readonly method: string;
    readonly origin: "api" | "ui";
    readonly args: unknown[];
    readonly result: unknown;
    readonly error: { readonly errorCode: number; readonly message: string } | null;
    readonly refused: boolean;
    readonly reason: string | null;
    readonly warning: string | null;
  }

  interface ChangeEvent<E extends Microsoft.Apm.EventName = Microsoft.Apm.EventName> {
    readonly name: E;
    readonly topic: string;
    readonly data: Microsoft.Apm.EventDataMap[E];
  }

  /** What `onChange` listeners (and the `pyapm:change` window event) receive. */
  interface ChangePayload {
    readonly revision: number;
    readonly reset: boolean;
    readonly events: { [E in Microsoft.Apm.EventName]: ChangeEvent<E> }[Microsoft.Apm.EventName][];
    /** User-visible messages, e.g. "Maximum sessions reached. ..." */
    readonly notices: string[];
    readonly warnings: string[];
  }

  /** Milliseconds since navigation start at each boot phase. */
  interface BootPhases {
    readonly start?: number;
    readonly runtime?: number;
    readonly unpacked?: number;
    readonly imported?: number;
    readonly ready?: number;
  }

  /** What a click in the workspace page does. */
  interface UI {
    focusSession(sessionId: string): void;
    closeSession(sessionId: string): void;
    focusTab(tabId: string): void;
    closeTab(tabId: string): void;
  }

  /** Where shim.js loads its parts from (from its script tag attributes). */
  interface Settings {
    readonly pyodideURL: string;
    readonly packageURL: string;
    readonly configURL: string | null;
    readonly configOptional: boolean;
    readonly snapshotURL: string | null;
  }

  interface Api {
    /** Resolves once Python is loaded; rejects with an Error when boot fails. */
    readonly ready: Promise<Api>;
    readonly isReady: boolean;
    /** Navigation start to ready, in ms (null until ready). */
    readonly bootTimeMs: number | null;
    readonly bootPhases: BootPhases;
    /** true when Python came from the memory snapshot (null until known). */
    readonly bootedFromSnapshot: boolean | null;
    /** py-apm's version (null until ready). */
    readonly version: string | null;
    readonly settings: Settings;
    /** A fresh workspace (Home only, counters at 0), in milliseconds; keeps the options. */
    reset(options?: Options): void;
    configure(options: Options): EffectiveOptions;
    state(): State;
    calls(): CallEntry[];
    /** Re-reads `{anchor.*}` values from the record store (the macro action). */
    refreshContext(sessionId: string): void;
    /** Returns the unsubscribe function. */
    onChange(listener: (payload: ChangePayload) => void): () => void;
    readonly ui: UI;
  }
}

declare var PyApm: PyApm.Api;

interface Window {
  PyApm: PyApm.Api;
}

interface WindowEventMap {
  "pyapm:change": CustomEvent<PyApm.ChangePayload>;
}
