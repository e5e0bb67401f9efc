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
 * Use: `"types": ["py-apm-emulator"]` (or a triple-slash reference to this file) in a web resource's
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

  /** The runtime object behind `Microsoft.Apm` (AppRuntimeClientSdk): the same workspace. The
   * members py-apm emulates; the others (notifications, KPI and activity indicators, org
   * templates) are absent here and refused at run time with errorCode 501. */
  namespace AppRuntime {
    const Sessions: Sessions;
    const Internal: Internal;

    interface Sessions {
      create(input: SessionInput, correlationId?: string): Promise<string>;
      getSession(sessionId: string, correlationId?: string): Session | null;
      getFocusedSession(correlationId?: string): Session;
      canCreateSession(correlationId?: string): boolean;
      /** Session ids, Home first. */
      getAll(correlationId?: string): string[];
      /** Each returns a handler id for the matching `remove…` member. */
      addOnAfterSessionCreate(handler: Xrm.App.SessionEventHandler): string;
      removeOnAfterSessionCreate(handlerId: string): void;
      addOnAfterSessionClose(handler: Xrm.App.SessionEventHandler): string;
      removeOnAfterSessionClose(handlerId: string): void;
      addOnAfterSessionSwitch(handler: Xrm.App.SessionEventHandler): string;
      removeOnAfterSessionSwitch(handlerId: string): void;
      /** Fires on every tab switch with the newly visible tab's page input. */
      addOnContextChange(handler: (event: ContextChangeEvent) => unknown): string;
      removeOnContextChange(handlerId: string): void;
      addOnSessionRefresh(handler: (event: SessionRefreshEvent) => unknown): string;
      removeOnSessionRefresh(handlerId: string): void;
      /** Re-reads the focused session's `{anchor.*}` values; resolves its id. A template name or
       * template parameters are refused (501). */
      refreshSession(
        skipCreateAdditionalTabs?: boolean,
        sessionTemplateName?: string,
        templateParameters?: Map<string, string>,
        skipUpdateTitle?: boolean,
        eventSource?: string,
      ): Promise<string>;
      registrySessionStatePersistence(
        id: string,
        getValueFunc: () => string,
        restoreValueFunc: (value: string) => void,
      ): void;
      cacheSessionState(sessionId: string): void;
      restoreSessionState(sessionId: string): void;
      removeSessionState(sessionId?: string): void;
    }

    interface SessionInput extends Apm.SessionInput {
      /** Accepted; py-apm shows no confirmation dialog. */
      confirmBeforeClose?: boolean;
    }

    interface ContextChangeEvent {
      readonly eventType: "TabSwitch";
      readonly context: Xrm.App.PageInput;
    }

    interface SessionRefreshEvent {
      readonly eventType: "SessionRefresh";
      readonly sessionId: string;
    }

    /** What a session shows on this face and on `Xrm.App.sessions` alike. */
    interface SessionBase {
      readonly sessionId: string;
      readonly isDefault: boolean;
      title: string;
      canClose: boolean;
      /** Always "" (py-apm shows no icons). */
      readonly iconPath: string;
      readonly iconTitle: string;
      focus(): Promise<void>;
      requestFocus(): void;
    }

    /** A session of this face: its actions always return Promises. */
    interface Session extends SessionBase {
      close(correlationId?: string): Promise<boolean>;
      canCreateTab(): boolean;
      getFocusedTab(correlationId?: string): Tab;
      getTab(tabId: string): Tab | null;
      createTab(input: Apm.AppTabInput): Promise<string>;
      getAllTabs(): string[];
      getAllTabsForTemplate(templateName?: string): Promise<string[]>;
      getContext(): Promise<Apm.SessionContext>;
      /** Merges `input`; with `isDelete` true removes its keys instead. */
      updateContext(input: Apm.ContextInput, isDelete?: boolean): Promise<Apm.SessionContext>;
      setTitleAndInitials(title: string): void;
    }

    interface Tab {
      readonly tabId: string;
      title: string;
      canClose: boolean;
      focus(): void;
      close(): Promise<boolean>;
      refresh(): Promise<void>;
    }

    interface Internal {
      /** A page tab in the focused session (as Xrm's `tabs.createTab`). */
      createTab(input: Xrm.App.TabInput): Promise<string>;
      /** The three event names mapped to their BroadcastChannel topics. */
      getAPMRuntimeTopics(): Map<Apm.EventName, string>;
      publishTopic(topicName: string, correlationId?: string): { postMessage(message: unknown): void; close(): void };
      subscribeTopic(
        subscriberName: string,
        topicName: string,
        callback: (message: unknown) => void,
        correlationId?: string,
      ): { close(): void };
      telemetryLogInfo(message: string, telemetryData?: unknown): void;
      telemetryLogWarning(message: string, telemetryData?: unknown): void;
      telemetryLogError(message: string, telemetryData?: unknown, shouldBubbletoHost?: boolean): void;
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
    /** Receives Xrm's EventContext; the event's data is `getEventArgs()._inputArguments`. */
    type SessionEventHandler = (context: EventContext) => unknown;

    interface EventContext {
      getEventArgs(): {
        /** `{sessionId}` (session create/close), `{previousSessionId, newSessionId}` (session
         * switch), `{sessionId, tabId}` (tab create/close), the ON_TAB_SWITCH data (tab switch). */
        readonly _inputArguments: { readonly [name: string]: string | null };
        getInputArguments(): { readonly [name: string]: string | null };
      };
      getEventSource(): unknown;
      getDepth(): number;
      getSharedVariable(key: string): unknown;
      setSharedVariable(key: string, value: unknown): void;
    }

    /** Xrm's `Collection.ItemCollection`. */
    interface ItemCollection<T> {
      get(): T[];
      /** By index or id; null when there is none. */
      get(indexOrId: number | string): T | null;
      get(filter: (item: T, index: number) => boolean): T[];
      getLength(): number;
      forEach(callback: (item: T, index: number) => void): void;
    }

    /** The page types py-apm opens in tabs (other parameters are kept as tab parameters). */
    type PageInput =
      | { pageType: "entityrecord"; entityName: string; entityId?: string; formId?: string; data?: unknown; [parameter: string]: unknown }
      | { pageType: "entitylist"; entityName: string; viewId?: string; [parameter: string]: unknown }
      | { pageType: "dashboard"; dashboardId?: string; [parameter: string]: unknown }
      | { pageType: "search"; searchText?: string; searchType?: number; [parameter: string]: unknown }
      | { pageType: "webresource"; webresourceName: string; data?: string; [parameter: string]: unknown }
      | { pageType: "control"; controlName: string; data?: unknown; [parameter: string]: unknown }
      | { pageType: "custom"; name: string; entityName?: string; recordId?: string; [parameter: string]: unknown };

    interface TabOptions {
      canBeClosed?: boolean;
      title?: string;
      iconPath?: string;
      isFocused?: boolean;
    }

    interface SessionOptions extends TabOptions {
      /** Shows the session's notification indicator. */
      isFocusRequested?: boolean;
    }

    interface TabInput {
      pageInput: PageInput;
      options?: TabOptions;
    }

    interface SessionInput {
      pageInput: PageInput;
      options?: SessionOptions;
    }

    interface Sessions {
      getSession(sessionId: string): Session | null;
      getFocusedSession(): Session;
      canCreateSession(): boolean;
      /** An entity record opens in its entity's session template; other pages anchor a new
       * session. Resolves to the id. */
      createSession(input: SessionInput): Promise<string>;
      getAll(): ItemCollection<Session>;
      /** Each returns a handler id for the matching `remove…` member. "Before" handlers run
       * after the change too (py-apm applies it in one step), before the "After" ones. */
      addOnBeforeSessionCreate(handler: SessionEventHandler): string;
      removeOnBeforeSessionCreate(handlerId: string): void;
      addOnAfterSessionCreate(handler: SessionEventHandler): string;
      removeOnAfterSessionCreate(handlerId: string): void;
      addOnBeforeSessionSwitch(handler: SessionEventHandler): string;
      removeOnBeforeSessionSwitch(handlerId: string): void;
      addOnAfterSessionSwitch(handler: SessionEventHandler): string;
      removeOnAfterSessionSwitch(handlerId: string): void;
      addOnAfterSessionClose(handler: SessionEventHandler): string;
      removeOnAfterSessionClose(handlerId: string): void;
      addOnBeforeTabCreate(handler: SessionEventHandler): string;
      removeOnBeforeTabCreate(handlerId: string): void;
      addOnAfterTabCreate(handler: SessionEventHandler): string;
      removeOnAfterTabCreate(handlerId: string): void;
      addOnBeforeTabSwitch(handler: SessionEventHandler): string;
      removeOnBeforeTabSwitch(handlerId: string): void;
      addOnAfterTabSwitch(handler: SessionEventHandler): string;
      removeOnAfterTabSwitch(handlerId: string): void;
      addOnAfterTabClose(handler: SessionEventHandler): string;
      removeOnAfterTabClose(handlerId: string): void;
    }

    interface Session extends Microsoft.AppRuntime.SessionBase {
      readonly anchorTab: Tab;
      readonly tabs: Tabs;
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
      /** The iframe's URL (web resources, websites), else `main.aspx?pagetype=...`. */
      readonly currentUrl: string;
      readonly currentPageInput: PageInput;
      /** Always empty: in-tab navigation is not emulated. */
      readonly history: { clear(): void };
      focus(): void;
      close(): Promise<boolean>;
      refresh(): Promise<void>;
      getParentSessionId(): string;
    }
  }
}

declare var Xrm: Xrm.XrmStatic;

interface Window {
  /** `window.parent.Microsoft.Apm` from a web resource in a workspace tab. */
  Microsoft: typeof Microsoft;
  Xrm: Xrm.XrmStatic;
}
