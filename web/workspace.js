// py-apm workspace page: renders PyApm.state() (docs/design.md §4) as the Customer Service
// workspace. Rendering only: every click goes through PyApm.ui.*; all user data is set as text.
(() => {
  "use strict";

  const { h, icon, asText, byTestIds } = window.PyApmDom;
  const NOTICE_TIMEOUT_MS = 6000;
  const [root, sessionList, tabStrip, noticeBar, noticeList, statusEl, loadingEl, errorEl,
    moreBtn, moreMenu] = byTestIds(
    "workspace", "session-list", "tab-strip", "notice-bar", "notice-list", "status", "loading",
    "boot-error", "tab-overflow", "overflow-menu");

  let api = null;
  let renderQueued = false;
  let lastRevision = -1;
  let noticeTimer = null;
  let renderCount = 0;
  let noticeShownAt = -1; // renderCount when the notice bar was last filled
  let lastFocusedSessionId = null;
  const renderHooks = []; // (state) => void, run after each render (timeline, launcher)

  // ---------------------------------------------------------------- helpers
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

  // ---------------------------------------------------------------- tab overflow
  // As in the real app: tabs that do not fit go to an overflow menu; the focused tab always
  // stays in the strip.
  function fitTabs(session) {
    const items = Array.from(tabStrip.children);
    for (const item of items) item.hidden = false;
    const focusedId = session ? session.focusedTabId : null;
    if (tabStrip.scrollWidth <= tabStrip.clientWidth + 1) {
      moreBtn.hidden = true;
      closeMoreMenu();
      return;
    }
    moreBtn.hidden = false;
    const style = getComputedStyle(tabStrip);
    const gap = parseFloat(style.columnGap) || 0;
    const room = tabStrip.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    const widths = items.map((item) => item.getBoundingClientRect().width + gap);
    const focusedIndex = Math.max(0, items.findIndex((item) => item.dataset.tabId === focusedId));
    let used = widths[focusedIndex];
    const shown = new Set([focusedIndex]);
    for (let i = 0; i < items.length; i++) {
      if (i === focusedIndex) continue;
      if (used + widths[i] > room) break;
      shown.add(i);
      used += widths[i];
    }
    const hiddenTabs = [];
    items.forEach((item, i) => {
      item.hidden = !shown.has(i);
      if (item.hidden) hiddenTabs.push(item);
    });
    moreBtn.textContent = "⋯ " + hiddenTabs.length + " more";
    moreBtn.setAttribute("aria-label", hiddenTabs.length + " more tabs");
    moreMenu.replaceChildren(...hiddenTabs.map((item) => h("button", {
      type: "button", role: "menuitem", class: "overflow-item", "data-testid": "overflow-item",
      "data-tab-id": item.dataset.tabId, text: item.querySelector(".tab-title").textContent,
    })));
    if (!hiddenTabs.length) {
      moreBtn.hidden = true;
      closeMoreMenu();
    }
  }

  function closeMoreMenu() {
    moreMenu.hidden = true;
    moreBtn.setAttribute("aria-expanded", "false");
  }

  moreBtn.addEventListener("click", (ev) => {
    ev.stopPropagation();
    moreMenu.hidden = !moreMenu.hidden;
    moreBtn.setAttribute("aria-expanded", String(!moreMenu.hidden));
  });
  moreMenu.addEventListener("click", (ev) => {
    const item = ev.target.closest('[data-testid="overflow-item"]');
    if (!item || !api) return;
    closeMoreMenu();
    act(api.ui.focusTab, item.dataset.tabId);
  });
  document.addEventListener("click", (ev) => {
    if (!moreMenu.hidden && !ev.target.closest('[data-testid="overflow-menu"]')) closeMoreMenu();
  });
  window.addEventListener("resize", () => scheduleRender());

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
    noticeShownAt = renderCount;
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
    // A notice (e.g. a limit reached in one session) does not follow the user to another
    // session; one shown since the last render belongs to this very change and stays.
    const focusedId = focused ? focused.sessionId : null;
    if (lastFocusedSessionId !== null && focusedId !== lastFocusedSessionId &&
        !noticeBar.hidden && noticeShownAt < renderCount) hideNotices();
    lastFocusedSessionId = focusedId;
    renderSessions(state);
    renderTabs(focused);
    window.PyApmPanes.render(state, focused);
    fitTabs(focused);
    renderCount += 1;
    for (const hook of renderHooks) {
      try { hook(state); } catch (e) { console.error(e); }
    }
    root.dataset.revision = String(state.revision);
    root.dataset.focusedSessionId = focused ? focused.sessionId : "";
    root.dataset.focusedTabId = focused ? focused.focusedTabId : "";
    const sessionCount = sessions.length;
    statusEl.textContent = sessionCount + (sessionCount === 1 ? " session" : " sessions") +
      " · rev " + state.revision + (api.version ? " · v" + api.version : "");
  }

  // A loop of awaited calls that never yields to the event loop would render after every
  // call (each a microtask), building DOM the page can only free once it yields: past
  // RENDERS_PER_TASK renders in one task, the next waits for a later task.
  const RENDERS_PER_TASK = 20;
  const later = window.setTimeout.bind(window); // the page's own: not a harness's wrapper
  let rendersThisTask = 0;
  let taskCounted = false;
  function soon(fn) {
    if (!taskCounted) {
      taskCounted = true;
      later(() => { taskCounted = false; rendersThisTask = 0; }, 0);
    }
    if (rendersThisTask++ < RENDERS_PER_TASK) queueMicrotask(fn);
    else later(fn, 0);
  }

  function scheduleRender() {
    if (renderQueued) return;
    renderQueued = true;
    soon(render);
  }

  function onChange(payload) {
    payload = payload || {};
    if (typeof payload.revision === "number") {
      if (payload.revision < lastRevision) window.PyApmPanes.wipe(); // a reset: ids may be reused
      lastRevision = payload.revision;
    }
    if (payload.reset === true) window.PyApmPanes.wipe();
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
    openRequestedPage();
    if (typeof api.bootTimeMs === "number") {
      statusEl.dataset.bootTimeMs = String(api.bootTimeMs);
    }
  }

  /** `/?open=page.html[&data=...]` (py-apm serve --open): that page as a web-resource tab. */
  function openRequestedPage() {
    const query = new URLSearchParams(location.search);
    const name = query.get("open");
    if (!name) return;
    act((n) => api.ui.openWebResource(n, query.has("data") ? query.get("data") : undefined), name);
  }

  // A small hook for tests and tooling (never part of Microsoft.Apm).
  const settings = {
    noticeTimeoutMs: NOTICE_TIMEOUT_MS,
    render: () => render(),
    hideNotices,
    showNotice: (msg, kind) => showNotices([msg], kind),
    get renderCount() { return renderCount; },
    // for the page's other scripts (timeline.js, launcher.js)
    h,
    asText,
    act,
    onRender: (hook) => renderHooks.push(hook),
    soon, // a render soon: a microtask, or a later task once this one rendered enough
    get api() { return api; },
  };
  window.PyApmWorkspace = settings;

  boot();
})();
