/**
 * Typings for `Microsoft.CIFramework` (Channel Integration Framework 2.0) as py-apm emulates
 * it (docs/cif.md), and the CIF parts of `window.PyApm`. Every member returns a Promise except
 * `addHandler`/`removeHandler`; members the real API answers with JSON text resolve a string.
 */

/// <reference path="./apm.d.ts" />
/// <reference path="./pyapm.d.ts" />

declare namespace Microsoft {
  namespace CIFramework {
    /** 0 minimized, 1 docked, 2 hidden. */
    type PanelMode = 0 | 1 | 2;

    /** `createSession(input)`: a Generic session template and its slug values. */
    interface SessionInput {
      templateName: string;
      /** Slug values; an object under an application tab template's unique name gives that tab's parameters. */
      templateParameters?: { [name: string]: string | number | boolean | { [param: string]: string | number | boolean } };
      /** Kept for `getSession` and the session events. */
      context?: unknown;
      customerName?: string;
    }

    /** `createTab(input)`. */
    interface TabInput {
      templateName: string;
      templateParameters?: { [name: string]: string | number | boolean | { [param: string]: string | number | boolean } };
      /** Default false. */
      isFocused?: boolean;
    }

    /** `notifyEvent(input)`. */
    interface NotificationInput {
      templateName: string;
      templateParameters?: { [name: string]: string | number | boolean | { [name: string]: string | number | boolean } };
      cancellationToken?: string;
    }

    /** What `getSession` resolves: a Map (`get("conversationId")`) with the same values as properties. */
    interface SessionInfo extends Map<string, unknown> {
      readonly sessionId: string;
      readonly focused: boolean;
      readonly isFocused: boolean;
      readonly context?: unknown;
      readonly conversationId: string | null;
    }

    /** A rejection: `message` is the library's text; `get("message")`, `JSON.parse(String(error))` work too. */
    interface CifError extends Error {
      readonly errorCode: number;
      readonly msdyn_name: string;
      get(key: "message" | "msdyn_name"): string;
    }

    type EventName =
      | "onclicktoact"
      | "onmodechanged"
      | "onsizechanged"
      | "onpagenavigate"
      | "onsendkbarticle"
      | "onSessionClosed"
      | "onSessionSwitched"
      | "onPresenceChange";

    /** Handlers get the event's JSON text. */
    type Handler = (payload: string) => unknown;

    // sessions
    function canCreateSession(correlationId?: string): Promise<boolean>;
    function createSession(input: SessionInput, correlationId?: string): Promise<string>;
    function getSession(sessionId: string, correlationId?: string): Promise<SessionInfo>;
    function getFocusedSession(correlationId?: string): Promise<string | null>;
    function getAllSessions(correlationId?: string): Promise<string[]>;
    function requestFocusSession(sessionId: string, messagesCountOrCorrelationId?: number | string, correlationId?: string): Promise<null>;
    function setSessionTitle(input: { sessionId?: string; [slug: string]: string | number | boolean | undefined }, correlationId?: string): Promise<string>;
    function updateContext(input: { [key: string]: string | number | boolean } | string[], sessionId?: string, isDelete?: boolean, correlationId?: string): Promise<{ [key: string]: string }>;
    function notifyNewActivity(sessionId: string, messagesCount: number, shouldReset?: boolean, correlationId?: string): Promise<null>;
    function notifyKpiBreach(sessionId: string, shouldReset?: boolean, details?: string | null, correlationId?: string): Promise<null>;
    // tabs (of the focused session)
    function createTab(input: TabInput, correlationId?: string): Promise<string>;
    function getTabs(tabTemplateName?: string | null, tags?: string | string[] | null, correlationId?: string): Promise<string[]>;
    function getFocusedTab(correlationId?: string): Promise<string | null>;
    function focusTab(tabId: string, correlationId?: string): Promise<null>;
    function refreshTab(tabId: string, correlationId?: string): Promise<null>;
    function setTabTitle(tabId: string, input: { title: string; [slug: string]: string | number | boolean }, correlationId?: string): Promise<string>;
    function closeTab(tabId: string, correlationId?: string): Promise<boolean>;
    // notifications
    /** Resolves JSON text `{"actionName", "responseReason"}`. */
    function notifyEvent(input: NotificationInput, correlationId?: string): Promise<string>;
    function cancelEvent(cancellationToken: string, correlationId?: string): Promise<string>;
    // panel
    function setMode(mode: PanelMode, correlationId?: string): Promise<PanelMode>;
    function getMode(correlationId?: string): Promise<PanelMode>;
    function setWidth(width: number, correlationId?: string): Promise<number>;
    function getWidth(correlationId?: string): Promise<number>;
    // presence, click-to-act, environment
    function setPresence(presenceText: string, correlationId?: string): Promise<boolean>;
    function getPresence(correlationId?: string): Promise<string>;
    function setClickToAct(value: boolean, correlationId?: string): Promise<null>;
    function getClickToAct(correlationId?: string): Promise<boolean>;
    /** JSON text. */
    function getEnvironment(correlationId?: string): Promise<string>;
    // events
    function addHandler(eventName: EventName | (string & {}), handler: Handler, correlationId?: string): undefined | Promise<never>;
    function removeHandler(eventName: EventName | (string & {}), handler: Handler, correlationId?: string): undefined | Promise<never>;
    // records (JSON text in, JSON text out)
    function createRecord(entityLogicalName: string, data: string, correlationId?: string): Promise<string>;
    function retrieveRecord(entityLogicalName: string, id: string, options?: string, correlationId?: string): Promise<string>;
    function updateRecord(entityLogicalName: string, id: string, data: string, correlationId?: string): Promise<string>;
    function deleteRecord(entityLogicalName: string, id: string, correlationId?: string): Promise<string>;
    function searchAndOpenRecords(entityLogicalName: string, queryParameters: string, searchOnly: boolean, correlationId?: string, searchType?: number): Promise<string>;
    function openForm(entityFormOptions: string, formParameters?: string, correlationId?: string): Promise<string>;
    // analytics
    function initLogAnalytics(data: unknown, correlationId?: string): Promise<null>;
    function logAnalyticsEvent(data: unknown, eventName: string, correlationId?: string): Promise<null>;
  }
}

