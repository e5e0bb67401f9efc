// py-apm workspace page: the tab content panes (kept alive across renders, so iframes keep
// running), placeholder cards, and iframes that load only once their URL answers.
(() => {
  "use strict";

  const { h, icon, asText, safeUrl } = window.PyApmDom;
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
  const tabContent = document.querySelector('[data-testid="tab-content"]');
  /** Per-tab content panes, kept alive across renders (iframes keep running). */
  const panes = new Map(); // tabId -> {el, key, url, refreshCount, frame}
  let wipePanes = false;

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

  // A tab's iframe is made with its src, and made again to reload it: py-apm's shim hooks the
  // Window an iframe starts with, which the browser keeps only for the first document an
  // iframe inserted with its src loads (a reload or a later src makes a new Window, whose calls
  // through window.parent the shim can only tell by reading the call stack).
  function placeFrame(pane, entry, t, url) {
    const fresh = createFrame(t);
    if (url) fresh.setAttribute("src", url);
    if (entry.frame && entry.frame.isConnected) entry.frame.replaceWith(fresh);
    else pane.prepend(fresh);
    entry.frame = fresh;
  }

  function reloadFrame(entry, t) {
    if (entry.frame) placeFrame(entry.el, entry, t, entry.url);
  }

  /**
   * Load a tab's URL into its iframe only once it answers: a missing web resource or an
   * unreachable site gets a card instead of the server's "404" text or the browser's error page.
   * 0: loadable; > 0: the HTTP status; -1: no answer (network error, blocked, offline).
   * (loadFrame: -2, the site answered but refuses to be framed.)
   */
  async function probe(url, pageType) {
    try {
      if (pageType === "webresource") {
        const r = await fetch(url, { method: "HEAD", cache: "no-store" });
        return r.ok ? 0 : r.status;
      }
      // Cross-origin: an opaque answer is all we can see, and it is enough (it did answer).
      await fetch(url, { mode: "no-cors", cache: "no-store", credentials: "omit" });
      return 0;
    } catch (_e) {
      return -1;
    }
  }

  /**
   * The header by which a site that answered refuses to be framed (X-Frame-Options, CSP
   * frame-ancestors), else null. A page cannot read another site's headers: py-apm's server
   * asks for it (py_apm/host/framing.py); any other server answers 404: null.
   */
  async function framingRefusal(url) {
    try {
      const r = await fetch("/pyapm/framing?url=" + encodeURIComponent(url),
        { cache: "no-store", headers: { "X-PyApm-Framing": "1" } });
      const verdict = r.ok ? await r.json() : null;
      return verdict && verdict.refused ? String(verdict.reason) : null;
    } catch (_e) {
      return null;
    }
  }

  async function loadFrame(pane, entry, url, t) {
    let status = await probe(url, t.pageType);
    const refused = !status && t.pageType === "thirdpartywebsite" ? await framingRefusal(url) : null;
    if (refused) status = -2;
    if (entry.url !== url || !pane.isConnected || !entry.framed) return;
    const card = pane.querySelector(
      '[data-testid="webresource-missing"], [data-testid="site-unreachable"], [data-testid="site-refused"]');
    if (!status) {
      if (card) card.remove();
      placeFrame(pane, entry, t, url);
      return;
    }
    if (!entry.frame) placeFrame(pane, entry, t, null);
    entry.frame.hidden = true;
    entry.frame.removeAttribute("src");
    const fresh = h("div", { class: "missing-card" });
    if (card) card.replaceWith(fresh);
    else pane.append(fresh);
    if (t.pageType === "webresource") {
      const name = (t.parameters && t.parameters.webresourceName) || url;
      fresh.dataset.testid = "webresource-missing";
      fresh.append(icon("webresource", "icon card-icon"), h("div", null,
        h("h2", { class: "card-title", text: "Web resource not found" }),
        h("p", { class: "card-note" }, "The web resource ", h("code", { text: asText(name) }),
          status > 0 ? " answered HTTP " + status + "." : " could not be loaded."),
        h("p", { class: "card-note" }, "Serve a folder that holds it: ",
          h("code", { text: "py-apm serve --webresources DIR" }), ".")));
    } else if (refused) {
      fresh.dataset.testid = "site-refused";
      fresh.append(icon("thirdpartywebsite", "icon card-icon"), h("div", null,
        h("h2", { class: "card-title", text: "This site can't be shown in a tab" }),
        h("p", { class: "card-note" }, "The third-party website ", h("code", { text: url }),
          " refuses to be framed: it sends ", h("code", { "data-testid": "site-refused-header", text: refused }), "."),
        h("p", { class: "card-note", text: "Dynamics 365 cannot show it in a tab either: the browser shows its " +
          "\"refused to connect\" page there. Open the site in a new window, or use a page that allows framing." })));
    } else {
      fresh.dataset.testid = "site-unreachable";
      fresh.append(icon("thirdpartywebsite", "icon card-icon"), h("div", null,
        h("h2", { class: "card-title", text: "This site can't be reached" }),
        h("p", { class: "card-note" }, "The third-party website ", h("code", { text: url }),
          status > 0 ? " answered HTTP " + status + "." : " did not answer (offline, blocked or no such host)."),
        h("p", { class: "card-note", text: "In Dynamics 365 the site would load here. Refresh the tab to try again." })));
    }
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
      entry = { el, key, url: null, refreshCount: t.refreshCount || 0, framed: false, frame: null, sig: null };
      panes.set(t.tabId, entry);
      tabContent.append(el);
    }
    const el = entry.el;
    if (isFrame && url) {
      if (!entry.framed) {
        entry.framed = true; // its iframe is made once its URL answers (loadFrame)
        entry.frame = null;
        el.replaceChildren();
        entry.sig = null;
      }
      if (entry.url !== url) {
        entry.url = url;
        loadFrame(el, entry, url, t);
      } else if ((t.refreshCount || 0) > entry.refreshCount) {
        if (!entry.frame || entry.frame.hidden || !entry.frame.getAttribute("src")) loadFrame(el, entry, url, t);
        else reloadFrame(entry, t);
      }
      if (entry.frame) entry.frame.title = asText(t.title);
    } else {
      // Placeholder card (or an iframe tab whose URL is missing / not http(s)).
      const sig = JSON.stringify([s.title, t.title, t.parameters, t.templateName, t.refreshCount, t.url]);
      if (entry.framed) { entry.framed = false; entry.frame = null; entry.url = null; }
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

  window.PyApmPanes = Object.freeze({
    render: renderPanes,
    /** Drop every pane at the next render (a reset: ids may be reused). */
    wipe() { wipePanes = true; },
  });
})();
