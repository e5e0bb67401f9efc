// py-apm workspace page: the timeline panel. Shows PyApm.timeline() (calls, refusals, errors,
// warnings, events and whether they were posted, focus changes, notices, and the frame of each
// call), filtered by kind and session. Hidden until the top bar's "Timeline" button opens it.
// All row text is set with textContent.
(() => {
  "use strict";

  const W = window.PyApmWorkspace;
  const { h } = W;
  const { byTestIds } = window.PyApmDom;
  const KINDS = ["call", "ui", "error", "refusal", "warning", "event", "focus", "notice"];
  const MAX_ROWS = 1000; // the newest rows shown; the export has them all
  const CACHE_MAX = 30000;

  const [panel, toggle, list, kindsEl, sessionSelect, countEl] = byTestIds(
    "timeline", "timeline-toggle", "timeline-rows", "timeline-kinds", "timeline-session",
    "timeline-count");
  const hiddenKinds = new Set();
  let queued = false;
  // Rows already read: a call's rows are complete once it returned, so only later ones are
  // asked for (PyApm.timeline(seq)); a reset or a clear starts over.
  let cache = [];
  let lastSeq = 0;
  let known = false;

  for (const kind of KINDS) {
    kindsEl.append(h("button", { type: "button", "aria-pressed": "true", "data-kind": kind,
      "data-testid": "timeline-kind", text: kind }));
  }

  function rows() {
    const api = W.api;
    if (!api || typeof api.timeline !== "function") return cache;
    const fresh = known ? api.timeline(lastSeq) : api.timeline();
    known = true;
    if (fresh.length) {
      for (const row of fresh) cache.push(row);
      lastSeq = fresh[fresh.length - 1].seq;
      if (cache.length > CACHE_MAX) cache = cache.slice(-CACHE_MAX);
    }
    return cache;
  }

  function forget() {
    cache = [];
    lastSeq = 0;
    known = false;
  }

  function matches(row, session) {
    if (hiddenKinds.has(row.kind)) return false;
    return !session || row.session === session || row.frameSession === session;
  }

  function rowItem(row) {
    const frame = row.frame ? "frame " + row.frame : "";
    const li = h("li", { class: "tl-row", "data-testid": "timeline-row", "data-kind": row.kind,
      "data-seq": String(row.seq) },
      h("span", { class: "tl-seq", text: "#" + row.seq }),
      h("span", { class: "tl-kind", text: row.kind }),
      h("span", { class: "tl-frame", "data-testid": "timeline-frame", text: frame }),
      h("span", { class: "tl-provider", "data-testid": "timeline-provider", text: row.provider || "" }),
      h("span", { class: "tl-session", text: row.session || "" }),
      h("span", { class: "tl-text", "data-testid": "timeline-text", text: row.text }));
    if (row.code) li.dataset.code = row.code;
    if (row.posted !== null && row.posted !== undefined) li.dataset.posted = String(row.posted);
    if (row.frame) li.title = "Called from the frame of " + row.frame + " (session " + (row.frameSession || "?") + ")";
    if (row.topic) li.title = "BroadcastChannel topic: " + row.topic;
    return li;
  }

  function syncSessions(all) {
    const ids = new Set();
    for (const r of all) {
      if (r.session) ids.add(r.session);
      if (r.frameSession) ids.add(r.frameSession);
    }
    const current = sessionSelect.value;
    if (current) ids.add(current);
    const wanted = ["", ...Array.from(ids).sort((a, b) => a.localeCompare(b, undefined, { numeric: true }))];
    const have = Array.from(sessionSelect.options, (o) => o.value);
    if (wanted.join("\n") === have.join("\n")) return;
    sessionSelect.replaceChildren(...wanted.map((id) => h("option", { value: id, text: id || "All sessions" })));
    sessionSelect.value = current;
  }

  function render() {
    queued = false;
    if (panel.hidden) return;
    let all;
    try {
      all = rows();
    } catch (e) {
      list.replaceChildren(h("li", { class: "timeline-empty", text: "Could not read the timeline: " + e.message }));
      return;
    }
    syncSessions(all);
    const session = sessionSelect.value;
    const shown = all.filter((r) => matches(r, session));
    const stick = list.scrollTop + list.clientHeight >= list.scrollHeight - 4;
    const items = shown.slice(-MAX_ROWS).map(rowItem);
    if (!items.length) items.push(h("li", { class: "timeline-empty", text: "Nothing yet: calls, events and warnings appear here." }));
    list.replaceChildren(...items);
    countEl.textContent = shown.length + " of " + all.length + " rows";
    if (stick) list.scrollTop = list.scrollHeight; // follow the newest rows unless scrolled up
  }

  function schedule() {
    if (queued || panel.hidden) return;
    queued = true;
    queueMicrotask(render);
  }

  function setOpen(open) {
    panel.hidden = !open;
    toggle.setAttribute("aria-pressed", String(open));
    if (open) {
      render();
      list.scrollTop = list.scrollHeight;
    }
  }

  function exportJSON() {
    const text = JSON.stringify(W.api ? W.api.timeline() : [], null, 2);
    const url = URL.createObjectURL(new Blob([text], { type: "application/json" }));
    const a = h("a", { href: url, download: "py-apm-timeline.json" });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  }

  toggle.addEventListener("click", () => setOpen(panel.hidden));
  document.querySelector('[data-testid="timeline-close"]').addEventListener("click", () => setOpen(false));
  document.querySelector('[data-testid="timeline-clear"]').addEventListener("click", () => {
    if (W.api) W.api.clearTimeline(); // pyapm:timelineclear: forget()
    forget();
    render();
  });
  document.querySelector('[data-testid="timeline-export"]').addEventListener("click", exportJSON);
  sessionSelect.addEventListener("change", render);
  kindsEl.addEventListener("click", (ev) => {
    const button = ev.target.closest("button[data-kind]");
    if (!button) return;
    const kind = button.dataset.kind;
    if (hiddenKinds.has(kind)) hiddenKinds.delete(kind);
    else hiddenKinds.add(kind);
    button.setAttribute("aria-pressed", String(!hiddenKinds.has(kind)));
    render();
  });
  // Every call that changes the workspace renders the page; calls that change nothing (a
  // getter, a refused call) still reach PyApm.onChange when they produce output. Reads that
  // produce nothing show at the next change or when the panel opens.
  W.onRender(schedule);
  window.addEventListener("pyapm:timelineclear", () => { forget(); schedule(); });
  window.addEventListener("pyapm:change", (ev) => {
    if (ev.detail && ev.detail.reset) forget();
    schedule();
  });

  W.timeline = { open: () => setOpen(true), close: () => setOpen(false), render };
})();
