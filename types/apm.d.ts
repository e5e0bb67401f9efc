/**
 * Typings for the Dynamics 365 workspace session API as py-apm emulates it, for production code:
 * `Microsoft.Apm`, `Microsoft.AppRuntime.Sessions` and `Xrm.App.sessions`.
 *
 * Return contract (py-apm's default, the workspace runtime's): actions return Promises
 * (`createSession`/`createTab` of the new id, `close`/`closeTab` of a boolean, `focus`/`refresh`
 * of `undefined`, `updateContext` of the context), everything else returns its value at once.
 * A failed action rejects with an `Error` carrying a numeric `errorCode`
 * (`Microsoft.Apm.ApmError`). Pages configured with `returns: "documented"` get the synchronous
 * values of the reference text instead: type that face as `Microsoft.Apm.DocumentedApi`.
 *
 * Use: `"types": ["py-apm"]` (or a triple-slash reference to this file) in a web resource's
 * tsconfig. Everything is global, as in the workspace: `Microsoft.Apm` in the page,
 * `window.parent.Microsoft.Apm` from a web resource in a tab.
 */

declare namespace Microsoft {
  /** The app profile manager API of the multisession workspace. */
  const Apm: Apm.Api;

  namespace Apm {
    /** A context bag: a `Map`, a plain object, or a JSON text of an object. */
    type ContextInput = Map<string, unknown> | { readonly [key: string]: unknown } | string;

    /** `createSession` input. `sessionContext` key `parametersStr` holds the anchor tab's
     * parameters as JSON text of `[name, value]` pairs; other keys become context values. */
    interface SessionInput {
      /** Unique name of a session template. */
      templateName: string;
      sessionContext?: ContextInput;
      /** Focus the new session (default true). */
      isFocused?: boolean;
    }

    /** `createTab` input. */
    interface AppTabInput {
      /** Unique name of an application tab template. */
      templateName: string;
      /** Template parameters (`entityName`, `entityId`, `data`, `webresourceName`, ...). */
      appContext?: ContextInput;
      /** Focus the new tab (default true). */
      isFocused?: boolean;
    }

    /** The API object: `Microsoft.Apm`. */
    interface Api {
      getFocusedSession(): Session;
      /** Session ids, Home first, then in creation order. */
      getAllSessions(): string[];
      /** The session, or null for an unknown or closed id. */
      getSession(sessionId: string): Session | null;
      /** Resolves to the new session's id; rejects (409) when 10 sessions are open. */
      createSession(input: SessionInput, correlationId?: string): Promise<string>;
      canCreateSession(): boolean;
      /** Creates a tab in the focused session; resolves to its id. */
      createTab(input: AppTabInput, correlationId?: string): Promise<string>;
      /** Closes a tab of the focused session: true closed, false refused (anchor tab). */
      closeTab(tabId: string): Promise<boolean>;
      focusTab(tabId: string): Promise<void>;
      refreshTab(tabId: string): Promise<void>;
      /** The BroadcastChannel name on which the event's data is posted. */
      getEventPublisherTopic(eventName: EventName): string;
    }

    /** A session object. `title` and `canClose` are live properties (settable). */
    interface Session {
      readonly sessionId: string;
      /** True for the Home session. */
      readonly isDefault: boolean;
      title: string;
      /** A property, not a method. false only hides the close button. */
      canClose: boolean;
      /** true: closed; false: refused (the Home session). */
      close(correlationId?: string): Promise<boolean>;
      focus(): Promise<void>;
      /** Shows the session's notification indicator; focus does not move. */
      requestFocus(): void;
      getFocusedTab(): Tab;
      /** The tab, or null when it is not a tab of this session. */
      getTab(tabId: string): Tab | null;
      /** Tab ids, anchor first, then in creation order. */
      getAllTabs(): string[];
      canCreateTab(): boolean;
      /** Merges into the session context; resolves to the context. */
      updateContext(input: ContextInput): Promise<SessionContext>;
      /** Resolves `{slug}`s against the session context and anchor record ("" when unknown). */
      resolveSlug(slug: string): string;
      getContext(): Promise<SessionContext>;
      /** Creates a tab in this session; resolves to its id. */
      createTab(input: AppTabInput): Promise<string>;
      /** Ids of this session's tabs made from a template. */
      getAllTabsForTemplate(templateName: string): Promise<string[]>;
    }