declare namespace PyApm {
  /** A `channelProviders` entry. */
  interface ChannelProvider {
    name: string;
    label?: string;
    /** A web resource name, a same-origin path or an http(s) URL. */
    url: string;
    order?: number;
    enableOutbound?: boolean;
    apiVersion?: "2" | 2;
    trustedDomain?: string;
    customParams?: string;
    width?: number;
  }

  /** A `notificationTemplates` entry. */
  interface NotificationTemplate {
    uniqueName: string;
    name?: string;
    title?: string;
    icon?: string;
    timeout?: number;
    showTimeout?: boolean;
    acceptButtonText?: string;
    showRejectButton?: boolean;
    rejectButtonText?: string;
    autoAcceptNotification?: boolean;
    theme?: "dark" | "light";
    desktopNotificationMode?: "never" | "background";
    fields?: { name?: string; title?: string; value?: string; order?: number }[];
  }

  interface Options {
    channelProviders?: ChannelProvider[];
    notificationTemplates?: NotificationTemplate[];
    presences?: { text: string; id?: string; basePresenceStatus?: "AVAILABLE" | "BUSY" | "BUSY_DO_NOT_DISTURB" | "AWAY" | "OFFLINE"; color?: string }[];
    environment?: { [key: string]: string | number | string[] };
    cifPanelOnHome?: "hidden" | "docked";
    cifTimeoutMs?: number;
  }

  interface SessionTemplate {
    panelMode?: "docked" | "minimized" | "hidden";
    tags?: string | string[];
  }

  interface TabTemplate {
    tags?: string | string[];
  }

  /** A notification waiting for the agent. */
  interface PendingNotification {
    readonly id: string;
    readonly templateName: string;
    readonly title: string;
    readonly fields: readonly { name: string; title: string; value: string }[];
    readonly provider: string;
    readonly cancellationToken: string | null;
    readonly state: "displayed" | "waiting";
    readonly timeout: number;
  }

  interface UI {
    respondToNotification(id: string, response: "Accept" | "Reject" | "Timeout"): string;
    setPanelMode(mode: Microsoft.CIFramework.PanelMode): void;
    setPanelWidth(width: number): void;
    showProvider(name: string): void;
    setPresence(presence: string): void;
    clickToAct(details: { value: string; name?: string; format?: string; entityLogicalName?: string; entityId?: string }): void;
  }

  interface Api {
    /** Pending notifications, the displayed one first. */
    notifications(): PendingNotification[];
    /** The CIF state: providers, active provider, panel mode and width, presence, owners, indicators. */
    cif(): {
      providers: (Required<ChannelProvider> & { frameUrl: string; clickToAct: boolean })[];
      activeProvider: string | null;
      mode: Microsoft.CIFramework.PanelMode;
      width: number;
      presence: string;
      owners: { [sessionId: string]: string };
      activity: { [sessionId: string]: number };
      kpi: { [sessionId: string]: string };
      clickToAct: { [provider: string]: boolean };
      notificationTemplates: string[];
    };
  }
}

interface WindowEventMap {
  /** Raised by msdyn_ciLibrary.js once the workspace answers. */
  CIFInitDone: CustomEvent<string[]>;
}
