"""Decisions 1, 2, 12, 13, 14, 25: what the actions return, under the runtime contract (the
default: Promises) and under `returns: "documented"` (synchronous)."""

from __future__ import annotations

from typing import Any

import pytest

from py_apm import ApmError

from .conftest import case_input, tab_input


def test_close_reports_closed_or_refused(apm):
    sid = apm.create_session(case_input())
    tid = apm.create_tab(tab_input())
    session = apm.get_session(sid)
    assert session.get_tab("tab-id-1").close() is False  # the anchor: refused
    assert session.get_tab(tid).close() is True
    tid = apm.create_tab(tab_input())
    assert apm.close_tab(tid) is True
    assert apm.close_tab("tab-id-1") is False
    assert session.close() is True
    assert apm.get_focused_session().close() is False  # Home
    assert apm.get_all_sessions() == ["session-id-0"]


def test_update_context_gives_the_updated_context(apm):
    apm.create_session(case_input())
    context = apm.get_focused_session().update_context({"customerName": "Contoso", "n": 5})
    assert context.parameters == {"customerName": "Contoso", "n": "5"}
    assert context.get("customerName") == "Contoso"
    assert context.template_name == "case_entity_session_default_template"


def test_options_name_the_contract(apm):
    assert apm.configure({})["returns"] == "runtime"
    assert apm.configure({})["legacyPromises"] is True
    assert apm.configure({"legacyPromises": False})["returns"] == "documented"
    assert apm.configure({"legacyPromises": True})["returns"] == "runtime"
    assert apm.configure({"returns": "documented"})["legacyPromises"] is False
    with pytest.raises(ApmError) as error:
        apm.configure({"returns": "async"})
    assert (error.value.code, error.value.message) == (
        422,
        'configure: returns must be "runtime" or "documented", got \'async\'',
    )
    with pytest.raises(ApmError, match="legacyPromises contradicts returns"):
        apm.configure({"returns": "runtime", "legacyPromises": False})
    assert apm.configure({})["returns"] == "documented"  # the refused calls changed nothing


# ---------------------------------------------------------------- in the page (JS shapes)
SHAPES_JS = """async () => {
  const A = Microsoft.Apm;
  const shape = async (v) => {
    if (v === null || typeof v !== "object" || typeof v.then !== "function") return ["sync", v === undefined ? "undefined" : v];
    try { const r = await v; return ["resolves", r === undefined ? "undefined" : (r && typeof r.get === "function") ? "context" : r]; }
    catch (e) { return ["rejects", e instanceof Error ? e.errorCode : String(e)]; }
  };
  const out = {};
  const grab = async (name, f) => {
    try { out[name] = await shape(f()); } catch (e) { out[name] = ["throws", e.errorCode]; }
  };
  await grab("createSession", () => A.createSession({templateName: "msdyn_chat_session"}));
  await grab("createTab", () => A.createTab({templateName: "msdyn_omnichannel_kbsearch"}));
  const s = A.getFocusedSession();
  await grab("session.createTab", () => s.createTab({templateName: "msdyn_omnichannel_kbsearch", isFocused: false}));
  await grab("focusTab", () => A.focusTab("tab-id-2"));
  await grab("refreshTab", () => A.refreshTab("tab-id-2"));
  await grab("tab.focus", () => s.getTab("tab-id-3").focus());
  await grab("tab.refresh", () => s.getTab("tab-id-3").refresh());
  await grab("tab.close", () => s.getTab("tab-id-3").close());
  await grab("tab.close anchor", () => s.getTab("tab-id-1").close());
  await grab("closeTab", () => A.closeTab("tab-id-2"));
  await grab("closeTab anchor", () => A.closeTab("tab-id-1"));
  await grab("updateContext", () => s.updateContext({k: "v"}));
  await grab("session.focus", () => s.focus());
  await grab("requestFocus", () => A.getSession("session-id-0").requestFocus());
  await grab("getContext", () => s.getContext());
  await grab("getAllTabsForTemplate", () => s.getAllTabsForTemplate("x"));
  await grab("createSession bad", () => A.createSession({}));
  await grab("focusTab unknown", () => A.focusTab("tab-id-99"));
  await grab("session.close", () => s.close());
  await grab("home.close", () => A.getFocusedSession().close());
  await grab("getSession bad", () => A.getSession(1));
  return out;
}"""