    /** An application tab object. `title` and `canClose` are live properties (settable). */
    interface Tab {
      readonly tabId: string;
      title: string;
      /** A property, not a method. false only hides the close button. */
      canClose: boolean;
      /** true: closed; false: refused (an anchor tab). */
      close(): Promise<boolean>;
      focus(): Promise<void>;
      refresh(): Promise<void>;
    }

    /** What `session.getContext()` resolves to. */
    interface SessionContext {
      /** The session template's unique name (null for Home). */
      readonly templateName: string | null;
      /** All context values (strings). */
      readonly parameters: { readonly [key: string]: string };
      get(key: string): string | undefined;
      has(key: string): boolean;
      /** Writes through to the session context. */
      set(key: string, value: unknown): SessionContext;
      /** Deletes a context value; true when it existed. */
      delete(key: string): boolean;
      /** A tab's parameters (`"anchor"` means the anchor tab), or null for another id. */
      getTabContext(tabIdOrAnchor: string): TabContext | null;
      resolveSlug(slug: string): Promise<string>;
    }

    /** A tab's resolved template parameters; `data` is parsed when it is JSON of an object. */
    interface TabContext {
      readonly [parameter: string]: unknown;
      readonly entityName?: string;
      readonly entityId?: string;
      readonly data?: string | { readonly [key: string]: unknown } | unknown[];
    }

    type EventName = keyof EventDataMap;

    /** `data` of the message posted on each event's BroadcastChannel. */
    interface EventDataMap {
      ON_SESSION_SWITCH: SessionSwitchEventData;
      ON_SESSION_CLOSED: SessionClosedEventData;
      ON_TAB_SWITCH: TabSwitchEventData;
    }

    interface SessionSwitchEventData {
      readonly previousSessionId: string | null;
      readonly newSessionId: string;
    }

    interface SessionClosedEventData {
      readonly sessionId: string;
    }

    interface TabSwitchEventData {
      readonly previousSessionId: string | null;
      readonly previousTabId: string | null;
      readonly sessionId: string;
      readonly tabId: string;
    }

    /** The message a subscriber of `getEventPublisherTopic(name)` receives. */
    type EventMessage<E extends EventName> = MessageEvent<EventDataMap[E]>;

    /**
     * What every failure throws or rejects with: 400 bad argument, 404 unknown or closed id,
     * 409 limit reached, 412 called before py-apm is ready, 422 bad configuration,
     * 500 a py-apm bug. The message names the member and the argument.
     */
    interface ApmError extends Error {
      readonly errorCode: number;
    }

    /** `returns: "documented"`: the reference text's synchronous contract. */
    interface DocumentedApi
      extends Omit<Api, "getFocusedSession" | "getSession" | "createSession" | "createTab" | "closeTab" | "focusTab" | "refreshTab"> {
      getFocusedSession(): DocumentedSession;
      getSession(sessionId: string): DocumentedSession | null;
      createSession(input: SessionInput): string;
      createTab(input: AppTabInput): string;
      closeTab(tabId: string): void;
      focusTab(tabId: string): void;
      refreshTab(tabId: string): void;
    }

    interface DocumentedSession
      extends Omit<Session, "close" | "focus" | "getFocusedTab" | "getTab" | "updateContext" | "createTab"> {
      close(): void;
      focus(): void;
      getFocusedTab(): DocumentedTab;
      getTab(tabId: string): DocumentedTab | null;
      updateContext(input: ContextInput): void;
      createTab(input: AppTabInput): string;
    }

    interface DocumentedTab extends Omit<Tab, "close" | "focus" | "refresh"> {
      close(): void;
      focus(): void;
      refresh(): void;
    }
  }

  /** The runtime object behind `Microsoft.Apm` (same workspace, same session objects). */
  namespace AppRuntime {
    const Sessions: Sessions;

