// Test-only stand-in for shim.js: a tiny JS model of the workspace that honours the
// window.PyApm contract of docs/design.md §3/§4 (ready, state, onChange, ui, reset) and a
// small Microsoft.Apm. Used by tests/page when the real stack (shim.js + Pyodide) is absent.
(() => {
  "use strict";
  // Decision 21: a same-origin frame whose top already runs the emulator binds to it.
  try {
    if (window.top !== window && window.top.PyApm) {
      window.Microsoft = window.top.Microsoft;
      window.PyApm = window.top.PyApm;
      return;
    }
  } catch (_e) { /* cross-origin top: boot our own */ }

  const SESSION_LIMIT = 10;
  const TAB_LIMIT = 10;
  const MSG_SESSIONS = "Maximum sessions reached. Close a session before opening another.";
  const MSG_TABS = "Maximum tabs reached. Close a tab in this session before opening another.";
  const TEMPLATES = {
    msdyn_entityrecord: { title: "{entityName}", pageType: "entityrecord" },
    msdyn_omnichannel_kbsearch: { title: "Knowledge search", pageType: "webresource",
      webresourceName: "msdyn_kbsearchpagehost.html" },
  };
  const listeners = new Set();
  const channels = new Map();
  let ws;
  let pending = { events: [], notices: [], warnings: [] };
  let extraTabTemplates = {};

  const err = (code, message) => Object.assign(new Error(message), { errorCode: code });
  const isMap = (v) => Object.prototype.toString.call(v) === "[object Map]";
  const toObj = (v) => {
    if (v == null) return {};
    if (isMap(v)) return Object.fromEntries(v);
    if (typeof v === "string") return JSON.parse(v);
    return { ...v };
  };

  function fresh() {
    ws = { revision: 0, nextSession: 1, nextTab: 1, focused: "session-id-0", mru: ["session-id-0"],
      sessions: [{ sessionId: "session-id-0", title: "Home", isDefault: true, canClose: false,
        templateName: null, focusedTabId: "tab-id-0", anchorTabId: "tab-id-0", notification: false,
        context: {}, mru: ["tab-id-0"],
        tabs: [mkTab("tab-id-0", "Dashboard", "dashboard", {}, true, null)] }] };
  }
  function mkTab(tabId, title, pageType, parameters, isAnchor, templateName) {
    let url = null;
    if (pageType === "webresource") {
      url = "webresources/" + parameters.webresourceName +
        (parameters.data ? "?data=" + encodeURIComponent(parameters.data) : "");
    } else if (pageType === "thirdpartywebsite") {
      url = (parameters.url || "") + (parameters.data || "");
    }
    return { tabId, title, canClose: !isAnchor, isAnchor, templateName, pageType, parameters, url,
      refreshCount: 0 };
  }
  const sess = (id) => ws.sessions.find((s) => s.sessionId === id);
  const focusedSession = () => sess(ws.focused);
  function tabOf(id) {
    for (const s of ws.sessions) for (const t of s.tabs) if (t.tabId === id) return [s, t];
    return [null, null];
  }
  function emit(name, data) {
    pending.events.push({ name, topic: "pyapm-fake:" + name, data });
  }
  function changed() {
    ws.revision += 1;
    const payload = { revision: ws.revision, ...pending };
    pending = { events: [], notices: [], warnings: [] };
    for (const ev of payload.events) {
      if (!channels.has(ev.topic)) channels.set(ev.topic, new BroadcastChannel(ev.topic));
      channels.get(ev.topic).postMessage(ev.data);
    }
    for (const w of payload.warnings) console.warn(w);
    for (const fn of listeners) fn(payload);
    window.dispatchEvent(new CustomEvent("pyapm:change", { detail: payload }));
  }

  function focusSession(id) {
    const s = sess(id);
    if (!s) throw err(404, "focus: session " + id + " not found");
    if (ws.focused === id) return;
    const prev = focusedSession();
    ws.focused = id; s.notification = false;
    ws.mru = [id, ...ws.mru.filter((x) => x !== id)];
    emit("ON_SESSION_SWITCH", { previousSessionId: prev.sessionId, newSessionId: id });
    emit("ON_TAB_SWITCH", { previousSessionId: prev.sessionId, previousTabId: prev.focusedTabId,
      sessionId: id, tabId: s.focusedTabId });
  }
  function closeSession(id) {
    const s = sess(id);
    if (!s) throw err(404, "close: session " + id + " not found");
    if (s.isDefault) { pending.warnings.push("close: the Home session cannot be closed"); return; }
    ws.sessions = ws.sessions.filter((x) => x !== s);
    ws.mru = ws.mru.filter((x) => x !== id);
    emit("ON_SESSION_CLOSED", { sessionId: id });
    if (ws.focused === id) {
      ws.focused = ws.mru[0];
      const n = focusedSession(); n.notification = false;
      emit("ON_SESSION_SWITCH", { previousSessionId: id, newSessionId: n.sessionId });
    }
  }
  function focusTab(id) {
    const [s, t] = tabOf(id);
    if (!t) throw err(404, "focusTab: tab " + id + " not found");
    if (s.sessionId !== ws.focused) focusSession(s.sessionId);
    const prevTab = s.focusedTabId;
    s.focusedTabId = id; s.mru = [id, ...s.mru.filter((x) => x !== id)];
    if (prevTab !== id) {
      emit("ON_TAB_SWITCH", { previousSessionId: s.sessionId, previousTabId: prevTab,
        sessionId: s.sessionId, tabId: id });
    }
  }
  function closeTab(id) {
    const [s, t] = tabOf(id);
    if (!t) throw err(404, "closeTab: tab " + id + " not found");
    if (t.isAnchor) { pending.warnings.push("closeTab: the anchor tab cannot be closed"); return; }
    s.tabs = s.tabs.filter((x) => x !== t); s.mru = s.mru.filter((x) => x !== id);
    if (s.focusedTabId === id) s.focusedTabId = s.mru[0] || s.anchorTabId;
  }
  function createTab(input, sessionId) {
    const s = sessionId ? sess(sessionId) : focusedSession();
    if (!input || typeof input.templateName !== "string") {
      throw err(400, "createTab: AppTabInput.templateName must be a string");
    }
    if (s.tabs.length >= TAB_LIMIT) { pending.notices.push(MSG_TABS); changed(); throw err(409, MSG_TABS); }
    const tpl = extraTabTemplates[input.templateName] || TEMPLATES[input.templateName] ||
      { title: input.templateName, pageType: "custom" };
    const params = { ...(tpl.parameters || {}), ...toObj(input.appContext) };
    if (tpl.webresourceName) params.webresourceName = tpl.webresourceName;
    const pageType = tpl.pageType;
    const title = tpl.title.replace(/\{(\w+)\}/g, (_m, k) => params[k] || "");
    const id = "tab-id-" + ws.nextTab++;
    s.tabs.push(mkTab(id, title, pageType, params, false, input.templateName));
    s.mru.push(id);
    if (input.isFocused !== false) focusTab(id);
    changed();
    return id;
  }

  const ui = {
    focusSession(id) { focusSession(id); changed(); },
    closeSession(id) { closeSession(id); changed(); },
    focusTab(id) { focusTab(id); changed(); },
    closeTab(id) { closeTab(id); changed(); },
  };
  function sessionObj(id) {
    const s = sess(id);
    if (!s) return null;
    return {
      sessionId: id,
      get isDefault() { return s.isDefault; },
      get title() { return s.title; },
      set title(v) { if (!s.isDefault) { s.title = String(v); changed(); } },
      get canClose() { return s.canClose; },
      set canClose(v) { if (!s.isDefault) { s.canClose = !!v; changed(); } },
      close() { closeSession(id); changed(); },
      focus() { focusSession(id); changed(); },
      requestFocus() { if (ws.focused !== id) { s.notification = true; changed(); } },
      getAllTabs() { return s.tabs.map((t) => t.tabId); },
      getFocusedTab() { return tabObj(s.focusedTabId); },
      getTab(tid) { return s.tabs.some((t) => t.tabId === tid) ? tabObj(tid) : null; },
      createTab(input) { return createTab(input, id); },
      canCreateTab() { return s.tabs.length < TAB_LIMIT; },
      updateContext(obj) { Object.assign(s.context, toObj(obj)); changed(); },
    };
  }
  function tabObj(id) {
    const [, t] = tabOf(id);
    if (!t) return null;
    return {
      tabId: id,
      get title() { return t.title; },
      set title(v) { t.title = String(v); changed(); },
      get canClose() { return t.canClose; },
      set canClose(v) { t.canClose = !!v; changed(); },
      close() { closeTab(id); changed(); },
      focus() { focusTab(id); changed(); },
      refresh() { t.refreshCount += 1; changed(); },
    };
  }

  const Apm = {
    getFocusedSession: () => sessionObj(ws.focused),
    getAllSessions: () => ws.sessions.map((s) => s.sessionId),
    getSession: (id) => sessionObj(id),
    canCreateSession: () => ws.sessions.length < SESSION_LIMIT,
    createSession(input) {
      if (!input || typeof input.templateName !== "string") {
        throw err(400, "createSession: SessionInput.templateName must be a string");
      }
      if (ws.sessions.length >= SESSION_LIMIT) {
        pending.notices.push(MSG_SESSIONS); changed(); throw err(409, MSG_SESSIONS);
      }
      const ctx = toObj(input.sessionContext);
      let params = {};
      if (ctx.parametersStr) { params = Object.fromEntries(JSON.parse(ctx.parametersStr)); delete ctx.parametersStr; }
      const sid = "session-id-" + ws.nextSession++;
      const tid = "tab-id-" + ws.nextTab++;
      const title = input.templateName === "msdyn_chat_session"
        ? (ctx.customerName || "") : (params.entityName ? params.entityName + " " + (params.entityId || "") : input.templateName);
      ws.sessions.push({ sessionId: sid, title, isDefault: false, canClose: true,
        templateName: input.templateName, focusedTabId: tid, anchorTabId: tid, notification: false,
        context: ctx, mru: [tid],
        tabs: [mkTab(tid, title, params.entityName ? "entityrecord" : "custom", params, true, "msdyn_entityrecord")] });
      ws.mru.push(sid);
      if (input.isFocused !== false) focusSession(sid);
      changed();
      return sid;
    },
    createTab: (input) => createTab(input),
    closeTab(id) { closeTab(id); changed(); },
    focusTab(id) { focusTab(id); changed(); },
    refreshTab(id) { const [, t] = tabOf(id); if (!t) throw err(404, "refreshTab: " + id); t.refreshCount += 1; changed(); },
    getEventPublisherTopic: (name) => "pyapm-fake:" + name,
  };

  function state() {
    const copy = JSON.parse(JSON.stringify(ws.sessions));
    for (const s of copy) delete s.mru;
    return { revision: ws.revision, focusedSessionId: ws.focused, sessions: copy };
  }

  fresh();
  const delay = Number(document.currentScript?.dataset.fakeDelay || 150);
  const failWith = document.currentScript?.dataset.fakeFail;
  const PyApm = {
    isReady: false,
    version: "0.0.0-fake",
    bootTimeMs: null,
    state,
    calls: () => [],
    onChange(fn) { listeners.add(fn); return () => listeners.delete(fn); },
    reset() { fresh(); changed(); },
    configure(opts) {
      for (const t of (opts && opts.tabTemplates) || []) extraTabTemplates[t.uniqueName] = t;
      return opts;
    },
    ui,
  };
  PyApm.ready = new Promise((resolve, reject) => {
    setTimeout(() => {
      if (failWith) { reject(new Error(failWith)); return; }
      PyApm.isReady = true; PyApm.bootTimeMs = Math.round(performance.now());
      window.Microsoft = window.Microsoft || {};
      window.Microsoft.Apm = Apm;
      resolve(PyApm);
    }, delay);
  });
  window.PyApm = PyApm;
})();
