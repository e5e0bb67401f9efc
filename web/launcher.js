// py-apm workspace page: the launcher (the top bar's "Launch" button), the real app's entry
// points for development by hand: open a session from any session template (an incoming
// conversation too), open a tab from any tab template in the focused session, edit a record of
// the record store, refresh a session's context. Everything goes through PyApm.ui.* (the same
// model, logged with origin "ui"); values are read as text and never evaluated.
(() => {
  "use strict";

  const W = window.PyApmWorkspace;
  const { h } = W;
  const { byTestId, byTestIds } = window.PyApmDom;
  const [dialog, message, sessionTemplate, sessionRecord, sessionContext, tabTemplate, tabHint,
    tabContext, recordPick, recordEntity, recordId, recordAttributes, refreshSession] =
    byTestIds(
      "launcher", "launcher-message", "launcher-session-template", "launcher-session-record",
      "launcher-session-context", "launcher-tab-template", "launcher-tab-hint",
      "launcher-tab-context", "launcher-record-pick", "launcher-record-entity",
      "launcher-record-id", "launcher-record-attributes", "launcher-refresh-session");
  const recordIds = document.getElementById("launcher-record-ids");
  let catalog = { sessionTemplates: [], tabTemplates: [], records: {} };

  /** `key = value` lines (the first "=" splits; blank lines and lines without "=" are skipped). */
  function parseLines(text) {
    const values = {};
    for (const line of String(text).split("\n")) {
      const at = line.indexOf("=");
      if (at <= 0) continue;
      const key = line.slice(0, at).trim();
      if (key) values[key] = line.slice(at + 1).trim();
    }
    return values;
  }

  function lines(values) {
    return Object.entries(values || {}).map(([k, v]) => `${k} = ${v}`).join("\n");
  }

  function say(text, kind) {
    message.textContent = text;
    message.dataset.kind = kind || "info";
  }

  function run(what, fn) {
    try {
      const result = fn();
      say(what(result), "info");
    } catch (e) {
      say((e && e.message) || String(e), "error");
    }
  }

  function options(select, items, valueOf, labelOf) {
    const current = select.value;
    select.replaceChildren(...items.map((item) => h("option", { value: valueOf(item), text: labelOf(item) })));
    if (items.some((item) => valueOf(item) === current)) select.value = current;
  }

  function selectedSessionTemplate() {
    return catalog.sessionTemplates.find((t) => t.uniqueName === sessionTemplate.value) || null;
  }

  function syncSessionForm() {
    const template = selectedSessionTemplate();
    const isEntity = !!(template && template.type === "entity");
    sessionRecord.closest("label").hidden = !isEntity;
    const rows = isEntity ? catalog.records[template.entity] || {} : {};
    recordIds.replaceChildren(...Object.keys(rows).map((id) => h("option", { value: id, text: rows[id].title || id })));
  }

  function syncTabHint() {
    const t = catalog.tabTemplates.find((x) => x.uniqueName === tabTemplate.value);
    tabHint.textContent = t ? `${t.pageTypeName}: takes ${t.takes.join(", ") || "any parameter"}` : "";
  }

  function refreshCatalog() {
    const api = W.api;
    if (!api) return;
    catalog = api.catalog();
    options(sessionTemplate, catalog.sessionTemplates, (t) => t.uniqueName, (t) => `${t.name} (${t.uniqueName})`);
    options(tabTemplate, catalog.tabTemplates, (t) => t.uniqueName, (t) => `${t.name} (${t.uniqueName})`);
    const records = [];
    for (const [entity, rows] of Object.entries(catalog.records)) {
      for (const [id, row] of Object.entries(rows)) records.push({ entity, id, row });
    }
    options(recordPick, [{ entity: "", id: "", row: {} }, ...records], (r) => r.entity && `${r.entity}/${r.id}`,
      (r) => (r.entity ? `${r.entity} · ${r.row.title || r.row.name || r.id}` : "New record…"));
    syncSessionForm();
    syncTabHint();
  }

  function syncSessions(state) {
    const sessions = (state && state.sessions ? state.sessions : []).filter((s) => !s.isDefault);
    options(refreshSession, sessions, (s) => s.sessionId, (s) => `${s.title} (${s.sessionId})`);
  }

  function open() {
    refreshCatalog();
    syncSessions(W.api ? W.api.state() : null);
    say("", "info");
    dialog.hidden = false;
    sessionTemplate.focus();
  }

  function close() {
    dialog.hidden = true;
  }

  byTestId("launcher-toggle").addEventListener("click", () => (dialog.hidden ? open() : close()));
  byTestId("launcher-close").addEventListener("click", close);
  dialog.addEventListener("click", (ev) => { if (ev.target === dialog) close(); });
  document.addEventListener("keydown", (ev) => { if (ev.key === "Escape" && !dialog.hidden) close(); });
  sessionTemplate.addEventListener("change", syncSessionForm);
  tabTemplate.addEventListener("change", syncTabHint);

  byTestId("launcher-incoming").addEventListener("click", () => {
    sessionTemplate.value = "msdyn_chat_session";
    syncSessionForm();
    const id = (crypto.randomUUID ? crypto.randomUUID() : String(Date.now()));
    sessionContext.value = lines({ customerName: "Alex Wu", LiveWorkItemId: id });
  });

  byTestId("launcher-session-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    const template = selectedSessionTemplate();
    if (!template) return;
    const context = parseLines(sessionContext.value);
    if (template.type === "entity" && sessionRecord.value.trim()) {
      context.parametersStr = JSON.stringify([["entityName", template.entity], ["entityId", sessionRecord.value.trim()]]);
    }
    run((id) => `Opened session ${id}`,
      () => W.api.ui.createSession({ templateName: template.uniqueName, sessionContext: context }));
    syncSessions(W.api.state());
  });

  byTestId("launcher-tab-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    run((id) => `Opened tab ${id} in the focused session`,
      () => W.api.ui.createTab({ templateName: tabTemplate.value, appContext: parseLines(tabContext.value) }));
  });

  recordPick.addEventListener("change", () => {
    const [entity, ...rest] = recordPick.value.split("/");
    const id = rest.join("/");
    recordEntity.value = entity || "";
    recordId.value = id || "";
    const row = entity && catalog.records[entity] ? catalog.records[entity][id] : null;
    recordAttributes.value = lines(row);
  });

  byTestId("launcher-record-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    const entity = recordEntity.value.trim();
    const id = recordId.value.trim();
    run(() => `Saved ${entity} ${id}; refresh a session's context to see it in {anchor.*} slugs`,
      () => W.api.ui.setRecord(entity, id, parseLines(recordAttributes.value)));
    refreshCatalog();
  });

  byTestId("launcher-refresh-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    const id = refreshSession.value;
    run(() => `Refreshed the context of ${id}`, () => W.api.ui.refreshContext(id));
  });

  W.onRender((state) => { if (!dialog.hidden) syncSessions(state); });
  W.launcher = { open, close };
})();
