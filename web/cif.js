// py-apm workspace page: the Channel Integration Framework's communication panel (one frame per
// channel provider, docked on the left), its notification toasts, the session indicators of
// notifyNewActivity/notifyKpiBreach and click-to-act phone fields. Renders PyApm.cif() and
// PyApm.notifications(); every click goes through PyApm.ui.*; user text is set as text.
(() => {
  "use strict";

  const { h, asText, byTestIds } = window.PyApmDom;
  const ws = window.PyApmWorkspace;
  const [panel, frames, switcher, toggle, toasts, sessionList] = byTestIds(
    "cif-panel", "provider-frames", "provider-switcher", "panel-toggle", "notifications", "session-list");
  const MODES = ["minimized", "docked", "hidden"];
  const PHONE = /phone|mobile|fax/i;
  /** @type {Map<string, number>} notification id -> when the page first showed it (ms) */
  const seenAt = new Map();
  let countdownTimer = null;

  function cifState(api) {
    return api && typeof api.cif === "function" ? api.cif() : null;
  }

  // ---------------------------------------------------------------- the panel
  function renderPanel(cif) {
    const providers = cif ? cif.providers : [];
    panel.hidden = providers.length === 0;
    if (!providers.length) return;
    const mode = MODES[cif.mode] || "hidden";
    panel.dataset.mode = mode;
    panel.dataset.activeProvider = cif.activeProvider || "";
    panel.style.width = mode === "docked" ? cif.width + "px" : "";
    toggle.textContent = mode === "docked" ? "‹" : "›";
    toggle.setAttribute("aria-label", mode === "docked" ? "Minimize the panel" : "Dock the panel");
    for (const p of providers) {
      let frame = frames.querySelector(`iframe[data-provider="${CSS.escape(p.name)}"]`);
      if (!frame) {
        frame = h("iframe", {
          class: "provider-frame", "data-testid": "provider-frame", "data-provider": p.name,
          title: asText(p.label), allow: "microphone; camera; geolocation",
          sandbox: "allow-forms allow-popups allow-scripts allow-same-origin allow-modals allow-downloads",
        });
        frame.src = p.frameUrl;
        frames.append(frame);
      }
      frame.hidden = p.name !== cif.activeProvider;
    }
    for (const frame of Array.from(frames.children)) {
      if (!providers.some((p) => p.name === frame.dataset.provider)) frame.remove();
    }
    switcher.replaceChildren(...providers.map((p) => h("button", {
      type: "button", class: "provider-button", "data-testid": "provider-button", "data-provider": p.name,
      "aria-pressed": String(p.name === cif.activeProvider), title: asText(p.label), text: asText(p.label).slice(0, 2),
    })));
  }

  toggle.addEventListener("click", () => {
    const cif = cifState(ws.api);
    if (cif) ws.act((mode) => ws.api.ui.setPanelMode(mode), cif.mode === 1 ? 0 : 1);
  });
  switcher.addEventListener("click", (ev) => {
    const button = ev.target.closest('[data-testid="provider-button"]');
    if (button && ws.api) ws.act(ws.api.ui.showProvider, button.dataset.provider);
  });

  // ---------------------------------------------------------------- session indicators
  function renderIndicators(cif) {
    for (const item of sessionList.querySelectorAll('[data-testid="session"]')) {
      const id = item.dataset.sessionId;
      const iconWrap = item.querySelector(".session-icon");
      syncBadge(iconWrap, "activity-indicator", cif && id in cif.activity ? cif.activity[id] : null, (count) =>
        h("span", { class: "activity-indicator", "data-testid": "activity-indicator", role: "img",
          "aria-label": count ? count + " new activities" : "New activity", text: count ? String(count) : "" }));
      syncBadge(iconWrap, "kpi-indicator", cif && id in cif.kpi ? cif.kpi[id] : null, (details) =>
        h("span", { class: "kpi-indicator", "data-testid": "kpi-indicator", role: "img",
          "aria-label": "KPI breached", title: asText(details) || "KPI breached", text: "!" }));
      item.dataset.provider = cif && cif.owners[id] ? cif.owners[id] : "";
    }
  }

  function syncBadge(container, testId, value, make) {
    const old = container.querySelector(`[data-testid="${testId}"]`);
    if (old) old.remove();
    if (value !== null && value !== undefined) container.append(make(value));
  }

  // ---------------------------------------------------------------- notifications
  function renderNotifications(api) {
    const pending = typeof api.notifications === "function" ? api.notifications() : [];
    const shown = pending.find((n) => n.state === "displayed");
    for (const id of Array.from(seenAt.keys())) if (!pending.some((n) => n.id === id)) seenAt.delete(id);
    for (const n of pending) if (!seenAt.has(n.id)) seenAt.set(n.id, performance.now());
    toasts.dataset.waiting = String(pending.length - (shown ? 1 : 0));
    if (!shown) {
      toasts.replaceChildren();
      return;
    }
    const current = toasts.querySelector('[data-testid="notification"]');
    if (current && current.dataset.id === shown.id) return;
    const fields = h("dl", { class: "notification-fields" });
    for (const f of shown.fields) {
      fields.append(h("div", { "data-testid": "notification-field" }, h("dt", { text: asText(f.title) }), h("dd", { text: asText(f.value) })));
    }
    const buttons = h("div", { class: "notification-actions" },
      h("button", { type: "button", class: "primary", "data-testid": "notification-accept", text: asText(shown.acceptButtonText) }));
    if (shown.showRejectButton) {
      buttons.append(h("button", { type: "button", "data-testid": "notification-reject", text: asText(shown.rejectButtonText) }));
    }
    const toast = h("div", {
      class: "notification", role: "alertdialog", "data-testid": "notification", "data-id": shown.id,
      "data-provider": shown.provider, "data-theme": shown.theme, "aria-label": asText(shown.title),
    }, h("div", { class: "notification-head" },
      h("strong", { class: "notification-title", "data-testid": "notification-title", text: asText(shown.title) }),
      h("span", { class: "notification-countdown", "data-testid": "notification-countdown", hidden: !shown.showTimeout || !shown.timeout })),
    fields, buttons);
    toast.dataset.timeout = String(shown.timeout);
    toasts.replaceChildren(toast);
    tick();
  }

  function tick() {
    const toast = toasts.querySelector('[data-testid="notification"]');
    clearTimeout(countdownTimer);
    if (!toast) return;
    const timeout = Number(toast.dataset.timeout);
    const countdown = toast.querySelector('[data-testid="notification-countdown"]');
    if (!timeout) return;
    const left = Math.max(0, Math.ceil(timeout - (performance.now() - (seenAt.get(toast.dataset.id) || 0)) / 1000));
    countdown.textContent = left + " s";
    countdownTimer = setTimeout(tick, 1000);
  }

  toasts.addEventListener("click", (ev) => {
    const toast = ev.target.closest('[data-testid="notification"]');
    if (!toast || !ws.api) return;
    const answer = ev.target.closest('[data-testid="notification-accept"]') ? "Accept"
      : ev.target.closest('[data-testid="notification-reject"]') ? "Reject" : null;
    if (answer) ws.act((id) => ws.api.ui.respondToNotification(id, answer), toast.dataset.id);
  });

  // ---------------------------------------------------------------- click-to-act
  function renderClickToAct(api, cif, state) {
    const anyone = cif && Object.values(cif.clickToAct).some(Boolean);
    for (const card of document.querySelectorAll('[data-testid="placeholder"]')) {
      const old = card.querySelector('[data-testid="record-fields"]');
      const tab = findTab(state, card.closest("[data-tab-id]"));
      if (!tab || tab.pageType !== "entityrecord" || !anyone) {
        if (old) old.remove();
        continue;
      }
      const entity = tab.parameters.entityName || "";
      const id = (tab.parameters.entityId || "").trim().replace(/^\{|\}$/g, "").toLowerCase();
      const record = ((api.catalog().records || {})[entity] || {})[id];
      const key = entity + "|" + id + "|" + JSON.stringify(record || {});
      if (old && old.dataset.key === key) continue;
      const list = h("dl", { class: "params record-fields" });
      for (const [name, value] of Object.entries(record || {})) {
        if (!PHONE.test(name) || !value) continue;
        list.append(h("div", { class: "param" }, h("dt", { text: name }), h("dd", null,
          h("a", { href: "#", class: "click-to-act", "data-testid": "click-to-act", "data-name": name,
            "data-value": value, "data-entity": entity, "data-id": id, text: asText(value) }))));
      }
      const section = h("div", { "data-testid": "record-fields" },
        h("h3", { class: "section-label", text: "Click to act" }), list);
      section.dataset.key = key;
      if (!list.children.length) {
        if (old) old.remove();
      } else if (old) {
        old.replaceWith(section);
      } else {
        card.append(section);
      }
    }
  }

  function findTab(state, pane) {
    if (!pane) return null;
    for (const s of state.sessions) for (const t of s.tabs) if (t.tabId === pane.dataset.tabId) return t;
    return null;
  }

  document.addEventListener("click", (ev) => {
    const link = ev.target.closest('[data-testid="click-to-act"]');
    if (!link || !ws.api) return;
    ev.preventDefault();
    ws.act((details) => ws.api.ui.clickToAct(details), {
      value: link.dataset.value, name: link.dataset.name, format: "phone",
      entityLogicalName: link.dataset.entity, entityId: link.dataset.id,
    });
  });

  // ---------------------------------------------------------------- launcher: an incoming call
  // The active provider's widget hears `pyapm:incomingcall` (and calls preventDefault); a
  // widget that does not listen gets the notification raised in its name instead.
  const [callForm, callNumber] = byTestIds("launcher-call-form", "launcher-call-number");
  callForm.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const api = ws.api;
    const cif = cifState(api);
    if (!cif || !cif.activeProvider) return;
    const number = callNumber.value.trim();
    const frame = frames.querySelector(`iframe[data-provider="${CSS.escape(cif.activeProvider)}"]`);
    let handled = false;
    try {
      const w = frame && frame.contentWindow;
      if (w && w.CustomEvent) {
        handled = !w.dispatchEvent(new w.CustomEvent("pyapm:incomingcall", { detail: { number }, cancelable: true }));
      }
    } catch (_e) {
      handled = false; // a cross-origin widget
    }
    const template = cif.notificationTemplates[0];
    if (!handled && template) {
      api.__cif(cif.activeProvider).notifyEvent({ templateName: template, templateParameters: { number } })
        .catch((e) => ws.showNotice(e.message, "error"));
    }
    ws.render();
  });

  // ---------------------------------------------------------------- render
  ws.onRender((state) => {
    const api = ws.api;
    const cif = cifState(api);
    if (!cif) return;
    renderPanel(cif);
    callForm.hidden = cif.providers.length === 0;
    renderIndicators(cif);
    renderNotifications(api);
    renderClickToAct(api, cif, state);
  });
})();