    /** Receives the runtime's event context (its shape is the runtime's, not py-apm's). */
    type SessionEventHandler = (context?: any) => unknown;

    interface Sessions {
      create(input: Apm.SessionInput, correlationId?: string): Promise<string>;
      getSession(sessionId: string, correlationId?: string): Apm.Session | null;
      getFocusedSession(correlationId?: string): Apm.Session;
      canCreateSession(correlationId?: string): boolean;
      /** Session ids, Home first. */
      getAll(correlationId?: string): string[];
      /** Returns a handler id for the matching `remove…` member. */
      addOnAfterSessionCreate(handler: SessionEventHandler): string;
      removeOnAfterSessionCreate(handlerId: string): void;
      addOnAfterSessionClose(handler: SessionEventHandler): string;
      removeOnAfterSessionClose(handlerId: string): void;
      addOnAfterSessionSwitch(handler: SessionEventHandler): string;
      removeOnAfterSessionSwitch(handlerId: string): void;
    }
  }
}

/** The Xrm client API's `Xrm.App.sessions`, as py-apm provides it (other members of `Xrm` are
 * not py-apm's: it extends an `Xrm` another mock has set rather than replacing it). */
declare namespace Xrm {
  interface XrmStatic {
    App: App;
  }

  interface App {
    sessions: App.Sessions;
  }

  namespace App {
    type SessionEventHandler = (context?: any) => unknown;

    /** A read-only collection, as Xrm's `Collection.ItemCollection`. */
    interface ItemCollection<T> {
      get(): T[];
      get(index: number | string): T | null;
      getLength(): number;
      forEach(callback: (item: T, index: number) => void): void;
    }

    /** Page types of the pages py-apm knows. */
    type PageInput =
      | { pageType: "entityrecord"; entityName: string; entityId?: string; formId?: string; data?: unknown }
      | { pageType: "entitylist"; entityName: string; viewId?: string }
      | { pageType: "dashboard"; dashboardId?: string }
      | { pageType: "search"; searchText?: string; searchType?: number }
      | { pageType: "webresource"; webresourceName: string; data?: string }
      | { pageType: "control"; controlName: string; data?: string }
      | { pageType: "custom"; name: string; entityName?: string; recordId?: string };

    interface TabOptions {
      canBeClosed?: boolean;
      title?: string;
      iconPath?: string;
      isFocused?: boolean;
    }

    interface TabInput {
      pageInput: PageInput;
      options?: TabOptions;
    }

    interface Sessions {
      getSession(sessionId: string): Session | null;
      getFocusedSession(): Session;
      canCreateSession(): boolean;
      getAll(): ItemCollection<Session>;
      addOnBeforeSessionSwitch(handler: SessionEventHandler): string;
      removeOnBeforeSessionSwitch(handlerId: string): void;
      addOnAfterSessionSwitch(handler: SessionEventHandler): string;
      removeOnAfterSessionSwitch(handlerId: string): void;
      addOnAfterSessionClose(handler: SessionEventHandler): string;
      removeOnAfterSessionClose(handlerId: string): void;
      addOnAfterSessionCreate(handler: SessionEventHandler): string;
      removeOnAfterSessionCreate(handlerId: string): void;
    }

    interface Session {
      readonly sessionId: string;
      readonly isDefault: boolean;
      title: string;
      canClose: boolean;
      readonly tabs: Tabs;
      focus(): Promise<void>;
      requestFocus(): void;
      close(): Promise<boolean>;
    }

    interface Tabs {
      getTab(tabId: string): Tab | null;
      getFocusedTab(): Tab;
      canCreateTab(): boolean;
      createTab(input: TabInput): Promise<string>;
      getAll(): ItemCollection<Tab>;
    }

    interface Tab {
      readonly tabId: string;
      title: string;
      canClose: boolean;
      focus(): void | Promise<void>;
      close(): Promise<boolean>;
      refresh(): Promise<void>;
    }
  }
}

declare var Xrm: Xrm.XrmStatic;

interface Window {
  /** `window.parent.Microsoft.Apm` from a web resource in a workspace tab. */
  Microsoft: typeof Microsoft;
  Xrm: Xrm.XrmStatic;
}
