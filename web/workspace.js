// py-apm workspace page: renders PyApm.state() (docs/design.md §4) as the Customer Service
// workspace. Rendering only: every click goes through PyApm.ui.*; all user data is set as text.
(() => {
  "use strict";

  const NOTICE_TIMEOUT_MS = 6000;
  const FRAME_TYPES = new Set(["webresource", "thirdpartywebsite"]);
  const PAGE_TYPE_LABELS = {
    dashboard: "Dashboard",
    entitylist: "Entity list",
    entityrecord: "Entity record",
    search: "Search",
    thirdpartywebsite: "Third-party website",
    webresource: "Web resource",
    custom: "Custom page",
    control: "Control",
  };
  // Static icon markup (constants, never user data).
  const ICONS = {
    home: '<path d="M12 3.2 3 10.4V21h6.5v-6h5v6H21V10.4z" fill="none" stroke="currentColor" stroke-width="1.6" stroke-linejoin="round"/>',
    case: '<rect x="4" y="3.5" width="16" height="17" rx="2" fill="none" stroke="currentColor" stroke-width="1.6"/><path d="M8 8.5h8M8 12h8M8 15.5h5" stroke="currentColor" stroke-width="1.6" stroke-linecap="round"/>',
    chat: '<path d="M4 5.5h16v10H9l-4.5 4v-4H4z" fill="none" stroke="currentColor" stroke-width="1.6" stroke-linejoin="round"/>',
    session: '<circle cx="12" cy="8.5" r="3.6" fill="none" stroke="currentColor" stroke-width="1.6"/><path d="M4.8 20c.9-3.8 3.8-5.6 7.2-5.6s6.3 1.8 7.2 5.6" fill="none" stroke="currentColor" stroke-width="1.6" stroke-linecap="round"/>',
    dashboard: '<rect x="3.5" y="3.5" width="7" height="9" rx="1.2" fill="none" stroke="currentColor" stroke-width="1.6"/><rect x="13.5" y="3.5" width="7" height="5" rx="1.2" fill="none" stroke="currentColor" stroke-width="1.6"/><rect x="13.5" y="11.5" width="7" height="9" rx="1.2" fill="none" stroke="currentColor" stroke-width="1.6"/><rect x="3.5" y="15.5" width="7" height="5" rx="1.2" fill="none" stroke="currentColor" stroke-width="1.6"/>',
    entitylist: '<path d="M8 6h12M8 12h12M8 18h12" stroke="currentColor" stroke-width="1.6" stroke-linecap="round"/><circle cx="4.5" cy="6" r="1.2" fill="currentColor"/><circle cx="4.5" cy="12" r="1.2" fill="currentColor"/><circle cx="4.5" cy="18" r="1.2" fill="currentColor"/>',
    entityrecord: '<path d="M6 3.5h8l4 4v13H6z" fill="none" stroke="currentColor" stroke-width="1.6" stroke-linejoin="round"/><path d="M9 12h6M9 15.5h6" stroke="currentColor" stroke-width="1.6" stroke-linecap="round"/>',
    search: '<circle cx="10.5" cy="10.5" r="6" fill="none" stroke="currentColor" stroke-width="1.6"/><path d="m15 15 5.5 5.5" stroke="currentColor" stroke-width="1.6" stroke-linecap="round"/>',
    thirdpartywebsite: '<circle cx="12" cy="12" r="8.5" fill="none" stroke="currentColor" stroke-width="1.6"/><path d="M3.5 12h17M12 3.5c2.5 2.6 3.5 5.4 3.5 8.5s-1 5.9-3.5 8.5c-2.5-2.6-3.5-5.4-3.5-8.5s1-5.9 3.5-8.5z" fill="none" stroke="currentColor" stroke-width="1.4"/>',
    webresource: '<path d="m8.5 7.5-5 4.5 5 4.5M15.5 7.5l5 4.5-5 4.5" fill="none" stroke="currentColor" stroke-width="1.6" stroke-linecap="round" stroke-linejoin="round"/>',
    custom: '<rect x="3.5" y="4.5" width="17" height="15" rx="2" fill="none" stroke="currentColor" stroke-width="1.6"/><path d="M3.5 8.5h17" stroke="currentColor" stroke-width="1.6"/>',
    control: '<circle cx="12" cy="12" r="3" fill="none" stroke="currentColor" stroke-width="1.6"/><path d="M12 3v3M12 18v3M3 12h3M18 12h3M5.6 5.6l2.1 2.1M16.3 16.3l2.1 2.1M5.6 18.4l2.1-2.1M16.3 7.7l2.1-2.1" stroke="currentColor" stroke-width="1.6" stroke-linecap="round"/>',
  };

  const root = document.querySelector('[data-testid="workspace"]');
  const sessionList = document.querySelector('[data-testid="session-list"]');
  const tabStrip = document.querySelector('[data-testid="tab-strip"]');
  const tabContent = document.querySelector('[data-testid="tab-content"]');
  const noticeBar = document.querySelector('[data-testid="notice-bar"]');
  const noticeList = document.querySelector('[data-testid="notice-list"]');
  const statusEl = document.querySelector('[data-testid="status"]');
  const loadingEl = document.querySelector('[data-testid="loading"]');
  const errorEl = document.querySelector('[data-testid="boot-error"]');

  /** Per-tab content panes, kept alive across renders (iframes keep running). */
  const panes = new Map(); // tabId -> {el, key, url, refreshCount, frame}
  let api = null;
  let renderQueued = false;
  let wipePanes = false;
  let lastRevision = -1;
  let noticeTimer = null;
  let renderCount = 0;

  // ---------------------------------------------------------------- helpers
  function h(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v == null || v === false) continue;
      if (k === "class") node.className = v;
      else if (k === "text") node.textContent = v;
      else node.setAttribute(k, v === true ? "" : String(v));
    }
    for (const c of children) if (c != null) node.append(c);
    return node;
  }

  function icon(name, cls) {
    const span = h("span", { class: cls || "icon", "aria-hidden": "true" });
    span.innerHTML = '<svg viewBox="0 0 24 24" width="20" height="20">' + (ICONS[name] || ICONS.custom) + "</svg>";
    return span;
  }

  function asText(v) {
    if (v == null) return "";
    if (typeof v === "string") return v;
    try { return JSON.stringify(v); } catch (_e) { return String(v); }
  }

  function sessionIconName(s) {
    if (s.isDefault) return "home";
    const tpl = String(s.templateName || "").toLowerCase();
    if (tpl.includes("chat") || tpl.includes("messaging") || tpl.includes("conversation")) return "chat";
    if (tpl.includes("case") || tpl.includes("entity") || tpl.includes("incident")) return "case";
    return "session";
  }

  /** Keyed reconcile: reuse children by key, create/update/reorder, remove leftovers. */
  function reconcile(container, items, keyOf, create, update) {
    const existing = new Map();
    for (const child of Array.from(container.children)) existing.set(child.dataset.key, child);
    let cursor = container.firstElementChild;
    for (const item of items) {
      const key = keyOf(item);
      let node = existing.get(key);
      if (node) existing.delete(key);
      else { node = create(item); node.dataset.key = key; }
      update(node, item);
      if (node !== cursor) container.insertBefore(node, cursor);
      else cursor = cursor.nextElementSibling;
    }
    for (const node of existing.values()) node.remove();
  }

  function safeUrl(url) {
    if (typeof url !== "string" || url === "") return null;
    try {
      const u = new URL(url, document.baseURI);
      return u.protocol === "http:" || u.protocol === "https:" ? u.href : null;
    } catch (_e) {
      return null;
    }
  }

  // ---------------------------------------------------------------- sessions
  function createSessionItem(s) {
    const item = h("div", { class: "session", role: "tab", tabindex: "0", "data-testid": "session" });
    const iconWrap = h("span", { class: "session-icon" }, icon(sessionIconName(s)));
    item.append(iconWrap, h("span", { class: "session-title", "data-testid": "session-title" }));
    return item;
  }

  function updateSessionItem(item, s, focusedId) {
    const focused = s.sessionId === focusedId;
    item.dataset.sessionId = s.sessionId;
    item.classList.toggle("is-focused", focused);
    item.classList.toggle("is-home", !!s.isDefault);
    item.classList.toggle("has-notification", !!s.notification);
    item.setAttribute("aria-selected", String(focused));
    const title = syncTitle(item, ".session-title", s.title);

    const iconWrap = item.querySelector(".session-icon");
    let dot = iconWrap.querySelector('[data-testid="notification-indicator"]');
    if (s.notification && !dot) {
      dot = h("span", { class: "notification-indicator", "data-testid": "notification-indicator",
        role: "img", "aria-label": "Needs attention" });
      iconWrap.append(dot);
    } else if (!s.notification && dot) {
      dot.remove();
    }

    syncCloseButton(item, "close-session", !!s.canClose && !s.isDefault, "Close session " + title);
  }

  // An item's title, as text and tooltip; returns it.
  function syncTitle(item, selector, raw) {
    const title = asText(raw);
    item.title = title;
    const titleEl = item.querySelector(selector);
    if (titleEl.textContent !== title) titleEl.textContent = title;
    return title;
  }

  // An item's close button: present only while the item is closable.
  function syncCloseButton(item, testId, closable, label) {
    let close = item.querySelector(`[data-testid="${testId}"]`);
    if (closable && !close) {
      close = h("button", { type: "button", class: "close-btn", "data-testid": testId, tabindex: "-1" }, "✕");
      item.append(close);
    } else if (!closable && close) {
      close.remove();
      close = null;
    }
    if (close) close.setAttribute("aria-label", label);
  }

  function renderSessions(state) {
    reconcile(sessionList, state.sessions, (s) => s.sessionId, createSessionItem,
      (node, s) => updateSessionItem(node, s, state.focusedSessionId));
  }

  // ---------------------------------------------------------------- tabs
  function createTabItem(t) {
    const item = h("div", { class: "tab", role: "tab", tabindex: "0", "data-testid": "tab" });
    item.append(icon(t.pageType, "icon tab-icon"),
      h("span", { class: "tab-title", "data-testid": "tab-title" }));
    return item;
  }

  function updateTabItem(item, t, focusedTabId) {
    const focused = t.tabId === focusedTabId;
    item.dataset.tabId = t.tabId;
    item.dataset.pageType = t.pageType;
    item.classList.toggle("is-focused", focused);
    item.classList.toggle("is-anchor", !!t.isAnchor);
    item.setAttribute("aria-selected", String(focused));
    const title = syncTitle(item, ".tab-title", t.title);
    syncCloseButton(item, "close-tab", !!t.canClose && !t.isAnchor, "Close tab " + title);
  }

  function renderTabs(session) {
    const tabs = session ? session.tabs : [];
    tabStrip.dataset.sessionId = session ? session.sessionId : "";
    reconcile(tabStrip, tabs, (t) => t.tabId, createTabItem,
      (node, t) => updateTabItem(node, t, session.focusedTabId));
  }

  // ---------------------------------------------------------------- content panes
  function paneKey(s, t) {
    return [s.sessionId, t.pageType].join("|");
  }

  function buildPlaceholder(pane, s, t) {
    const label = PAGE_TYPE_LABELS[t.pageType] || t.pageType;
    const params = t.parameters && typeof t.parameters === "object" ? t.parameters : {};
    const list = h("dl", { class: "params", "data-testid": "tab-params" });
    const keys = Object.keys(params);
    for (const k of keys) {
      const raw = asText(params[k]);
      let shown = raw;
      let pre = false;
      if (k === "data" && /^\s*[[{]/.test(raw)) {
        try { shown = JSON.stringify(JSON.parse(raw), null, 2); pre = true; } catch (_e) { /* keep text */ }
      }
      list.append(h("div", { class: "param", "data-param": k },
        h("dt", { text: k }),
        h("dd", { "data-testid": "param-value" }, pre ? h("pre", { text: shown }) : document.createTextNode(shown))));
    }
    if (!keys.length) list.append(h("div", { class: "param param-empty" }, h("dd", { text: "No parameters" })));

    const meta = h("dl", { class: "meta" },
      h("div", null, h("dt", { text: "Tab id" }), h("dd", { text: t.tabId })),
      h("div", null, h("dt", { text: "Session" }), h("dd", { text: asText(s.title) + " (" + s.sessionId + ")" })),
      h("div", null, h("dt", { text: "Template" }), h("dd", { text: t.templateName == null ? "—" : asText(t.templateName) })));
    if (t.refreshCount > 0) {
      meta.append(h("div", { "data-testid": "refresh-count" }, h("dt", { text: "Refreshed" }),
        h("dd", { text: String(t.refreshCount) + (t.refreshCount === 1 ? " time" : " times") })));
    }
    if (t.pageType === "thirdpartywebsite" || t.pageType === "webresource") {
      meta.append(h("div", null, h("dt", { text: "URL" }), h("dd", { text: asText(t.url) || "—" })));
    }

    const card = h("div", { class: "placeholder-card", "data-testid": "placeholder" },
      h("div", { class: "card-head" },
        icon(t.pageType, "icon card-icon"),
        h("div", { class: "card-titles" },
          h("div", { class: "page-type", "data-testid": "page-type", text: label }),
          h("h2", { class: "card-title", "data-testid": "placeholder-title", text: asText(t.title) }))),
      h("p", { class: "card-note", text: placeholderNote(t) }),
      h("h3", { class: "section-label", text: "Parameters" }),
      list,
      h("h3", { class: "section-label", text: "Tab" }),
      meta);
    pane.replaceChildren(card);
  }

  function placeholderNote(t) {
    switch (t.pageType) {
      case "entityrecord": return "The form of this record would load here in Dynamics 365.";
      case "entitylist": return "The view of this entity would load here in Dynamics 365.";
      case "dashboard": return "This dashboard would load here in Dynamics 365.";
      case "search": return "Dataverse search results would load here in Dynamics 365.";
      case "custom": return "This custom page would load here in Dynamics 365.";
      case "control": return "This control would load here in Dynamics 365.";
      default: return "This page would load here in Dynamics 365.";
    }
  }

  function createFrame(t) {
    const frame = h("iframe", {
      class: "tab-frame",
      "data-testid": "tab-frame",
      "data-tab-id": t.tabId,
      "data-page-type": t.pageType,
      title: asText(t.title),
    });
    if (t.pageType === "thirdpartywebsite") {
      frame.setAttribute("sandbox", "allow-scripts allow-forms");
      frame.setAttribute("referrerpolicy", "no-referrer");
    }
    return frame;
  }

  function reloadFrame(entry) {
    const frame = entry.frame;
    if (!frame) return;
    try {
      frame.contentWindow.location.reload();
    } catch (_e) {
      frame.setAttribute("src", entry.url); // cross-origin / sandboxed: navigate again
    }
  }

  /** A web resource that does not exist gets a clear card over its (kept) iframe. */
  async function checkWebResource(pane, frame, parameters) {
    const url = frame.getAttribute("src");
    let status = 0;
    try {
      const r = await fetch(url, { method: "HEAD", cache: "no-store" });
      status = r.ok ? 0 : r.status;
    } catch (_e) {
      status = -1;
    }
    if (frame.getAttribute("src") !== url || !pane.isConnected) return;
    let card = pane.querySelector('[data-testid="webresource-missing"]');
    if (!status) { if (card) card.remove(); return; }
    const name = (parameters && parameters.webresourceName) || url;
    if (!card) {
      card = h("div", { class: "missing-card", "data-testid": "webresource-missing" });
      pane.append(card);
    }
    card.replaceChildren(
      icon("webresource", "icon card-icon"),
      h("div", null,
        h("h2", { class: "card-title", text: "Web resource not found" }),
        h("p", { class: "card-note" }, "The web resource ", h("code", { text: asText(name) }),
          status > 0 ? " answered HTTP " + status + "." : " could not be loaded."),
        h("p", { class: "card-note" }, "Serve a folder that holds it: ",
          h("code", { text: "py-apm serve --webresources DIR" }), ".")));
  }

  function syncPane(s, t, visible) {
    const key = paneKey(s, t);
    let entry = panes.get(t.tabId);
    // A different session / page type, or a refresh count that went down: a new tab that
    // reuses the id (after PyApm.reset()), so never reuse its iframe.
    if (entry && (entry.key !== key || (t.refreshCount || 0) < entry.refreshCount)) {
      entry.el.remove();
      panes.delete(t.tabId);
      entry = null;
    }
    const isFrame = FRAME_TYPES.has(t.pageType);
    const url = isFrame ? safeUrl(t.url) : null;
    if (!entry) {
      const el = h("section", { class: "pane", "data-testid": "tab-pane", "data-tab-id": t.tabId,
        "data-session-id": s.sessionId, "data-page-type": t.pageType, role: "tabpanel" });
      entry = { el, key, url: null, refreshCount: t.refreshCount || 0, frame: null, sig: null };
      panes.set(t.tabId, entry);
      tabContent.append(el);
    }
    const el = entry.el;
    if (isFrame && url) {
      if (!entry.frame) {
        entry.frame = createFrame(t);
        el.replaceChildren(entry.frame);
        entry.sig = null;
        if (t.pageType === "webresource") {
          const frame = entry.frame;
          frame.addEventListener("load", () => checkWebResource(el, frame, t.parameters));
        }
      }
      if (entry.url !== url) {
        entry.url = url;
        entry.frame.setAttribute("src", url);
      } else if ((t.refreshCount || 0) > entry.refreshCount) {
        reloadFrame(entry);
      }
      entry.frame.title = asText(t.title);
    } else {
      // Placeholder card (or an iframe tab whose URL is missing / not http(s)).
      const sig = JSON.stringify([s.title, t.title, t.parameters, t.templateName, t.refreshCount, t.url]);
      if (entry.frame) { entry.frame = null; entry.url = null; }
      if (entry.sig !== sig) {
        const refreshed = (t.refreshCount || 0) > entry.refreshCount;
        buildPlaceholder(el, s, t);
        if (isFrame) {
          el.querySelector(".card-note").textContent =
            "This tab has no loadable URL (only http and https addresses are opened).";
        }
        if (refreshed) {
          el.classList.remove("flash");
          void el.offsetWidth; // restart the animation
          el.classList.add("flash");
        }
        entry.sig = sig;
      }
    }
    entry.refreshCount = t.refreshCount || 0;
    el.hidden = !visible;
    el.classList.toggle("is-visible", visible);
  }

  function renderPanes(state, focused) {
    if (wipePanes) {
      for (const entry of panes.values()) entry.el.remove();
      panes.clear();
      wipePanes = false;
    }
    const alive = new Set();
    for (const s of state.sessions) {
      for (const t of s.tabs) {
        alive.add(t.tabId);
        syncPane(s, t, !!focused && s.sessionId === focused.sessionId && t.tabId === focused.focusedTabId);
      }
    }
    for (const [tabId, entry] of panes) {
      if (!alive.has(tabId)) {
        entry.el.remove();
        panes.delete(tabId);
      }
    }
  }

  // ---------------------------------------------------------------- notices
  function showNotices(messages, kind) {
    const list = messages.map(asText).filter(Boolean);
    if (!list.length) return;
    const seen = new Set(Array.from(noticeList.children, (li) => li.textContent));
    if (noticeBar.hidden) { noticeList.replaceChildren(); seen.clear(); }
    for (const m of list) {
      if (seen.has(m)) continue;
      seen.add(m);
      noticeList.append(h("li", { class: "notice", "data-testid": "notice", text: m }));
    }
    noticeBar.dataset.kind = kind || "warning";
    noticeBar.hidden = false;
    clearTimeout(noticeTimer);
    const ms = Number(settings.noticeTimeoutMs);
    if (ms > 0) noticeTimer = setTimeout(hideNotices, ms);
  }

  function hideNotices() {
    clearTimeout(noticeTimer);
    noticeBar.hidden = true;
    noticeList.replaceChildren();
  }

  // ---------------------------------------------------------------- render loop
  function render() {
    renderQueued = false;
    if (!api) return;
    let state;
    try {
      state = api.state();
    } catch (e) {
      showNotices(["Could not read the workspace state: " + (e && e.message)], "error");
      return;
    }
    const sessions = Array.isArray(state.sessions) ? state.sessions : [];
    state.sessions = sessions;
    const focused = sessions.find((s) => s.sessionId === state.focusedSessionId) || sessions[0] || null;
    renderSessions(state);
    renderTabs(focused);
    renderPanes(state, focused);
    renderCount += 1;
    root.dataset.revision = String(state.revision);
    root.dataset.focusedSessionId = focused ? focused.sessionId : "";
    root.dataset.focusedTabId = focused ? focused.focusedTabId : "";
    const sessionCount = sessions.length;
    statusEl.textContent = sessionCount + (sessionCount === 1 ? " session" : " sessions") +
      " · rev " + state.revision + (api.version ? " · v" + api.version : "");
  }

  function scheduleRender() {
    if (renderQueued) return;
    renderQueued = true;
    queueMicrotask(render);
  }

  function onChange(payload) {
    payload = payload || {};
    if (typeof payload.revision === "number") {
      if (payload.revision < lastRevision) wipePanes = true; // a reset: ids may be reused
      lastRevision = payload.revision;
    }
    if (payload.reset === true) wipePanes = true;
    if (Array.isArray(payload.notices) && payload.notices.length) showNotices(payload.notices, "warning");
    scheduleRender();
  }

  // ---------------------------------------------------------------- actions (clicks)
  function act(fn, id) {
    try {
      fn(id);
    } catch (e) {
      showNotices([(e && e.message) || String(e)], "error");
    }
    scheduleRender();
  }

  // A click on a session/tab item focuses it; on its close button, closes it (PyApm.ui.*).
  function onItemClick(kind, idKey, focus, close) {
    return (ev) => {
      const item = ev.target.closest(`[data-testid="${kind}"]`);
      if (!item || !api) return;
      const closing = ev.target.closest(`[data-testid="close-${kind}"]`);
      act(api.ui[closing ? close : focus], item.dataset[idKey]);
    };
  }
  sessionList.addEventListener("click", onItemClick("session", "sessionId", "focusSession", "closeSession"));
  tabStrip.addEventListener("click", onItemClick("tab", "tabId", "focusTab", "closeTab"));
  // Middle-click closes, as in the real workspace.
  const middleClose = (selector, attr, closeName) => (ev) => {
    if (ev.button !== 1 || !api) return;
    const item = ev.target.closest(selector);
    if (!item || !item.querySelector(".close-btn")) return;
    ev.preventDefault();
    act(api.ui[closeName], item.dataset[attr]);
  };
  sessionList.addEventListener("auxclick", middleClose('[data-testid="session"]', "sessionId", "closeSession"));
  tabStrip.addEventListener("auxclick", middleClose('[data-testid="tab"]', "tabId", "closeTab"));
  for (const strip of [sessionList, tabStrip]) {
    strip.addEventListener("keydown", (ev) => {
      if (ev.key !== "Enter" && ev.key !== " ") return;
      const item = ev.target.closest('[role="tab"]');
      if (!item) return;
      ev.preventDefault();
      item.click();
    });
  }
  document.querySelector('[data-testid="notice-dismiss"]').addEventListener("click", hideNotices);

  // ---------------------------------------------------------------- boot
  function showBootError(e) {
    root.dataset.status = "error";
    loadingEl.hidden = true;
    errorEl.hidden = false;
    const msg = (e && (e.message || String(e))) || "Unknown error";
    document.querySelector('[data-testid="boot-error-message"]').textContent = msg;
  }

  function waitForPyApm(timeoutMs) {
    return new Promise((resolve, reject) => {
      const t0 = performance.now();
      const poll = () => {
        if (window.PyApm && window.PyApm.ready) resolve(window.PyApm);
        else if (performance.now() - t0 > timeoutMs) {
          reject(new Error("window.PyApm is missing: /shim.js did not load or did not install it."));
        } else setTimeout(poll, 25);
      };
      poll();
    });
  }

  async function boot() {
    try {
      const pyapm = await waitForPyApm(5000);
      await pyapm.ready;
      api = pyapm;
    } catch (e) {
      showBootError(e);
      return;
    }
    if (typeof api.onChange === "function") api.onChange(onChange);
    else window.addEventListener("pyapm:change", (ev) => onChange(ev.detail));
    loadingEl.hidden = true;
    root.dataset.status = "ready";
    render();
    if (typeof api.bootTimeMs === "number") {
      statusEl.dataset.bootTimeMs = String(api.bootTimeMs);
    }
  }

  // A small hook for tests and tooling (never part of Microsoft.Apm).
  const settings = {
    noticeTimeoutMs: NOTICE_TIMEOUT_MS,
    render: () => render(),
    hideNotices,
    showNotice: (msg, kind) => showNotices([msg], kind),
    get renderCount() { return renderCount; },
  };
  window.PyApmWorkspace = settings;

  boot();
})();