#: What SHAPES_JS sees for each action: (the runtime contract, the documented contract).
SHAPES: dict[str, tuple[list[Any], list[Any]]] = {
    "createSession": (["resolves", "session-id-1"], ["sync", "session-id-1"]),
    "createTab": (["resolves", "tab-id-2"], ["sync", "tab-id-2"]),
    "session.createTab": (["resolves", "tab-id-3"], ["sync", "tab-id-3"]),
    "focusTab": (["resolves", "undefined"], ["sync", "undefined"]),
    "refreshTab": (["resolves", "undefined"], ["sync", "undefined"]),
    "tab.focus": (["resolves", "undefined"], ["sync", "undefined"]),
    "tab.refresh": (["resolves", "undefined"], ["sync", "undefined"]),
    "tab.close": (["resolves", True], ["sync", "undefined"]),
    "tab.close anchor": (["resolves", False], ["sync", "undefined"]),
    "closeTab": (["resolves", True], ["sync", "undefined"]),
    "closeTab anchor": (["resolves", False], ["sync", "undefined"]),
    "updateContext": (["resolves", "context"], ["sync", "undefined"]),
    "session.focus": (["resolves", "undefined"], ["sync", "undefined"]),
    "requestFocus": (["sync", "undefined"], ["sync", "undefined"]),
    # a Promise in both contracts (decision 4)
    "getContext": (["resolves", "context"], ["resolves", "context"]),
    "getAllTabsForTemplate": (["resolves", []], ["resolves", []]),
    "createSession bad": (["rejects", 400], ["throws", 400]),
    "focusTab unknown": (["rejects", 404], ["throws", 404]),
    "session.close": (["resolves", True], ["sync", "undefined"]),
    "home.close": (["resolves", False], ["sync", "undefined"]),
    "getSession bad": (["throws", 400], ["throws", 400]),
}


def test_runtime_contract_shapes(js_page: Any) -> None:
    js_page.evaluate("PyApm.reset({restoreDefaults: true})")
    assert js_page.evaluate(SHAPES_JS) == {name: runtime for name, (runtime, _) in SHAPES.items()}


@pytest.mark.apm_config({"returns": "documented"})
def test_documented_contract_shapes(js_page: Any) -> None:
    assert js_page.evaluate(SHAPES_JS) == {name: doc for name, (_, doc) in SHAPES.items()}


def test_the_change_is_applied_before_the_call_returns(js_page: Any) -> None:
    seen = js_page.evaluate(
        """() => {
        const p = Microsoft.Apm.createSession({templateName: "msdyn_chat_session"});
        const now = Microsoft.Apm.getFocusedSession().sessionId;
        const q = Microsoft.Apm.createTab({templateName: "msdyn_omnichannel_kbsearch"});
        const tabs = Microsoft.Apm.getFocusedSession().getAllTabs();
        return Promise.all([p, q]).then(([sid, tid]) => ({now, sid, tabs, tid}));
    }"""
    )
    assert seen == {
        "now": "session-id-1",
        "sid": "session-id-1",
        "tabs": ["tab-id-1", "tab-id-2"],
        "tid": "tab-id-2",
    }


def test_a_promise_where_an_id_is_expected_is_named(js_page: Any) -> None:
    result = js_page.evaluate(
        """async () => {
        const out = [];
        const tab = Microsoft.Apm.createTab({templateName: "msdyn_omnichannel_kbsearch"});
        for (const f of [
            () => Microsoft.Apm.focusTab(tab),
            () => Microsoft.Apm.getSession(Microsoft.Apm.createSession({templateName: "msdyn_chat_session"})),
            () => Microsoft.Apm.getFocusedSession().getTab(tab),
            () => Microsoft.Apm.createSession(Promise.resolve({templateName: "msdyn_chat_session"})),
            () => Microsoft.Apm.getFocusedSession().updateContext({k: Promise.resolve("v")}),
        ]) {
            try { await f(); out.push(null); }
            catch (e) { out.push([e instanceof Error, e.errorCode, e.message]); }
        }
        return {out};
    }"""
    )
    assert result["out"] == [
        [
            True,
            400,
            "Microsoft.Apm.focusTab: tabId is a Promise; await createTab(...) first (it resolves with the id)",
        ],
        [
            True,
            400,
            "Microsoft.Apm.getSession: sessionId is a Promise; await createSession(...) first (it resolves with the id)",
        ],
        [
            True,
            400,
            "session.getTab: tabId is a Promise; await createTab(...) first (it resolves with the id)",
        ],
        [True, 400, "Microsoft.Apm.createSession: SessionInput is a Promise; await it first"],
        [True, 400, "session.updateContext: input.k cannot be a Promise"],
    ]
